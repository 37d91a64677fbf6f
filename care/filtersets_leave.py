"""Filters of the leave pages, their exports and the API (one FilterSet per model)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cadre.models import Unit

from .choices import LeaveKind
from .models import LeavePlan, LeaveRecord, OvertimeRecord


def within_unit(queryset, value, field="cadre__unit"):
    unit = Unit.objects.filter(pk=value).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


class _CadreRowsFilterSet(django_filters.FilterSet):
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")
    name = django_filters.CharFilter(
        label=_("姓名"), field_name="cadre__name", lookup_expr="contains"
    )

    def by_unit(self, queryset, name, value):
        return within_unit(queryset, value)


class LeavePlanFilterSet(_CadreRowsFilterSet):
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = LeavePlan
        fields = ["year", "unit", "cadre", "name"]


class LeaveRecordFilterSet(_CadreRowsFilterSet):
    year = django_filters.NumberFilter(label=_("年度"))
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=LeaveKind.choices)

    class Meta:
        model = LeaveRecord
        fields = ["year", "kind", "unit", "cadre", "name"]


class OvertimeRecordFilterSet(_CadreRowsFilterSet):
    year = django_filters.NumberFilter(label=_("年度"), field_name="worked_on", lookup_expr="year")

    class Meta:
        model = OvertimeRecord
        fields = ["year", "unit", "cadre", "name"]
