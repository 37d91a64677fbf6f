"""The statistics page of fault tolerance and clearing of names (DOMAIN §4.5-4.6: cases per
year and outcome, by unit and situation; names cleared, false accusations, blacklist) and the
publication register (公开登记, ZJK art. 11(三)), each with its Excel export.

Both are for the bodies that work on or oversee the files (discipline, organisation, the
committee, auditors): other roles get 403. Every number comes from the selectors, which read
through `restrict(user)`, so a county sees its own subtree and nothing beyond. Charts are
drawn here as inline SVG: deployments run on closed intranets without any CDN.
"""

import io
from dataclasses import dataclass, field
from html import escape

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from cadre import access
from cadre.exports import XLSX_CONTENT_TYPE, attachment_header
from cadre.models import Unit
from cadre.pages import require, unit_options
from cadre.pagination import CappedPaginator
from cadre.templatetags.cadre_tags import select_html

from . import selectors
from .choices import TOLERATED_OUTCOMES, CaseStatus, Outcome
from .filtersets import PublicationFilterSet
from .models import FILE_ROLES, Publication

PUBLICATIONS_PER_PAGE = 30


def _require_file_role(user):
    """Statistics and the register describe case files: only the roles that see files."""
    require(
        access.scope_for(user).everything or set(getattr(user, "roles", None) or []) & FILE_ROLES,
        _("统计分析和公开登记仅供纪检监察、组织、党委（党组）和审计人员查看"),
    )


# --- inline SVG charts ------------------------------------------------------------------------

OUTCOME_COLOURS = {
    Outcome.EXEMPT: "#2e7d32",
    Outcome.LIGHTER: "#1565c0",
    Outcome.MITIGATED: "#ef6c00",
    Outcome.NOT_TOLERATED: "#b71c1c",
    "": "#9e9e9e",
}
BAR_COLOUR = "#b71c1c"
CHART_WIDTH = 720
LABEL_WIDTH = 190
ROW_HEIGHT = 26
BAR_HEIGHT = 16
LEGEND_HEIGHT = 26
LABEL_CHARS = 13


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(title, rows, series):
    """A horizontal (stacked) bar chart as inline SVG.

    `rows`: (label, [value per series]); `series`: (name, colour). One series draws plain
    bars; several draw stacked bars with a legend. Each segment has a tooltip (<title>)."""
    rows = [(label, [int(v or 0) for v in values]) for label, values in rows]
    if not rows or not any(sum(values) for _label, values in rows):
        return ""
    legend = LEGEND_HEIGHT if len(series) > 1 else 0
    height = legend + len(rows) * ROW_HEIGHT + 8
    bar_area = CHART_WIDTH - LABEL_WIDTH - 50
    biggest = max(sum(values) for _label, values in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" width="100%" '
        f'style="max-width:{CHART_WIDTH}px" font-size="12" aria-label="{escape(str(title))}">',
        f"<title>{escape(str(title))}</title>",
    ]
    if legend:
        x = LABEL_WIDTH
        for name, colour in series:
            parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
            parts.append(f'<text x="{x + 16}" y="16">{escape(str(name))}</text>')
            x += 28 + 13 * len(str(name))
    for index, (label, values) in enumerate(rows):
        y = legend + index * ROW_HEIGHT + 4
        text_y = y + BAR_HEIGHT - 3
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y}" text-anchor="end">'
            f"<title>{escape(str(label))}</title>{escape(_short(label))}</text>"
        )
        x = LABEL_WIDTH
        for (name, colour), value in zip(series, values, strict=True):
            if not value:
                continue
            width = max(round(bar_area * value / biggest, 1), 1)
            tip = f"{label} {name}：{value}" if len(series) > 1 else f"{label}：{value}"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            x += width
        parts.append(f'<text x="{x + 6}" y="{text_y}">{sum(values)}</text>')
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{legend}" x2="{LABEL_WIDTH}" y2="{height - 4}" '
        'stroke="#999" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# --- the statistics tables --------------------------------------------------------------------


