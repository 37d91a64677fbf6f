"""Pages of the ordinary assessment (平时考核, DOMAIN §2, X): a cadre's own records (this week's
record, the month's summary, the history and their quarterly reviews), the same page for the
staff looking at one cadre, a unit's completeness for a quarter (with who has not recorded this
week, and its Excel export), and the review of a monthly summary.

Reads go through `restrict(user)`: a cadre or unit outside the user's jurisdiction is not found
(404); a user who sees the cadre but may not write or review answers 403. Writes go through
`assessment.ordinary`, whose validation errors are shown on the fields they name."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cadre.models import Cadre
from cadre.pages import add_service_errors, xlsx_response
from cadre.pagination import CappedPaginator

from . import forms_ordinary as forms
from . import ordinary
from .models import READ_ROLES, MonthlySummary, QuarterlyReview, WeeklyRecord

WEEKS_PER_PAGE = 20
MONTHS_PER_PAGE = 12
TAB = "ordinary"


def _can_read_units(user):
    """Staff who look at a unit's records; a cadre looks at their own."""
    return user.is_superuser or bool(set(user.roles or []) & READ_ROLES)


def _visible_cadre(user, pk):
    cadres = Cadre.objects.restrict(user, "view").select_related("unit", "post_level")
    return get_object_or_404(cadres, pk=pk)


def _parse_date(value):
    try:
        return datetime.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def _parse_month(value):
    value = str(value or "")
    return _parse_date(value if len(value) > 7 else f"{value}-01")


# --- a cadre's records ------------------------------------------------------------------------


def _week_form(cadre, day):
    week = ordinary.monday_of(day)
    record = WeeklyRecord.objects.filter(cadre=cadre, week_start=week).first()
    initial = {"week_start": week}
    if record is not None:
        initial.update(work_done=record.work_done, next_plan=record.next_plan)
    return forms.WeeklyRecordForm(initial=initial, prefix="week")


def _month_form(cadre, day):
    month = day.replace(day=1)
    row = MonthlySummary.objects.filter(cadre=cadre, month=month).first()
    initial = {"month": month}
    if row is not None:
        initial["summary"] = row.summary
    return forms.MonthlySummaryForm(initial=initial, prefix="month"), row


def _records_context(request, cadre, *, week_form=None, month_form=None):
    user = request.user
    today = ordinary.today()
    week_day = _parse_date(request.GET.get("week")) or today
    month_day = _parse_month(request.GET.get("month")) or today
    can_write = ordinary.can_write_records(user, cadre)
    month_row = None
    if can_write:
        week_form = week_form or _week_form(cadre, min(week_day, today))
        if month_form is None:
            month_form, month_row = _month_form(cadre, min(month_day, today))
    weeks = (
        WeeklyRecord.objects.restrict(user)
        .filter(cadre=cadre)
        .select_related("recorded_by")
        .order_by("-week_start")
    )
    week_page = CappedPaginator(weeks, WEEKS_PER_PAGE).get_page(request.GET.get("page"))
    months = (
        MonthlySummary.objects.restrict(user)
        .filter(cadre=cadre)
        .select_related("recorded_by", "reviewed_by")
        .order_by("-month")
    )
    month_page = CappedPaginator(months, MONTHS_PER_PAGE).get_page(request.GET.get("mpage"))
    reviews = QuarterlyReview.objects.restrict(user).filter(cadre=cadre).select_related("unit")
    return {
        "tab": TAB,
        "cadre": cadre,
        "is_self": user.cadre_id == cadre.pk,
        "can_write": can_write,
        "can_review": ordinary.can_review(user, cadre),
        "can_read_units": _can_read_units(user),
        "week_form": week_form,
        "month_form": month_form,
        "month_reviewed": bool(month_row and month_row.review),
        "this_monday": ordinary.monday_of(today),
        "week_page": week_page,
        "month_page": month_page,
        "reviews": list(reviews),
    }


def _render_records(request, cadre, status=200, **forms_given):
    context = _records_context(request, cadre, **forms_given)
    return render(request, "assessment/ordinary/records.html", context, status=status)


@login_required
def mine(request):
    """The signed-in cadre's own records."""
    user = request.user
    cadre = None
    if user.cadre_id:
        cadre = (
            Cadre.objects.restrict(user, "view")
            .select_related("unit", "post_level")
            .filter(pk=user.cadre_id)
            .first()
        )
    if cadre is None:
        context = {"tab": TAB, "can_read_units": _can_read_units(user)}
        return render(request, "assessment/ordinary/no_cadre.html", context)
    return _render_records(request, cadre)


@login_required
def cadre_records(request, pk):
    cadre = _visible_cadre(request.user, pk)
    return _render_records(request, cadre)


def _back_to_records(request, cadre):
    if request.user.cadre_id == cadre.pk:
        return redirect("assessment:ordinary_mine")
    return redirect("assessment:ordinary_cadre", cadre.pk)


