"""Pages of the rankings, the consequences, the three links and the quarterly review (DOMAIN §2;
ZJK 14; X): the ranking groups and their members; a group's quarterly ranking (top-N and
bottom-N marked, the change since last quarter, a bar chart drawn on the server, the most
improved, Excel); the single-item champions; the consequences with their filters and Excel; the
links of leaders to units; the quarterly review's runs with their live progress, and per team
the comprehensive analysis report (综合研判报告).

Reads go through `restrict(user)`: an object outside the jurisdiction is not found (404); a
role that may not act answers 403. Writes go through `assessment.rankings` and
`assessment.quarterly`, whose validation errors are shown on the fields they name."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cadre.models import Unit
from cadre.pages import add_service_errors, require, unit_options, xlsx_response
from cadre.pagination import CappedPaginator
from tolerance.documents import docx_response

from . import filtersets, rankings
from . import forms_rankings as forms
from .choices import RankingKind, RunStatus
from .documents import team_analysis_report
from .models import QuarterlyRun
from .quarterly import last_complete_quarter, quarterly_run_start

TAB = "rankings"
GROUPS_PER_PAGE = 50
CONSEQUENCES_PER_PAGE = 50
LINKS_PER_PAGE = 50
RUNS_SHOWN = 20
TEAMS_PER_PAGE = 50
EXPORT_CHUNK = 2000
# The bar chart of a ranking (SVG drawn here: no script, no external library).
CHART_LABEL_WIDTH = 170
CHART_BAR_WIDTH = 420
CHART_ROW_HEIGHT = 22


def _require_read(user):
    require(rankings.can_read_rankings(user), _("您的角色不能查看考核排名"))


def _require_manage(user, message=None):
    require(rankings.can_manage_rankings(user), message or _("排名组由组织部门设置"))


def _common(request, page_name, **extra):
    return {
        "tab": TAB,
        "page_name": page_name,
        "can_manage": rankings.can_manage_rankings(request.user),
        **extra,
    }


def _chosen_unit(request, name="unit"):
    """The unit of the query string (in the jurisdiction, else 404), or the user's own."""
    value = request.GET.get(name, "")
    units = Unit.objects.restrict(request.user)
    if str(value).isdigit():
        return get_object_or_404(units, pk=int(value))
    if request.user.unit_id:
        return units.filter(pk=request.user.unit_id).first()
    return units.order_by("depth", "path").first()


# --- ranking groups ---------------------------------------------------------------------------


@login_required
def groups(request):
    """The ranking groups organised inside the user's jurisdiction (the rankings' front page)."""
    user = request.user
    _require_read(user)
    rows = (
        rankings.ranking_groups(user)
        .annotate(
            cadre_count=Count("cadres", distinct=True), unit_count=Count("units", distinct=True)
        )
        .order_by("unit__path", "name", "pk")
    )
    paginator = CappedPaginator(rows, GROUPS_PER_PAGE, count_queryset=rankings.ranking_groups(user))
    page = paginator.get_page(request.GET.get("page"))
    year, quarter = last_complete_quarter()
    return render(
        request,
        "assessment/rankings/groups.html",
        _common(request, "groups", page=page, year=year, quarter=quarter),
    )


