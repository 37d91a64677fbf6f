"""Pages of paid annual leave and overtime time off (F 19, ZJK 12(五)): the overview of a year
per cadre (entitlement, plan, taken, remaining, overtime earned/used/balance) with its filters
and Excel export, the leaders' own usage (领导干部带头休假), a cadre's leave and overtime, and
the forms to record a plan, leave and overtime. A cadre user sees their own figures.

Reads go through `restrict(user)`: a cadre outside the jurisdiction is not found (404). Writes
go through `care.leave`, whose validation errors are shown on the fields they name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from cadre.models import Cadre, Unit
from cadre.pages import add_service_errors, require, unit_options, xlsx_response
from cadre.pagination import CappedPaginator

from . import forms_leave as forms
from . import leave
from .choices import (
    KIND_LEAVE_ENTITLEMENT,
    ApplicationStatus,
    FacilityState,
    RoomStatus,
    WaitingStatus,
)
from .models import LeavePlan, LeaveRecord, OvertimeRecord
from .models.common import can_read, can_write, timeline

PER_PAGE = 50
EXPORT_CHUNK = 2000


# --- shared by the care pages of leave, hardship and living -------------------------------------


def require_read(user):
    require(can_read(user), _("您的角色不能查看关心关爱记录"))


def require_write(user):
    require(can_write(user), _("此事项由组织部门办理"))


def selected_unit(user, value, queryset=None):
    if not str(value or "").isdigit():
        return None
    units = queryset if queryset is not None else Unit.objects.restrict(user)
    return get_object_or_404(units, pk=int(value))


ACTION_LABELS = {
    "plan_saved": _l("制定休假计划"),
    "plan_revised": _l("修改休假计划"),
    "leave_recorded": _l("登记休假"),
    "overtime_recorded": _l("登记加班"),
    "submitted": _l("提交申请"),
    "approved": _l("批准"),
    "rejected": _l("不予批准"),
    "closed": _l("办结"),
    "created": _l("设立基金"),
    "deposit": _l("资金拨入"),
    "disbursement": _l("资金支出"),
    "room_added": _l("登记房间"),
    "room_changed": _l("修改房间"),
    "room_status": _l("变更房间状态"),
    "applied": _l("申请轮候"),
    "withdrawn": _l("撤回申请"),
    "allocated": _l("分配入住"),
    "moved_out": _l("退房"),
    "updated": _l("更新设施状态"),
}
STATUS_LABELS = {
    **dict(ApplicationStatus.choices),
    **dict(RoomStatus.choices),
    **dict(WaitingStatus.choices),
    **dict(FacilityState.choices),
}


def labelled_timeline(subject, obj):
    """The record's log lines with the action and statuses as the user reads them."""
    lines = list(timeline(subject, obj))
    for line in lines:
        line.label = ACTION_LABELS.get(line.action, line.action)
        line.from_label = STATUS_LABELS.get(line.from_status, line.from_status)
        line.to_label = STATUS_LABELS.get(line.to_status, line.to_status)
    return lines


def is_filtered(request, ignore=("page",)):
    return any(v for k, v in request.GET.items() if k not in ignore)


# --- the overview -------------------------------------------------------------------------------


def _filters(request):
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    form = forms.OverviewFilterForm(data)
    if form.is_valid():
        cleaned = form.cleaned_data
    else:
        cleaned = {"year": timezone.localdate().year, "unit": None, "name": ""}
        cleaned.update(leaders=False, without_plan=False)
    unit = selected_unit(request.user, cleaned.get("unit"))
    return form, cleaned, unit


def _overview_cadres(request, *, leaders_only=False):
    form, cleaned, unit = _filters(request)
    cadres = leave.overview_cadres(
        request.user,
        year=cleaned["year"],
        unit=unit,
        leaders_only=leaders_only or cleaned.get("leaders"),
        name=cleaned.get("name") or "",
        without_plan=cleaned.get("without_plan"),
    )
    return form, cleaned, unit, cadres


