"""Pages of the health check-ups (F 19): the plans with their progress, a plan with its
enrolled cadres (filters, the pending list, Excel export, re-enrolment of newcomers), making a
plan, recording a cadre's check-up or exemption, and a cadre's health record of every year.

Reads go through `restrict(user)`: a plan or record outside the jurisdiction is not found (404);
a role that may not act answers 403. The conclusion and health advice are shown only to the
cadre themself and the organisation department (`health.can_read_conclusion`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cadre import access
from cadre.models import Cadre
from cadre.pages import add_service_errors, require, unit_options, xlsx_response
from cadre.pagination import CappedPaginator

from . import filtersets_health as filtersets
from . import forms_health as forms
from . import health
from .choices import CheckupStatus
from .models.common import can_read, can_write

PLANS_PER_PAGE = 30
RECORDS_PER_PAGE = 50
EXPORT_CHUNK = 2000
TAB = "health"


def _require_read(user):
    require(can_read(user), _("您的角色不能查看健康体检"))


def _require_write(user):
    require(can_write(user), _("健康体检由组织部门办理"))


# --- plans ------------------------------------------------------------------------------------


@login_required
def plan_list(request):
    """The plans the user may see, newest year first, with their progress."""
    user = request.user
    _require_read(user)
    filterset = filtersets.CheckupPlanFilterSet(request.GET, queryset=health.plan_list(user))
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    paginator = CappedPaginator(health.with_progress(rows), PLANS_PER_PAGE, count_queryset=rows)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "care/health/plan_list.html",
        {
            "tab": TAB,
            "page": page,
            "form": filterset.form,
            "unit_options": unit_options(user, filterset.data.get("unit", ""), with_selected=False),
            "can_write": can_write(user),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    user = request.user
    _require_write(user)
    form = forms.CheckupPlanForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = health.checkup_plan_create(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已建立%(title)s，纳入体检%(n)s人。")
                % {"title": plan.title, "n": plan.records.count()},
            )
            return redirect("care:checkup_plan_detail", pk=plan.pk)
    return render(
        request,
        "care/health/form.html",
        {
            "tab": TAB,
            "form": form,
            "title": _("新建年度体检计划"),
            "intro": _(
                "按照干部管理权限，本单位组织部门管理的在职干部全部纳入；基层一线、困难地区、"
                "特种行业干部按体检加项清单自动增加体检项目（闽19）。"
            ),
            "submit_label": _("建立计划并纳入干部"),
            "cancel_url": "care:checkup_plans",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _plan_records(request, plan):
    filterset = filtersets.CheckupRecordFilterSet(
        request.GET, queryset=health.record_list(request.user).filter(plan=plan)
    )
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset, rows


@login_required
def plan_detail(request, pk):
    user = request.user
    _require_read(user)
    plan = get_object_or_404(health.plan_list(user), pk=pk)
    filterset, rows = _plan_records(request, plan)
    paginator = CappedPaginator(rows, RECORDS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    labels = health.extra_item_labels(plan)
    shown = [
        {
            "record": record,
            "extras": [labels.get(code, code) for code in record.extra_items],
            "conclusion": record.conclusion if health.can_read_conclusion(user, record) else None,
        }
        for record in page.object_list
    ]
    return render(
        request,
        "care/health/plan_detail.html",
        {
            "tab": TAB,
            "plan": plan,
            "progress": health.progress(health.record_list(user).filter(plan=plan)),
            "page": page,
            "rows": shown,
            "form": filterset.form,
            "statuses": CheckupStatus.choices,
            "status_selected": filterset.data.get("status", ""),
            "extras": list(labels.items()),
            "extra_selected": filterset.data.get("extra", ""),
            "can_write": can_write(user),
            "today": timezone.localdate(),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


@login_required
@require_POST
def plan_enrol(request, pk):
    user = request.user
    plan = get_object_or_404(health.plan_list(user), pk=pk)
    _require_write(user)
    added = health.checkup_plan_enrol(actor=user, plan=plan)
    if added:
        messages.success(request, _("已补充纳入%(n)s名新到任干部。") % {"n": added})
    else:
        messages.info(request, _("没有需要补充纳入的干部。"))
    return redirect("care:checkup_plan_detail", pk=plan.pk)


def _export_columns(user, labels):
    def conclusion(record):
        return record.conclusion if health.can_read_conclusion(user, record) else _("（不公开）")

    return [
        (_("姓名"), lambda r: r.cadre.name),
        (_("单位"), lambda r: r.cadre.unit.name),
        (_("职务"), lambda r: r.cadre.post),
        (_("加检项目"), lambda r: "；".join(labels.get(c, c) for c in r.extra_items)),
        (_("状态"), lambda r: r.get_status_display()),
        (_("体检日期"), lambda r: r.attended_on),
        (_("免检原因"), lambda r: r.exemption_reason),
        (_("体检结论"), conclusion),
    ]


@login_required
def plan_export(request, pk):
    """The plan's enrolled cadres under the page's filters (e.g. the pending list) as Excel."""
    user = request.user
    _require_read(user)
    plan = get_object_or_404(health.plan_list(user), pk=pk)
    _filterset, rows = _plan_records(request, plan)
    return xlsx_response(
        _("体检名单"),
        _("%(title)s-体检名单.xlsx") % {"title": plan.title},
        f"checkup-{plan.year}-{plan.pk}.xlsx",
        _export_columns(user, health.extra_item_labels(plan)),
        rows.iterator(chunk_size=EXPORT_CHUNK),
    )


# --- a cadre's check-up -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def record_attend(request, pk):
    """Record the check-up (date, conclusion, advice) or the exemption with its reason."""
    user = request.user
    record = get_object_or_404(health.record_list(user), pk=pk)
    _require_write(user)
    initial = {
        "outcome": CheckupStatus.EXEMPTED
        if record.status == CheckupStatus.EXEMPTED
        else CheckupStatus.ATTENDED,
        "attended_on": record.attended_on or timezone.localdate(),
        "conclusion": record.conclusion,
        "follow_up": record.follow_up,
        "exemption_reason": record.exemption_reason,
    }
    form = forms.CheckupAttendanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == CheckupStatus.EXEMPTED:
                health.checkup_record_exempt(
                    actor=user, record=record, reason=data["exemption_reason"]
                )
            else:
                health.checkup_record_attend(
                    actor=user,
                    record=record,
                    attended_on=data["attended_on"],
                    conclusion=data["conclusion"],
                    follow_up=data["follow_up"],
                )
        except health.TransitionConflict as error:
            messages.error(request, str(error))
            return redirect("care:checkup_plan_detail", pk=record.plan_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记%(name)s的体检情况。") % {"name": record.cadre.name})
            return redirect("care:checkup_plan_detail", pk=record.plan_id)
    return render(
        request,
        "care/health/form.html",
        {
            "tab": TAB,
            "form": form,
            "record": record,
            "title": _("登记体检情况：%(name)s（%(plan)s）")
            % {"name": record.cadre.name, "plan": record.plan.title},
            "submit_label": _("保存"),
            "cancel_url": "care:checkup_plans",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def health_record(request, cadre_id):
    """A cadre's health record (健康档案): every year's check-up. The cadre reads their own."""
    user = request.user
    scope = access.scope_for(user)
    own = scope.cadre_id is not None and scope.cadre_id == cadre_id
    if own:
        cadre = get_object_or_404(Cadre.objects.select_related("unit"), pk=cadre_id)
    else:
        _require_read(user)
        cadre = get_object_or_404(Cadre.objects.restrict(user).select_related("unit"), pk=cadre_id)
    records = list(health.health_record(user, cadre).prefetch_related("plan__extras_list__items"))
    rows = []
    for record in records:
        labels = {item.code: item.label for item in record.plan.extras_list.items.all()}
        readable = health.can_read_conclusion(user, record)
        rows.append(
            {
                "record": record,
                "extras": [labels.get(code, code) for code in record.extra_items],
                "conclusion": record.conclusion if readable else None,
                "follow_up": record.follow_up if readable else None,
            }
        )
    return render(
        request,
        "care/health/record.html",
        {
            "tab": "mine" if own and not can_read(user) else TAB,
            "cadre": cadre,
            "rows": rows,
            "can_write": can_write(user),
        },
    )
