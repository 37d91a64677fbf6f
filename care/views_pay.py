"""Pages of the pay tilt (F 18): the check of a county and a year (township organs against
county departments per post level and per rank, the hardship tilt) with its Excel export, the
bonus records with their filters and export, the entry and correction forms and the Excel
import. A cadre user reads their own bonus only.

Reads go through `restrict(user)`: a county or record outside the jurisdiction is not found
(404). Writes go through `care.pay`, whose validation errors are shown on the fields they name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from cadre.pages import add_service_errors, require, xlsx_response
from cadre.pagination import CappedPaginator

from . import forms_pay as forms
from . import pay
from .filtersets_pay import AssessmentBonusFilterSet
from .models.common import can_read, can_write, timeline
from .views_leave import is_filtered, require_read, require_write

PER_PAGE = 50
ACTION_LABELS = {"bonus_recorded": _l("登记年度考核奖"), "bonus_corrected": _l("更正金额")}
VERDICT_LABELS = {
    pay.FINE: _l("高于县直机关"),
    pay.SHORTFALL: _l("未高于县直机关"),
    pay.NOT_COMPARABLE: _l("无可比人员"),
}


def _year_of(value):
    text = str(value or "").strip()
    if text.isdigit() and pay.MIN_YEAR <= int(text) <= pay.MAX_YEAR:
        return int(text)
    return None


def _selection(request):
    """The county (in the user's jurisdiction, else 404) and the year chosen: by default the
    first county and its latest year with records."""
    user = request.user
    counties = list(pay.counties_for(user).order_by("path"))
    county = None
    raw = request.GET.get("county", "")
    if str(raw).isdigit():
        county = get_object_or_404(pay.counties_for(user), pk=int(raw))
    elif counties:
        county = counties[0]
    years = pay.years_with_data(user, county) if county is not None else []
    year = _year_of(request.GET.get("year")) or (years[0] if years else forms.last_year())
    return counties, county, years, year


def _label(group_or_tilt):
    return VERDICT_LABELS[group_or_tilt.verdict]


@login_required
def tilt(request):
    """The F 18 check of a county and a year."""
    user = request.user
    if not can_read(user) and getattr(user, "cadre_id", None):
        return redirect("care:pay_records")
    require_read(user)
    counties, county, years, year = _selection(request)
    check = pay.tilt_check(user, county, year) if county is not None else None
    if check is not None:
        for group in check.groups:
            group.label = _label(group)
        check.hardship.label = _label(check.hardship)
    return render(
        request,
        "care/pay/tilt.html",
        {
            "tab": "pay",
            "counties": counties,
            "county": county,
            "years": years,
            "year": year,
            "check": check,
            "can_write": can_write(user),
        },
    )


def _side_cells(side):
    return [side.count, float(side.average) if side.average is not None else ""]


@login_required
def tilt_export(request):
    """The check as an Excel workbook: one line per post level and rank, and the hardship
    tilt."""
    user = request.user
    require_read(user)
    _counties, county, _years, year = _selection(request)
    require(county is not None, _("您的管辖范围内没有县（市、区）"))
    check = pay.tilt_check(user, county, year)
    header = [
        _("比较口径"),
        _("职务/职级"),
        _("乡镇机关人数"),
        _("乡镇机关平均（元）"),
        _("县直机关人数"),
        _("县直机关平均（元）"),
        _("差额（元）"),
        _("结论"),
    ]
    rows = []
    for title, groups in ((_("同职务"), check.by_post_level), (_("同职级"), check.by_rank)):
        for group in groups:
            difference = group.difference
            rows.append(
                [
                    title,
                    group.name,
                    *_side_cells(group.township),
                    *_side_cells(group.county),
                    float(difference) if difference is not None else "",
                    str(_label(group)),
                ]
            )
    tilt_ = check.hardship
    difference = tilt_.difference
    rows.append(
        [
            _("艰苦地区（乡镇机关内）"),
            _("艰苦地区 / 其他"),
            *_side_cells(tilt_.hardship),
            *_side_cells(tilt_.others),
            float(difference) if difference is not None else "",
            str(
                {
                    pay.FINE: _("高于其他乡镇机关"),
                    pay.SHORTFALL: _("未高于其他乡镇机关"),
                    pay.NOT_COMPARABLE: _("无可比人员"),
                }[tilt_.verdict]
            ),
        ]
    )
    title = _("%(county)s%(year)s年度考核奖倾斜情况") % {"county": county.name, "year": year}
    return xlsx_response(title, title, f"pay-tilt-{year}", header, rows, dated=True)


# --- records ------------------------------------------------------------------------------------


def _records(request):
    records = pay.bonus_list(request.user).select_related(
        "cadre", "unit", "county", "post_level", "rank"
    )
    filterset = AssessmentBonusFilterSet(request.GET or None, queryset=records)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else records
    return filterset, qs.order_by("-year", "cadre__name", "pk")


@login_required
def records(request):
    """The bonus records the user may read, filtered; a cadre user sees their own."""
    user = request.user
    own = not can_read(user)
    if own:
        require(getattr(user, "cadre_id", None), _("您的角色不能查看年度考核奖"))
    filterset, qs = _records(request)
    paginator = CappedPaginator(qs, PER_PAGE, count_queryset=qs.values("pk"))
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "care/pay/records.html",
        {
            "tab": "mine" if own else "pay",
            "own": own,
            "page": page,
            "filterset": filterset,
            "counties": [] if own else list(pay.counties_for(user).order_by("path")),
            "sides": pay.BonusSide.choices,
            "is_filtered": is_filtered(request),
            "can_write": can_write(user),
        },
    )


@login_required
def records_export(request):
    user = request.user
    require_read(user)
    _filterset, qs = _records(request)
    columns = [
        (_("年度"), lambda b: b.year),
        (_("姓名"), lambda b: b.cadre.name),
        (_("单位（登记时）"), lambda b: b.unit.name),
        (_("所在县"), lambda b: b.county.name if b.county_id else ""),
        (_("单位类别"), lambda b: str(b.get_side_display())),
        (_("艰苦地区"), lambda b: _("是") if b.hardship_area else ""),
        (_("职务层次"), lambda b: b.post_level.name if b.post_level_id else ""),
        (_("职级"), lambda b: b.rank.name if b.rank_id else ""),
        (_("金额（元）"), lambda b: float(b.amount)),
    ]
    return xlsx_response(
        _("年度考核奖"),
        _("年度考核奖"),
        "bonuses",
        columns,
        qs.iterator(chunk_size=2000),
        dated=True,
    )


# --- forms --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def record_form(request):
    """Record one cadre's bonus of a year."""
    user = request.user
    require_write(user)
    initial = {"cadre": request.GET.get("cadre")} if request.GET.get("cadre") else {}
    form = forms.BonusForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            bonus = pay.bonus_record(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已登记%(name)s %(year)s年度考核奖%(amount)s元（%(side)s）。")
                % {
                    "name": bonus.cadre.name,
                    "year": bonus.year,
                    "amount": bonus.amount,
                    "side": bonus.get_side_display(),
                },
            )
            return redirect("care:pay_detail", bonus.pk)
    return render(
        request,
        "care/leave/form.html",
        {
            "tab": "pay",
            "form": form,
            "title": _("登记年度考核奖"),
            "intro": _(
                "登记时自动记录干部当时的职务层次、职级和所在单位类别（乡镇机关或县直机关）；"
                "每名干部每年度一条，如需修改请更正金额。"
            ),
            "cancel_url": reverse("care:pay_tilt"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk):
    """One bonus record with its snapshot and log; the correction form for the writers."""
    user = request.user
    bonus = get_object_or_404(
        pay.bonus_list(user).select_related("cadre", "unit", "county", "post_level", "rank"),
        pk=pk,
    )
    writable = (
        can_write(user)
        and pay.AssessmentBonus.objects.restrict(user, "change").filter(pk=bonus.pk).exists()
    )
    form = forms.BonusCorrectForm(request.POST or None, initial={"amount": bonus.amount})
    if request.method == "POST":
        require_write(user)
        require(writable, _("此事项由组织部门办理"))
        if form.is_valid():
            try:
                pay.bonus_correct(actor=user, bonus=bonus, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已更正年度考核奖金额。"))
                return redirect("care:pay_detail", bonus.pk)
    lines = list(timeline(pay.LOG_SUBJECT, bonus))
    for line in lines:
        line.label = ACTION_LABELS.get(line.action, line.action)
    return render(
        request,
        "care/pay/detail.html",
        {
            "tab": "pay" if can_read(user) else "mine",
            "bonus": bonus,
            "form": form if writable else None,
            "lines": lines,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    """Upload an Excel file of bonuses: applied wholly or not at all, with every bad row."""
    user = request.user
    require_write(user)
    form = forms.BonusImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = pay.bonus_import(actor=user, content=form.cleaned_data["file"].read())
        if report.applied:
            messages.success(
                request,
                _(
                    "导入完成：共%(rows)s行，新增%(created)s条，更正%(corrected)s条，未变%(unchanged)s条。"
                )
                % {
                    "rows": report.rows,
                    "created": report.created,
                    "corrected": report.corrected,
                    "unchanged": report.unchanged,
                },
            )
            return redirect("care:pay_records")
    return render(
        request,
        "care/pay/import.html",
        {"tab": "pay", "form": form, "report": report},
        status=400 if (form.is_bound and form.errors) or (report and report.errors) else 200,
    )


@login_required
def import_template(request):
    require_write(request.user)
    return xlsx_response(
        _("年度考核奖"),
        _("年度考核奖导入模板.xlsx"),
        "bonus-template.xlsx",
        pay.TEMPLATE_HEADERS,
        [],
    )