@dataclass
class Table:
    """One block of the statistics: the page prints it, the export writes it as a sheet."""

    key: str
    title: str
    headers: list
    rows: list = field(default_factory=list)
    note: str = ""
    chart: str = ""


def _percent(part, whole):
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _outcome_columns():
    return [*Outcome.choices, ("", _("未认定（办理中或已撤回）"))]


def statistics_tables(case_stats, clearing_stats) -> list[Table]:
    outcomes = _outcome_columns()
    tables = []

    # By year and outcome: the trend over all years (not narrowed by the year filter).
    years: dict[int, dict[str, int]] = {}
    for row in case_stats["by_year"]:
        years.setdefault(row["year"], {})[row["outcome"] or ""] = row["n"]
    by_year = Table(
        "by_year",
        _("各年度案件数及认定结论"),
        [_("立案年度"), *(label for _code, label in outcomes), _("合计")],
        note=_("按立案年度统计全部年度，不受年度筛选影响。"),
    )
    chart_rows = []
    for year in sorted(years):
        counts = [years[year].get(code, 0) for code, _label in outcomes]
        by_year.rows.append([year, *counts, sum(counts)])
        chart_rows.append((_("%(year)s年") % {"year": year}, counts))
    by_year.chart = bar_chart(
        by_year.title,
        chart_rows,
        [(label, OUTCOME_COLOURS[code]) for code, label in outcomes],
    )
    tables.append(by_year)

    total = case_stats["total"]
    outcome_counts = {row["outcome"] or "": row["n"] for row in case_stats["by_outcome"]}
    by_outcome = Table("by_outcome", _("认定结论"), [_("认定结论"), _("案件数"), _("占比")])
    for code, label in outcomes:
        n = outcome_counts.get(code, 0)
        by_outcome.rows.append([label, n, _percent(n, total)])
    by_outcome.chart = bar_chart(
        by_outcome.title,
        [(label, [outcome_counts.get(code, 0)]) for code, label in outcomes],
        [(_("案件数"), BAR_COLOUR)],
    )
    tables.append(by_outcome)

    status_counts = {row["status"]: row["n"] for row in case_stats["by_status"]}
    by_status = Table("by_status", _("办理状态"), [_("状态"), _("案件数")])
    for code, label in CaseStatus.choices:
        if status_counts.get(code):
            by_status.rows.append([label, status_counts[code]])
    by_status.chart = bar_chart(
        by_status.title, [(r[0], [r[1]]) for r in by_status.rows], [(_("案件数"), BAR_COLOUR)]
    )
    tables.append(by_status)

    by_unit = Table(
        "by_unit",
        _("办理单位"),
        [_("办理单位"), _("案件数"), _("予以容错"), _("容错比例")],
        note=_("按案件数排列，最多列出50个单位。"),
    )
    for row in case_stats["by_unit"]:
        by_unit.rows.append(
            [
                row["handling_unit__name"],
                row["n"],
                row["tolerated"],
                _percent(row["tolerated"], row["n"]),
            ]
        )
    by_unit.chart = bar_chart(
        by_unit.title,
        [(r[0], [r[2], r[1] - r[2]]) for r in by_unit.rows],
        [(_("予以容错"), OUTCOME_COLOURS[Outcome.EXEMPT]), (_("其他"), "#bdbdbd")],
    )
    tables.append(by_unit)

    by_situation = Table(
        "by_situation",
        _("容错情形"),
        [_("代码"), _("容错情形"), _("案件数")],
        note=_("清单研判中认定符合该情形的案件数；一个案件可符合多个情形。"),
    )
    for row in case_stats["by_situation"]:
        by_situation.rows.append([row["item__code"], row["item__label"], row["n"]])
    by_situation.chart = bar_chart(
        by_situation.title,
        [(f"{r[0]} {r[1]}", [r[2]]) for r in by_situation.rows],
        [(_("案件数"), BAR_COLOUR)],
    )
    tables.append(by_situation)

    clearing = Table(
        "clearing",
        _("澄清正名"),
        [_("项目"), _("数量")],
        note=_("按受理年度统计。"),
    )
    clearing.rows = [
        [_("受理反映事项（件）"), clearing_stats["total"]],
        [_("澄清正名干部（人）"), clearing_stats["cleared_cadres"]],
        [_("澄清正名党组织（个）"), clearing_stats["cleared_orgs"]],
        [_("查实诬告陷害（件）"), clearing_stats["false_accusations"]],
        [_("列入失信黑名单（人）"), clearing_stats["blacklisted"]],
    ]
    clearing.chart = bar_chart(
        clearing.title, [(r[0], [r[1]]) for r in clearing.rows], [(_("数量"), BAR_COLOUR)]
    )
    tables.append(clearing)
    return tables


class StatisticsFilterForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("年度"), required=False, min_value=1990, max_value=2100
    )
    unit = forms.IntegerField(label=gettext_lazy("办理单位（含下级）"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_unit(self):
        value = self.cleaned_data.get("unit")
        if value is None:
            return None
        unit = Unit.objects.restrict(self.user).filter(pk=value).first()
        if unit is None:
            raise forms.ValidationError(_("请选择您管辖范围内的单位"))
        return unit


def _statistics(request):
    user = request.user
    _require_file_role(user)
    form = StatisticsFilterForm(request.GET or None, user=user)
    year = unit = None
    if form.is_bound and form.is_valid():
        year, unit = form.cleaned_data["year"], form.cleaned_data["unit"]
    case_stats = selectors.case_statistics(user, year=year, unit=unit)
    clearing_stats = selectors.clearing_statistics(user, year=year, unit=unit)
    return form, year, unit, case_stats, clearing_stats


@login_required
def statistics(request):
    form, year, unit, case_stats, clearing_stats = _statistics(request)
    tables = statistics_tables(case_stats, clearing_stats)
    years = sorted({row["year"] for row in case_stats["by_year"]} | {timezone.localdate().year})
    tolerated = sum(
        row["n"] for row in case_stats["by_outcome"] if row["outcome"] in TOLERATED_OUTCOMES
    )
    return render(
        request,
        "tolerance/statistics.html",
        {
            "tab": "statistics",
            "form": form,
            "year": year,
            "unit": unit,
            "years": years[::-1],
            "unit_options": unit_options(request.user, request.GET.get("unit", "")),
            "tables": tables,
            "summary": {
                "total": case_stats["total"],
                "tolerated": tolerated,
                "cleared_cadres": clearing_stats["cleared_cadres"],
                "cleared_orgs": clearing_stats["cleared_orgs"],
                "false_accusations": clearing_stats["false_accusations"],
                "blacklisted": clearing_stats["blacklisted"],
            },
            "is_filtered": bool(year or unit),
        },
    )


def _header_row(sheet, headers):
    sheet.append([str(h) for h in headers])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _xlsx_response(workbook, filename, fallback):
    stream = io.BytesIO()
    workbook.save(stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename, fallback)
    return response


@login_required
def statistics_export(request):
    form, year, unit, case_stats, clearing_stats = _statistics(request)
    user = request.user
    workbook = Workbook()
    cover = workbook.active
    cover.title = _("说明")
    scope = user.unit.name if user.unit_id else _("全部")
    cover.append([_("容错纠错统计")])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([_("统计范围"), scope])
    cover.append([_("年度"), year or _("全部年度")])
    cover.append([_("办理单位（含下级）"), unit.name if unit else _("全部")])
    cover.append([_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = 30
    for table in statistics_tables(case_stats, clearing_stats):
        sheet = workbook.create_sheet(str(table.title)[:31])
        _header_row(sheet, table.headers)
        for row in table.rows:
            sheet.append([str(v) if not isinstance(v, int) else v for v in row])
        if table.note:
            sheet.append([])
            sheet.append([str(table.note)])
        for index, _header in enumerate(table.headers):
            letter = sheet.cell(row=1, column=index + 1).column_letter
            sheet.column_dimensions[letter].width = (
                60 if table.key == "by_situation" and index == 1 else 18
            )
    day = timezone.localdate().strftime("%Y%m%d")
    part = str(year) if year else _("全部年度")
    return _xlsx_response(
        workbook,
        _("容错纠错统计-%(part)s-%(day)s.xlsx") % {"part": part, "day": day},
        f"tolerance-statistics-{day}.xlsx",
    )


# --- the publication register -----------------------------------------------------------------

KIND_LABELS = {
    "case": gettext_lazy("容错案件"),
    "clearing": gettext_lazy("澄清正名"),
    "bulletin": gettext_lazy("不实举报定期通报"),
}


def _publications(request):
    user = request.user
    _require_file_role(user)
    visible = Publication.objects.restrict(user)
    filterset = PublicationFilterSet(request.GET or None, queryset=visible)
    rows = filterset.qs.select_related("handling_unit", "case", "clearing", "published_by")
    return visible, filterset, rows


def _kind(publication):
    if publication.case_id:
        return "case"
    if publication.clearing_id:
        return "clearing"
    return "bulletin"


def _subject(publication):
    """What was made public: the case or the clearing matter, or the bulletin's period."""
    if publication.case_id:
        return f"{publication.case.number} {publication.case.title}"
    if publication.clearing_id:
        return publication.clearing.number
    if publication.period_start and publication.period_end:
        return _("%(start)s至%(end)s") % {
            "start": publication.period_start,
            "end": publication.period_end,
        }
    return ""


@login_required
def publication_list(request):
    visible, filterset, rows = _publications(request)
    paginator = CappedPaginator(rows, PUBLICATIONS_PER_PAGE, count_queryset=filterset.qs)
    page = paginator.get_page(request.GET.get("page"))
    items = [
        {
            "publication": p,
            "kind": _kind(p),
            "kind_label": KIND_LABELS[_kind(p)],
            "subject": _subject(p),
            "long": len(p.content) > 80,
        }
        for p in page.object_list
    ]
    scopes = visible.order_by("scope").values_list("scope", "scope_label").distinct()
    form = filterset.form
    return render(
        request,
        "tolerance/publication_list.html",
        {
            "tab": "publications",
            "filterset": filterset,
            "form": form,
            "page": page,
            "items": items,
            "unit_options": unit_options(request.user, request.GET.get("unit", "")),
            "scope_options": select_html(
                "scope", None, scopes, request.GET.get("scope", ""), with_select=False
            ),
            "kind_options": select_html(
                "kind", None, KIND_LABELS.items(), request.GET.get("kind", ""), with_select=False
            ),
            "is_filtered": any(value for key, value in request.GET.items() if key != "page"),
        },
    )


@login_required
def publication_export(request):
    _visible, _filterset, rows = _publications(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("公开登记"))
    sheet.append(
        [
            _("公开日期"),
            _("类别"),
            _("公开事项"),
            _("公开单位"),
            _("公开范围"),
            _("公开方式"),
            _("公开内容"),
            _("登记人"),
        ]
    )
    for p in rows.iterator(chunk_size=2000):
        sheet.append(
            [
                p.published_on,
                str(KIND_LABELS[_kind(p)]),
                _subject(p),
                p.handling_unit.name,
                p.scope_label,
                p.channel,
                p.content,
                str(p.published_by) if p.published_by_id else "",
            ]
        )
    day = timezone.localdate().strftime("%Y%m%d")
    return _xlsx_response(
        workbook, _("公开登记-%(day)s.xlsx") % {"day": day}, f"publications-{day}.xlsx"
    )