def _group_form_page(request, form, group=None):
    return render(
        request,
        "assessment/rankings/group_form.html",
        _common(
            request,
            "groups",
            form=form,
            group=group,
            title=_("修改排名组") if group else _("新建排名组"),
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    user = request.user
    _require_manage(user)
    initial = {"unit": user.unit_id} if user.unit_id else {}
    form = forms.RankingGroupForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            group = rankings.ranking_group_save(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("已新建排名组“%(name)s”，请设置参加排名的成员。") % {"name": group.name}
            )
            return redirect("assessment:rankings_members", pk=group.pk)
    return _group_form_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk):
    user = request.user
    group = get_object_or_404(rankings.ranking_groups(user), pk=pk)
    _require_manage(user)
    initial = {
        "unit": group.unit_id,
        "name": group.name,
        "kind": group.kind,
        "top_n": group.top_n,
        "bottom_n": group.bottom_n,
    }
    form = forms.RankingGroupForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rankings.ranking_group_save(actor=user, group=group, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("已保存排名组“%(name)s”。") % {"name": form.cleaned_data["name"]}
            )
            return redirect("assessment:rankings_group", pk=group.pk)
    return _group_form_page(request, form, group)


@login_required
@require_http_methods(["GET", "POST"])
def group_members(request, pk):
    """Who is ranked in the group: cadres (with a search box) or the units below its unit."""
    user = request.user
    group = get_object_or_404(rankings.ranking_groups(user), pk=pk)
    _require_manage(user)
    search = (request.GET.get("cadre_q") or "").strip()
    data = request.POST if request.method == "POST" else None
    if group.kind == RankingKind.CADRE:
        initial = {"cadres": list(group.cadres.values_list("pk", flat=True))}
        form = forms.CadreMembersForm(data, user=user, group=group, search=search, initial=initial)
    else:
        initial = {"units": list(group.units.values_list("pk", flat=True))}
        form = forms.UnitMembersForm(data, user=user, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rankings.ranking_group_members_set(actor=user, group=group, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存“%(name)s”的排名成员。") % {"name": group.name})
            return redirect("assessment:rankings_group", pk=group.pk)
    members = (
        group.cadres.select_related("unit").order_by("unit__path", "name")
        if group.kind == RankingKind.CADRE
        else group.units.order_by("path")
    )
    return render(
        request,
        "assessment/rankings/members.html",
        _common(request, "groups", form=form, group=group, members=members, search=search),
        status=400 if form.is_bound and form.errors else 200,
    )


# --- a group's ranking ------------------------------------------------------------------------


def _change(entry):
    """(arrow, places, css class) of the change since the last quarter."""
    if entry.previous_rank is None:
        return "", None, "new"
    climbed = entry.previous_rank - entry.rank
    if climbed > 0:
        return "↑", climbed, "up"
    if climbed < 0:
        return "↓", -climbed, "down"
    return "→", 0, "same"


def _subject(entry):
    if entry.cadre_id:
        return entry.cadre.name, f"{entry.cadre.unit.name} {entry.cadre.post}"
    return entry.unit.name, ""


def _rows(entries):
    rows = []
    for entry in entries:
        arrow, places, css = _change(entry)
        name, detail = _subject(entry)
        rows.append(
            {
                "entry": entry,
                "name": name,
                "detail": detail,
                "arrow": arrow,
                "places": places,
                "change": css,
            }
        )
    return rows


def _chart(rows):
    """Bars of the scores, the longest for the highest score (0 for negative scores)."""
    if not rows:
        return None
    top = max((r["entry"].score for r in rows), default=Decimal(0))
    bars = []
    for index, row in enumerate(rows):
        score = row["entry"].score
        width = 0 if top <= 0 or score <= 0 else float(score / top) * CHART_BAR_WIDTH
        bars.append(
            {
                "y": index * CHART_ROW_HEIGHT,
                "text_y": index * CHART_ROW_HEIGHT + 15,
                "width": round(width, 1),
                "value_x": round(CHART_LABEL_WIDTH + width + 6, 1),
                "label": f"{row['entry'].rank}. {row['name']}",
                "score": score,
                "css": "top" if row["entry"].is_top else "bottom" if row["entry"].is_bottom else "",
            }
        )
    return {
        "bars": bars,
        "label_width": CHART_LABEL_WIDTH,
        "label_x": CHART_LABEL_WIDTH - 6,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 70,
        "height": len(bars) * CHART_ROW_HEIGHT + 4,
    }


def _group_period(request, group):
    """The quarter asked for, else the latest the group was ranked in, else the last one."""
    quarters = rankings.ranking_quarters(group)
    default = quarters[0] if quarters else last_complete_quarter()
    form = forms.PeriodForm.from_get(request.GET, default)
    return form, form.period(default), quarters


@login_required
def group_ranking(request, pk):
    user = request.user
    _require_read(user)
    group = get_object_or_404(rankings.ranking_groups(user), pk=pk)
    form, (year, quarter), quarters = _group_period(request, group)
    rows = _rows(rankings.ranking(group, year, quarter))
    improved = _rows(rankings.most_improved(group, year, quarter))
    return render(
        request,
        "assessment/rankings/ranking.html",
        _common(
            request,
            "groups",
            group=group,
            form=form,
            year=year,
            quarter=quarter,
            quarters=quarters,
            rows=rows,
            chart=_chart(rows),
            improved=improved,
        ),
    )


@login_required
def group_export(request, pk):
    user = request.user
    _require_read(user)
    group = get_object_or_404(rankings.ranking_groups(user), pk=pk)
    _form, (year, quarter), _quarters = _group_period(request, group)
    header = [
        _("名次"),
        _("名称"),
        _("单位及职务"),
        _("得分"),
        _("上季度名次"),
        _("名次变化"),
        _("标记"),
    ]

    def lines():
        for row in _rows(rankings.ranking(group, year, quarter)):
            entry = row["entry"]
            mark = _("前%(n)s名") % {"n": group.top_n} if entry.is_top else ""
            if entry.is_bottom:
                mark = _("后%(n)s名") % {"n": group.bottom_n}
            change = f"{row['arrow']}{row['places']}" if row["places"] else row["arrow"]
            yield [
                entry.rank,
                row["name"],
                row["detail"],
                float(entry.score),
                entry.previous_rank or "",
                change,
                mark,
            ]

    name = _("%(group)s-%(year)s年第%(q)s季度排名.xlsx") % {
        "group": group.name,
        "year": year,
        "q": quarter,
    }
    return xlsx_response(
        _("排名"), name, f"ranking-{group.pk}-{year}q{quarter}.xlsx", header, lines()
    )


# --- single-item champions --------------------------------------------------------------------


@login_required
def champions(request):
    """单项冠军: per points item, the unit(s) below the chosen unit with the most points."""
    user = request.user
    _require_read(user)
    unit = _chosen_unit(request)
    form = forms.PeriodForm.from_get(request.GET)
    year, quarter = form.period()
    found = rankings.single_item_champions(unit, year, quarter) if unit else []
    return render(
        request,
        "assessment/rankings/champions.html",
        _common(
            request,
            "champions",
            unit=unit,
            form=form,
            year=year,
            quarter=quarter,
            champions=found,
            unit_options=unit_options(user, unit.pk if unit else ""),
        ),
    )


# --- consequences -----------------------------------------------------------------------------


def _consequences(request):
    filterset = filtersets.ConsequenceFilterSet(
        request.GET, queryset=rankings.consequences_for(request.user)
    )
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset.none()


@login_required
def consequences(request):
    user = request.user
    _require_read(user)
    filterset, rows = _consequences(request)
    paginator = CappedPaginator(rows, CONSEQUENCES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/rankings/consequences.html",
        _common(
            request,
            "consequences",
            page=page,
            form=filterset.form,
            unit_options=unit_options(user, filterset.data.get("unit", "")),
            is_filtered=any(v for k, v in request.GET.items() if k != "page"),
        ),
    )


@login_required
def consequences_export(request):
    user = request.user
    _require_read(user)
    _filterset, rows = _consequences(request)
    header = [
        _("姓名"),
        _("单位"),
        _("年度"),
        _("季度"),
        _("原因"),
        _("第几次"),
        _("处理措施"),
        _("情况说明"),
        _("产生时间"),
    ]

    def lines():
        for c in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield [
                c.cadre.name,
                c.cadre.unit.name,
                c.year,
                c.quarter or "",
                c.get_cause_display(),
                c.occurrence,
                c.get_kind_display(),
                c.detail,
                timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
            ]

    day = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        _("考核结果运用"),
        _("考核结果运用-%(day)s.xlsx") % {"day": day},
        f"consequences-{day}.xlsx",
        header,
        lines(),
    )


# --- the three links --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def links(request):
    """The leaders tied to the units of the chosen subtree; the organisation department adds
    and removes links here."""
    user = request.user
    _require_read(user)
    unit = _chosen_unit(request)
    form = None
    if rankings.can_manage_rankings(user):
        search = (request.GET.get("cadre_q") or "").strip()
        initial = {"unit": unit.pk} if unit else {}
        form = forms.SupervisionLinkForm(
            request.POST if request.method == "POST" else None,
            user=user,
            search=search,
            initial=initial,
        )
    elif request.method == "POST":
        raise PermissionDenied(_("考核挂钩关系由组织部门设置"))
    if request.method == "POST" and form.is_valid():
        try:
            link = rankings.supervision_link_save(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已将%(cadre)s挂钩%(unit)s（%(kind)s）。")
                % {
                    "cadre": link.cadre.name,
                    "unit": link.unit.name,
                    "kind": link.get_kind_display(),
                },
            )
            return redirect(f"{request.path}?unit={link.unit_id}")
    rows = rankings.supervision_links(user)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    paginator = CappedPaginator(rows, LINKS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    year, quarter = last_complete_quarter()
    return render(
        request,
        "assessment/rankings/links.html",
        _common(
            request,
            "links",
            page=page,
            unit=unit,
            form=form,
            year=year,
            quarter=quarter,
            unit_options=unit_options(user, unit.pk if unit else ""),
        ),
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def link_delete(request, pk):
    user = request.user
    link = get_object_or_404(rankings.supervision_links(user), pk=pk)
    _require_manage(user, _("考核挂钩关系由组织部门设置"))
    rankings.supervision_link_delete(actor=user, link=link)
    messages.success(
        request,
        _("已解除%(cadre)s与%(unit)s的挂钩关系。")
        % {"cadre": link.cadre.name, "unit": link.unit.name},
    )
    return redirect(f"{reverse('assessment:rankings_links')}?unit={link.unit_id}")


# --- the quarterly review ---------------------------------------------------------------------


def _step_labels():
    return {
        "unit_scores": _("单位季度得分"),
        "reviews": _("干部季度总评"),
        "rankings": _("综合评价排名"),
        "consequences": _("考核结果运用"),
        "performance": _("记入实绩档案"),
    }


def run_payload(run: QuarterlyRun) -> dict:
    """What the progress poller shows of a run."""
    labels = _step_labels()
    counts = [
        {"label": str(labels.get(code, code)), "rows": (value or {}).get("rows", 0)}
        for code, value in (run.counts or {}).items()
        if isinstance(value, dict)
    ]
    return {
        "id": run.pk,
        "year": run.year,
        "quarter": run.quarter,
        "status": run.status,
        "status_display": run.get_status_display(),
        "step": run.step,
        "percent": run.percent,
        "counts": counts,
        "running": run.status == RunStatus.RUNNING,
        "error": bool(run.error),
        "finished_at": (
            timezone.localtime(run.finished_at).strftime("%Y-%m-%d %H:%M:%S")
            if run.finished_at
            else ""
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def quarterly(request):
    """Start the quarterly review of a quarter and follow its runs; per team of the chosen unit,
    the comprehensive analysis report of the quarter."""
    user = request.user
    _require_manage(user, _("季度总评由组织部门启动"))
    year, quarter = last_complete_quarter()
    form = forms.QuarterlyStartForm(
        request.POST if request.method == "POST" else None,
        initial={"year": year, "quarter": quarter},
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = quarterly_run_start(
                actor=user,
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已启动%(year)s年第%(q)s季度总评，可在下方查看进度。")
                % {"year": run.year, "q": run.quarter},
            )
            return redirect("assessment:rankings_quarterly")
    runs = list(QuarterlyRun.objects.order_by("-started_at", "-pk")[:RUNS_SHOWN])
    unit = _chosen_unit(request)
    period = forms.PeriodForm.from_get(request.GET)
    report_year, report_quarter = period.period()
    teams = Unit.objects.restrict(user).order_by("path")
    if unit is not None:
        teams = teams.filter(Q(pk=unit.pk) | Q(parent=unit))
    page = CappedPaginator(teams.only("id", "name", "depth", "path"), TEAMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessment/rankings/quarterly.html",
        _common(
            request,
            "quarterly",
            form=form,
            runs=[{"run": r, "data": run_payload(r)} for r in runs],
            unit=unit,
            period=period,
            report_year=report_year,
            report_quarter=report_quarter,
            page=page,
            unit_options=unit_options(user, unit.pk if unit else ""),
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def quarterly_run_status(request, pk):
    """A run's progress as JSON, for the page's poller."""
    _require_manage(request.user, _("季度总评由组织部门启动"))
    run = get_object_or_404(QuarterlyRun, pk=pk)
    return JsonResponse(run_payload(run))


@login_required
def team_report(request, unit_pk):
    """The team's 综合研判报告 of the quarter (?year=&quarter=) as a Word document."""
    user = request.user
    _require_read(user)
    unit = get_object_or_404(Unit.objects.restrict(user), pk=unit_pk)
    form = forms.PeriodForm.from_get(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("请选择有效的年度和季度。"))
    filename, content = team_analysis_report(
        unit, form.cleaned_data["year"], form.cleaned_data["quarter"]
    )
    return docx_response(filename, content)
