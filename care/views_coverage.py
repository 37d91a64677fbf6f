"""Pages of the annual talk coverage (F 16): per secretary inside the user's jurisdiction, the
people they must talk with this year, who is covered, who is missing (with a link to record the
talk), and the percentage; filters by year, level and unit; the missing pairs as Excel.

Reads go through `care.coverage.coverage_for_user`: a secretary outside the jurisdiction is not
listed; a role that may not read care records answers 403."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadre.models import Unit
from cadre.pages import require, unit_options, xlsx_response

from . import coverage as cov
from .models.common import can_read, can_write

ROWS_PER_PAGE = 50
TAB = "coverage"


class CoverageFilterForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    level = forms.CharField(label=gettext_lazy("层级"), required=False, max_length=40)
    unit = forms.IntegerField(label=gettext_lazy("地区（含下级）"), required=False)
    missing_only = forms.BooleanField(label=gettext_lazy("只看未全覆盖"), required=False)


def _require_read(user):
    require(can_read(user), _("您的角色不能查看年度谈心谈话覆盖情况"))


def _filtered(request):
    """(form, year, rows) of the user's secretaries under the query's filters."""
    user = request.user
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    form = CoverageFilterForm(data)
    year = timezone.localdate().year
    level, unit, missing_only = "", None, False
    if form.is_valid():
        year = form.cleaned_data["year"]
        level = form.cleaned_data["level"] or ""
        missing_only = form.cleaned_data["missing_only"]
        if form.cleaned_data["unit"]:
            unit = Unit.objects.restrict(user).filter(pk=form.cleaned_data["unit"]).first()
            if unit is None:
                return form, year, []
    rows = cov.filter_rows(cov.coverage_for_user(user, year=year), level=level, unit=unit)
    if missing_only:
        rows = [r for r in rows if r.missing]
    return form, year, rows


@login_required
def coverage(request):
    user = request.user
    _require_read(user)
    form, year, rows = _filtered(request)
    paginator = Paginator(rows, ROWS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    base = cov.talk_form_base()
    shown = [
        {
            "row": row,
            "missing": [
                {"cadre": c, "url": cov.record_talk_url(row.secretary, c, base)}
                for c in row.missing
            ],
        }
        for row in page.object_list
    ]
    return render(
        request,
        "care/coverage/list.html",
        {
            "tab": TAB,
            "form": form,
            "year": year,
            "page": page,
            "rows": shown,
            "totals": cov.totals(rows),
            "levels": cov.level_choices(),
            "level_selected": form.data.get("level", ""),
            "unit_options": unit_options(
                user,
                form.data.get("unit", ""),
                Unit.objects.restrict(user).filter(kind__in=cov.GOVERNED_KINDS),
                depth=None,
            ),
            "can_record": can_write(user),
            "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "year")),
        },
    )


def _export_columns():
    return [
        (_("年度"), lambda year, row, c: year),
        (_("层级"), lambda year, row, c: row.rule_label),
        (_("地区（单位）"), lambda year, row, c: row.governed.name),
        (_("书记"), lambda year, row, c: row.secretary.name),
        (_("书记职务"), lambda year, row, c: row.secretary.post),
        (_("未谈话对象"), lambda year, row, c: c.name),
        (_("对象单位"), lambda year, row, c: c.unit.name),
        (_("对象职务"), lambda year, row, c: c.post),
    ]


@login_required
def coverage_export(request):
    """The missing pairs (secretary → person not yet talked with) of the filtered rows."""
    user = request.user
    _require_read(user)
    _form, year, rows = _filtered(request)
    columns = _export_columns()
    return xlsx_response(
        _("未覆盖谈话"),
        _("年度谈心谈话未覆盖名单-%(year)s.xlsx") % {"year": year},
        f"talk-coverage-{year}.xlsx",
        [header for header, _value in columns],
        (
            [value(year, row, cadre) for _header, value in columns]
            for row in rows
            for cadre in row.missing
        ),
    )