@login_required
@require_POST
def week_save(request, pk):
    cadre = _visible_cadre(request.user, pk)
    if not ordinary.can_write_records(request.user, cadre):
        raise PermissionDenied(_("只有干部本人、所在单位领导或组织部门可以填写平时考核纪实"))
    form = forms.WeeklyRecordForm(request.POST, prefix="week")
    if form.is_valid():
        try:
            record = ordinary.weekly_record_save(
                actor=request.user, cadre=cadre, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已保存%(week)s这一周的纪实。") % {"week": f"{record.week_start:%Y-%m-%d}"},
            )
            return _back_to_records(request, cadre)
    return _render_records(request, cadre, status=400, week_form=form)


@login_required
@require_POST
def month_save(request, pk):
    cadre = _visible_cadre(request.user, pk)
    if not ordinary.can_write_records(request.user, cadre):
        raise PermissionDenied(_("只有干部本人、所在单位领导或组织部门可以填写平时考核纪实"))
    form = forms.MonthlySummaryForm(request.POST, prefix="month")
    if form.is_valid():
        try:
            row = ordinary.monthly_summary_save(
                actor=request.user, cadre=cadre, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("已保存%(month)s的月度小结。") % {"month": f"{row.month:%Y-%m}"}
            )
            return _back_to_records(request, cadre)
    return _render_records(request, cadre, status=400, month_form=form)


# --- review -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """The unit leader's or the organisation department's comment on a monthly summary."""
    user = request.user
    summaries = MonthlySummary.objects.restrict(user).select_related(
        "cadre__unit", "recorded_by", "reviewed_by"
    )
    summary = get_object_or_404(summaries, pk=pk)
    if not ordinary.can_review(user, summary.cadre):
        raise PermissionDenied(_("月度小结由所在单位领导或组织部门审阅，本人不能审阅"))
    form = forms.ReviewForm(request.POST or None, initial={"review": summary.review})
    if request.method == "POST" and form.is_valid():
        try:
            ordinary.monthly_summary_review(
                actor=user, summary=summary, review=form.cleaned_data["review"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存审阅意见。"))
            return redirect("assessment:ordinary_cadre", summary.cadre_id)
    status = 400 if form.is_bound and form.errors else 200
    context = {"tab": TAB, "summary": summary, "cadre": summary.cadre, "form": form}
    return render(request, "assessment/ordinary/review.html", context, status=status)


# --- a unit's completeness --------------------------------------------------------------------


def _unit_form(request):
    """The unit and quarter asked for; a unit outside the user's jurisdiction is not found."""
    user = request.user
    # A user without a unit of their own (a system administrator) first picks one.
    data = request.GET if request.GET.get("unit") or user.unit_id else None
    form = forms.UnitQuarterForm(data, user=user)
    if not form.is_valid() and "unit" in form.errors and str(form.data.get("unit")).isdigit():
        raise Http404
    return form


def _completeness(request, form):
    data = form.cleaned_data
    rows = ordinary.record_completeness(
        data["unit"], data["year"], data["quarter"], user=request.user
    )
    return data, rows


@login_required
def unit_view(request):
    """A unit's weekly records and monthly summaries for a quarter, per serving cadre."""
    user = request.user
    if not _can_read_units(user):
        return redirect("assessment:ordinary_mine")
    form = _unit_form(request)
    context = {"tab": TAB, "form": form, "rows": None, "has_cadre": bool(user.cadre_id)}
    if form.is_bound and form.is_valid():
        data, rows = _completeness(request, form)
        context.update(
            unit=data["unit"],
            year=data["year"],
            quarter=data["quarter"],
            rows=rows,
            missing=[row["cadre"] for row in rows if not row["recorded_this_week"]],
            this_monday=ordinary.monday_of(ordinary.today()),
            weeks_due=rows[0]["weeks_due"] if rows else None,
            months_due=rows[0]["months_due"] if rows else None,
        )
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "assessment/ordinary/unit.html", context, status=status)


@login_required
def unit_export(request):
    """The completeness table as an Excel workbook."""
    user = request.user
    if not _can_read_units(user):
        raise PermissionDenied(_("您的角色不能查看单位的平时考核情况"))
    form = _unit_form(request)
    if not form.is_bound or not form.is_valid():
        return redirect("assessment:ordinary")
    data, rows = _completeness(request, form)
    label = f"{data['year']}Q{data['quarter']}"
    return xlsx_response(
        _("平时考核纪实情况"),
        _("平时考核-%(unit)s-%(quarter)s.xlsx") % {"unit": data["unit"].name, "quarter": label},
        f"ordinary-{data['unit'].pk}-{label}.xlsx",
        [
            _("姓名"),
            _("现任职务"),
            _("纪实周数"),
            _("应纪实周数"),
            _("纪实完成率（%）"),
            _("小结月数"),
            _("应小结月数"),
            _("本周已纪实"),
        ],
        (
            [
                row["cadre"].name,
                row["cadre"].post,
                row["weeks"],
                row["weeks_due"],
                row["percent"] if row["percent"] is not None else "",
                row["months"],
                row["months_due"],
                _("是") if row["recorded_this_week"] else _("否"),
            ]
            for row in rows
        ),
    )