@login_required
def overview(request):
    """Per cadre of the jurisdiction: the year's entitlement, plan, annual leave taken and
    remaining, overtime earned, taken off and the balance. A cadre sees their own."""
    user = request.user
    if not can_read(user):
        if getattr(user, "cadre_id", None):
            return mine(request)
        require_read(user)
    form, cleaned, unit, cadres = _overview_cadres(request)
    paginator = CappedPaginator(cadres, PER_PAGE, count_queryset=cadres.values("pk"))
    page = paginator.get_page(request.GET.get("page"))
    rows = leave.overview_rows(page.object_list, cleaned["year"])
    return render(
        request,
        "care/leave/overview.html",
        {
            "tab": "leave",
            "page": page,
            "rows": rows,
            "form": form,
            "year": cleaned["year"],
            "unit_options": unit_options(user, unit.pk if unit else ""),
            "is_filtered": is_filtered(request, ("page", "year")),
            "can_write": can_write(user),
            "leader_level": leave.LEADER_MIN_LEVEL,
        },
    )


@login_required
def leaders(request):
    """领导干部带头休假 (F 19): the leaders' own annual leave and usage rate."""
    user = request.user
    require_read(user)
    form, cleaned, unit, cadres = _overview_cadres(request, leaders_only=True)
    paginator = CappedPaginator(cadres, PER_PAGE, count_queryset=cadres.values("pk"))
    page = paginator.get_page(request.GET.get("page"))
    rows = leave.overview_rows(page.object_list, cleaned["year"])
    level_name = (
        leave.PostLevel.objects.filter(code=leave.LEADER_MIN_LEVEL)
        .values_list("name", flat=True)
        .first()
    )
    return render(
        request,
        "care/leave/leaders.html",
        {
            "tab": "leave",
            "page": page,
            "rows": rows,
            "form": form,
            "year": cleaned["year"],
            "summary": leave.leaders_summary(user, year=cleaned["year"], unit=unit),
            "unit_options": unit_options(user, unit.pk if unit else ""),
            "level_name": level_name,
        },
    )


def _overview_columns():
    def rate(row):
        return float(row.usage_rate) if row.usage_rate is not None else ""

    return [
        (_("姓名"), lambda r: r.cadre.name),
        (_("单位"), lambda r: r.cadre.unit.name),
        (_("职务"), lambda r: r.cadre.post),
        (_("职务层次"), lambda r: r.cadre.post_level.name if r.cadre.post_level_id else ""),
        (_("领导干部"), lambda r: _("是") if r.is_leader else ""),
        (_("应休天数"), lambda r: r.entitlement),
        (_("说明"), lambda r: r.entitlement_reason),
        (_("计划天数"), lambda r: r.planned if r.has_plan else ""),
        (_("已休天数"), lambda r: float(r.taken)),
        (_("剩余天数"), lambda r: float(r.remaining)),
        (_("休假率（%）"), rate),
        (_("本年加班（天）"), lambda r: float(r.overtime_earned)),
        (_("本年补休（天）"), lambda r: float(r.overtime_used)),
        (_("可补休余额（天）"), lambda r: float(r.overtime_balance)),
    ]


def _rows_in_chunks(cadres, year):
    lists = leave.lists_by_unit(KIND_LEAVE_ENTITLEMENT)
    chunk = []
    for cadre in cadres.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(cadre)
        if len(chunk) >= EXPORT_CHUNK:
            yield from leave.overview_rows(chunk, year, lists)
            chunk = []
    yield from leave.overview_rows(chunk, year, lists)


@login_required
def export(request):
    """The filtered overview as an Excel workbook (all pages)."""
    user = request.user
    require_read(user)
    _form, cleaned, _unit, cadres = _overview_cadres(
        request, leaders_only=request.GET.get("view") == "leaders"
    )
    year = cleaned["year"]
    return xlsx_response(
        _("%(year)s年度休假情况") % {"year": year},
        _("%(year)s年度休假情况") % {"year": year},
        f"leave-{year}",
        _overview_columns(),
        _rows_in_chunks(cadres, year),
        dated=True,
    )


