"""Staff pages of the annual assessment (年度考核, DOMAIN §2; F 5, F 7): the cycles, a cycle with
its assessed units and their 优秀 quota, the grading grid of one unit, a cadre's assessment
history and the cadre's own fed-back results.

Reads go through `restrict(user)`, so a cycle, unit or cadre outside the user's jurisdiction is
not found (404); a role that may only read answers 403 to a write. Writes go through
`services`: their validation errors are shown on the field or row they name, with what the user
typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cadre.models import Cadre, Unit
from cadre.pages import add_service_errors, require, xlsx_response
from cadre.pagination import CappedPaginator

from . import forms, services
from .choices import CycleStatus, Grade
from .models import READ_ROLES, WRITE_ROLES, AnnualGrade, AssessmentCycle, TeamAssessment, UnitQuota

CYCLES_PER_PAGE = 30
UNITS_PER_PAGE = 50


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def _can_read(user):
    """Staff who read the assessment files; a cadre reads only their own results."""
    return user.is_superuser or bool(_roles(user) & READ_ROLES)


def _can_write(user):
    return user.is_superuser or bool(_roles(user) & WRITE_ROLES)


def _require_read(user):
    require(_can_read(user), _("您的角色不能查看年度考核"))


def _require_write(user):
    require(_can_write(user), _("年度考核由组织部门办理"))


def _error_messages(error: ValidationError):
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def _cycle_queryset(user):
    return AssessmentCycle.objects.restrict(user).select_related(
        "unit__manages_up_to", "quota_list"
    )


def _get_cycle(request, pk):
    """The cycle as a staff reader sees it: out of jurisdiction → 404, not a reader → 403."""
    cycle = get_object_or_404(_cycle_queryset(request.user), pk=pk)
    _require_read(request.user)
    return cycle


# --- cycles ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    """The annual assessment cycles the user may see, newest first, with their counts; the
    organisation department opens a cycle here."""
    user = request.user
    if not _can_read(user):
        return redirect("assessment:my_results")
    can_write = _can_write(user)
    form = None
    if can_write:
        form = forms.CycleOpenForm(request.POST or None, user=user)
        if request.method == "POST" and form.is_valid():
            try:
                cycle = services.cycle_open(actor=user, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已建立“%(title)s”。") % {"title": cycle.title})
                return redirect("assessment:cycle_detail", cycle.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("年度考核由组织部门办理"))
    cycles = _cycle_queryset(user).order_by("-year", "unit__path", "-pk")
    annotated = cycles.annotate(
        graded=Count("grades"),
        excellent=Count("grades", filter=Q(grades__grade=Grade.EXCELLENT)),
    )
    paginator = CappedPaginator(annotated, CYCLES_PER_PAGE, count_queryset=cycles)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/cycle_list.html",
        {"tab": "cycles", "page": page, "form": form, "can_write": can_write},
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _count_subquery(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("unit_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _assessed_units(cycle):
    """The units of the organising unit's subtree that have serving cadres or grades in the
    cycle, with their counts, in one statement."""
    grades = AnnualGrade.objects.filter(cycle=cycle, unit=OuterRef("pk"))
    return (
        Unit.objects.subtree(cycle.unit)
        .annotate(
            serving=_count_subquery(services.assessed_cadres(cycle, OuterRef("pk"))),
            graded=_count_subquery(grades),
            excellent=_count_subquery(grades.filter(grade=Grade.EXCELLENT)),
        )
        .filter(Q(serving__gt=0) | Q(graded__gt=0))
        .order_by("path")
    )


def _ratios(cycle):
    """(base, raised) ratio and rounding of the cycle's quota list version: one query."""
    prefetch_related_objects([cycle], "quota_list__items")
    return {False: services.quota_ratio(cycle, False), True: services.quota_ratio(cycle, True)}