def _cadre_leave_context(user, cadre, year):
    rows = leave.overview_rows(
        leave.overview_queryset(Cadre.objects.filter(pk=cadre.pk), year), year
    )
    return {
        "cadre": cadre,
        "year": year,
        "row": rows[0],
        "plan": LeavePlan.objects.filter(cadre=cadre, year=year)
        .select_related("entitlement_list")
        .first(),
        "records": LeaveRecord.objects.filter(cadre=cadre, year=year).select_related("recorded_by"),
        "overtime": OvertimeRecord.objects.filter(cadre=cadre, worked_on__year=year).select_related(
            "approved_by"
        ),
        "years": range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1),
    }


def _year(request):
    value = request.GET.get("year", "")
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return timezone.localdate().year


@login_required
def cadre_leave(request, pk):
    """One cadre's plan, leave and overtime of a year."""
    user = request.user
    require_read(user)
    cadre = get_object_or_404(Cadre.objects.restrict(user).select_related("unit"), pk=pk)
    context = _cadre_leave_context(user, cadre, _year(request))
    context.update(tab="leave", can_write=can_write(user))
    return render(request, "care/leave/cadre.html", context)


def mine(request):
    """A cadre's own leave figures (self-service)."""
    user = request.user
    cadre = get_object_or_404(Cadre.objects.select_related("unit"), pk=user.cadre_id)
    context = _cadre_leave_context(user, cadre, _year(request))
    context.update(tab="mine", own=True)
    return render(request, "care/leave/cadre.html", context)


# --- forms --------------------------------------------------------------------------------------


def _form_page(request, form_class, service, *, title, success, intro=""):
    user = request.user
    require_write(user)
    initial = {"cadre": request.GET.get("cadre")} if request.GET.get("cadre") else {}
    form = form_class(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            obj = service(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success(obj))
            year = getattr(obj, "year", None) or obj.worked_on.year
            return redirect(reverse("care:leave_cadre", args=[obj.cadre_id]) + f"?year={year}")
    return render(
        request,
        "care/leave/form.html",
        {
            "tab": "leave",
            "form": form,
            "title": title,
            "intro": intro,
            "cancel_url": reverse("care:leave_overview"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_form(request):
    return _form_page(
        request,
        forms.LeavePlanForm,
        leave.leave_plan_save,
        title=_("制定年度休假计划"),
        success=lambda plan: _("已保存%(name)s %(year)s年休假计划：应休%(e)s天，计划%(p)s天。")
        % {
            "name": plan.cadre.name,
            "year": plan.year,
            "e": plan.entitlement_days,
            "p": plan.planned_days,
        },
        intro=_(
            "应休天数按累计工作年限和本地区带薪年休假天数清单计算（满1年5天、满10年10天、满20年15天）。"
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_form(request):
    return _form_page(
        request,
        forms.LeaveRecordForm,
        leave.leave_record,
        title=_("登记休假"),
        success=lambda r: _("已登记%(name)s %(kind)s %(days)s个工作日。")
        % {"name": r.cadre.name, "kind": r.get_kind_display(), "days": r.days},
        intro=_("休假天数按工作日计算；年休假不超过当年剩余天数，加班补休不超过加班可补休余额。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def overtime_form(request):
    return _form_page(
        request,
        forms.OvertimeForm,
        leave.overtime_record,
        title=_("登记加班"),
        success=lambda r: _("已登记%(name)s %(day)s加班%(days)s天。")
        % {"name": r.cadre.name, "day": r.worked_on, "days": r.days},
        intro=_("公务员在法定工作日之外加班的，应当给予相应的补休（张家口第十二条（五））。"),
    )