def _quota_row(unit, quota, ratios):
    """The same numbers as `services.quota_status`, from the counts the unit list annotated
    (calling the service per unit would cost three queries a row)."""
    raised = bool(quota and quota.raised)
    ratio, rounding = ratios[raised]
    participants = max(unit.serving, unit.graded)
    cap = services.quota_cap(participants, ratio, rounding)
    return {
        "unit": unit,
        "raised": raised,
        "raised_reason": quota.raised_reason if quota else "",
        "ratio": ratio,
        "ratio_percent": (ratio * 100).normalize(),
        "participants": participants,
        "graded": unit.graded,
        "cap": cap,
        "excellent": unit.excellent,
        "remaining": cap - unit.excellent,
        "over": unit.excellent > cap,
    }


def _cycle_context(request, cycle, *, bound=None):
    """Everything the cycle page shows. `bound` maps "quota-<unit id>" or "team-<unit id>" to
    the bound form that failed, shown again with its errors."""
    user = request.user
    bound = bound or {}
    units = _assessed_units(cycle)
    paginator = CappedPaginator(units, UNITS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page_units = list(page.object_list)
    ids = [u.pk for u in page_units]
    quotas = {q.unit_id: q for q in UnitQuota.objects.filter(cycle=cycle, unit_id__in=ids)}
    teams = {t.unit_id: t for t in TeamAssessment.objects.filter(cycle=cycle, unit_id__in=ids)}
    ratios = _ratios(cycle)
    editable = _can_write(user) and cycle.status == CycleStatus.OPEN
    rows = []
    for unit in page_units:
        row = _quota_row(unit, quotas.get(unit.pk), ratios)
        team = teams.get(unit.pk)
        row["team"] = team
        if editable:
            row["quota_form"] = bound.get(f"quota-{unit.pk}") or forms.UnitQuotaForm(
                initial={"raised": row["raised"], "raised_reason": row["raised_reason"]},
                prefix=f"q{unit.pk}",
            )
            row["team_form"] = bound.get(f"team-{unit.pk}") or forms.TeamGradeForm(
                initial={
                    "grade": team.grade if team else "",
                    "responsibility": team.responsibility if team else "",
                    "comments": team.comments if team else "",
                },
                prefix=f"t{unit.pk}",
            )
            row["open_details"] = bool(f"quota-{unit.pk}" in bound or f"team-{unit.pk}" in bound)
        rows.append(row)
    return {
        "tab": "cycles",
        "cycle": cycle,
        "page": page,
        "rows": rows,
        "editable": editable,
        "can_close": _can_write(user) and cycle.status == CycleStatus.OPEN,
        "can_feed_back": _can_write(user) and cycle.status == CycleStatus.CLOSED,
        "base_percent": (ratios[False][0] * 100).normalize(),
        "raised_percent": (ratios[True][0] * 100).normalize(),
    }


@login_required
def cycle_detail(request, pk):
    cycle = _get_cycle(request, pk)
    return render(request, "assessment/cycle_detail.html", _cycle_context(request, cycle))


def _scoped_unit(request, cycle, unit_pk):
    """A unit of the cycle's subtree that the user may see, or 404."""
    units = Unit.objects.restrict(request.user).subtree(cycle.unit)
    return get_object_or_404(units, pk=unit_pk)


def _cycle_write(request, pk):
    """The cycle a write is posted to: not found out of jurisdiction, 403 for a reader."""
    cycle = get_object_or_404(_cycle_queryset(request.user), pk=pk)
    _require_write(request.user)
    return cycle


@login_required
@require_POST
def cycle_quota(request, pk, unit_pk):
    """Give a unit the raised ratio (or take it back), with the reason."""
    cycle = _cycle_write(request, pk)
    unit = _scoped_unit(request, cycle, unit_pk)
    form = forms.UnitQuotaForm(request.POST, prefix=f"q{unit.pk}")
    if form.is_valid():
        try:
            services.unit_quota_set(
                actor=request.user,
                cycle=cycle,
                unit=unit,
                raised=form.cleaned_data["raised"],
                reason=form.cleaned_data["raised_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已更新%(unit)s的优秀等次比例。") % {"unit": unit.name})
            return redirect("assessment:cycle_detail", cycle.pk)
    context = _cycle_context(request, cycle, bound={f"quota-{unit.pk}": form})
    return render(request, "assessment/cycle_detail.html", context, status=400)


@login_required
@require_POST
def cycle_team(request, pk, unit_pk):
    """The unit's leadership team grade (领导班子年度考核等次)."""
    cycle = _cycle_write(request, pk)
    unit = _scoped_unit(request, cycle, unit_pk)
    form = forms.TeamGradeForm(request.POST, prefix=f"t{unit.pk}")
    if form.is_valid():
        try:
            services.team_grade_save(
                actor=request.user, cycle=cycle, unit=unit, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存%(unit)s领导班子等次。") % {"unit": unit.name})
            return redirect("assessment:cycle_detail", cycle.pk)
    context = _cycle_context(request, cycle, bound={f"team-{unit.pk}": form})
    return render(request, "assessment/cycle_detail.html", context, status=400)


def _cycle_action(request, pk, action, done):
    cycle = _cycle_write(request, pk)
    try:
        action(actor=request.user, cycle=cycle)
    except ValidationError as error:
        for errors in _error_messages(error).values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("assessment:cycle_detail", cycle.pk)


@login_required
@require_POST
def cycle_close(request, pk):
    """确定等次: the grades are fixed and go into the cadres' performance records."""
    return _cycle_action(request, pk, services.cycle_close, _("已确定等次。"))


@login_required
@require_POST
def cycle_feed_back(request, pk):
    """反馈结果: each graded cadre can read their grade."""
    return _cycle_action(request, pk, services.cycle_feed_back, _("已向干部反馈考核结果。"))


@login_required
def cycle_export(request, pk):
    """All grades of the cycle as an Excel workbook."""
    user = request.user
    cycle = _get_cycle(request, pk)
    grades = (
        AnnualGrade.objects.restrict(user)
        .filter(cycle=cycle, cadre__in=Cadre.objects.restrict(user))
        .select_related("cadre", "unit")
        .order_by("unit__path", "cadre__name", "pk")
    )
    return xlsx_response(
        _("年度考核等次"),
        _("%(title)s-等次.xlsx") % {"title": cycle.title},
        f"assessment-{cycle.year}-{cycle.pk}.xlsx",
        [_("姓名"), _("考核所在单位"), _("现任职务"), _("考核等次"), _("担当作为情况"), _("评语")],
        (
            [
                grade.cadre.name,
                grade.unit.name,
                grade.cadre.post,
                str(grade.get_grade_display()),
                grade.responsibility,
                grade.comments,
            ]
            for grade in grades.iterator(chunk_size=1000)
        ),
    )


# --- grading grid ----------------------------------------------------------------------------


def _grid_cadres(user, cycle, unit):
    """The rows of the grid: the unit's serving cadres that the cycle assesses (the organising
    unit's management authority) and the user may see."""
    return list(
        services.assessed_cadres(cycle, unit)
        .restrict(user)
        .only("id", "name", "post", "unit_id")
        .order_by("name", "id")
    )


def _grid_context(request, cycle, unit, *, posted=None, errors=None):
    """The grid of one unit: a row per serving cadre with the saved grade, or what the user
    posted when the save was refused, and the errors by row."""
    user = request.user
    errors = errors or {}
    cadres = _grid_cadres(user, cycle, unit)
    ids = [c.pk for c in cadres]
    saved = {g.cadre_id: g for g in AnnualGrade.objects.filter(cycle=cycle, cadre_id__in=ids)}
    status = services.quota_status(cycle, unit)
    editable = _can_write(user) and cycle.status == CycleStatus.OPEN
    blockers = services.excellence_blockers(cycle, ids) if editable and ids else {}
    if posted is not None:
        rows, _to_save = forms.grid_rows_from_post(posted, cadres, saved)
    else:
        rows = [
            forms.GridRow(
                cadre,
                grade=saved[cadre.pk].grade if cadre.pk in saved else "",
                responsibility=saved[cadre.pk].responsibility if cadre.pk in saved else "",
                comments=saved[cadre.pk].comments if cadre.pk in saved else "",
            )
            for cadre in cadres
        ]
    for row in rows:
        messages_ = errors.get(str(row.cadre.pk))
        row.error = messages_[0] if messages_ else None
        row.blocked = blockers.get(row.cadre.pk, [])
        row.saved = saved.get(row.cadre.pk)
    # 优秀 given in the unit outside the rows of the grid (a cadre graded here who has since
    # left): the indicator counts them too.
    outside = status["excellent"] - sum(
        1 for g in saved.values() if g.unit_id == unit.pk and g.grade == Grade.EXCELLENT
    )
    shown = outside + sum(1 for row in rows if row.is_excellent)
    return {
        "tab": "cycles",
        "cycle": cycle,
        "unit": unit,
        "rows": rows,
        "status": status,
        "ratio_percent": (status["ratio"] * 100).normalize(),
        "outside_excellent": outside,
        "shown_excellent": shown,
        "over": shown > status["cap"],
        "editable": editable,
        "grades": Grade.choices,
        "excellent_value": Grade.EXCELLENT.value,
        "top_errors": [
            message
            for key, messages_ in errors.items()
            if not key.isdigit()
            for message in messages_
        ],
        "has_row_errors": any(key.isdigit() for key in errors),
    }


@login_required
@require_http_methods(["GET", "POST"])
def unit_grid(request, pk, unit_pk):
    """Grade the cadres of one unit in one save: all rows are saved or none."""
    user = request.user
    cycle = _get_cycle(request, pk)
    unit = _scoped_unit(request, cycle, unit_pk)
    if request.method == "POST":
        _require_write(user)
        cadres = _grid_cadres(user, cycle, unit)
        saved = set(
            AnnualGrade.objects.filter(
                cycle=cycle, cadre_id__in=[c.pk for c in cadres]
            ).values_list("cadre_id", flat=True)
        )
        _rows, to_save = forms.grid_rows_from_post(request.POST, cadres, saved)
        try:
            if not to_save:
                raise ValidationError({"__all__": _("请至少评定一名干部的等次")})
            services.annual_grades_save(actor=user, cycle=cycle, unit=unit, rows=to_save)
        except ValidationError as error:
            context = _grid_context(
                request, cycle, unit, posted=request.POST, errors=_error_messages(error)
            )
            return render(request, "assessment/unit_grid.html", context, status=400)
        messages.success(
            request,
            _("已保存%(unit)s %(n)s名干部的年度考核等次。")
            % {"unit": unit.name, "n": len(to_save)},
        )
        return redirect("assessment:unit_grid", cycle.pk, unit.pk)
    return render(request, "assessment/unit_grid.html", _grid_context(request, cycle, unit))


# --- a cadre's history, one's own results ------------------------------------------------------


@login_required
def cadre_history(request, pk):
    """A cadre's annual grades by year, with the 担当作为 section."""
    user = request.user
    cadre = get_object_or_404(Cadre.objects.restrict(user).select_related("unit"), pk=pk)
    grades = (
        AnnualGrade.objects.restrict(user)
        .filter(cadre=cadre)
        .select_related("cycle", "unit")
        .order_by("-cycle__year", "-pk")
    )
    return render(
        request,
        "assessment/cadre_history.html",
        {"tab": "cycles" if _can_read(user) else "mine", "cadre": cadre, "grades": list(grades)},
    )


@login_required
def my_results(request):
    """The cadre's own grades, once the organisation department fed them back (F 7)."""
    user = request.user
    grades = []
    if user.cadre_id:
        grades = list(
            AnnualGrade.objects.restrict(user)
            .filter(cadre_id=user.cadre_id, cycle__status=CycleStatus.FED_BACK)
            .select_related("cycle", "unit")
            .order_by("-cycle__year", "-pk")
        )
    return render(
        request,
        "assessment/my_results.html",
        {"tab": "mine", "grades": grades, "has_cadre": bool(user.cadre_id)},
    )


__all__ = [
    "cadre_history",
    "cycle_close",
    "cycle_detail",
    "cycle_export",
    "cycle_feed_back",
    "cycle_quota",
    "cycle_team",
    "index",
    "my_results",
    "unit_grid",
]
