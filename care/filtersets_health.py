"""Filters of the check-up plans and records, shared by the pages, the API and the exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cadre.models import Unit

from .choices import CheckupStatus
from .models import CheckupPlan, CheckupRecord


def _within(queryset, value, field):
    unit = Unit.objects.filter(pk=value).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


class CheckupPlanFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100)
    unit = django_filters.NumberFilter(label=_("组织单位（含下级）"), method="filter_unit")
    q = django_filters.CharFilter(label=_("计划名称"), field_name="title", lookup_expr="contains")

    class Meta:
        model = CheckupPlan
        fields = ["year", "unit", "q"]

    def filter_unit(self, queryset, name, value):
        return _within(queryset, value, "unit")


class CheckupRecordFilterSet(django_filters.FilterSet):
    plan = django_filters.NumberFilter(label=_("体检计划"), field_name="plan_id")
    year = django_filters.NumberFilter(
        label=_("年度"), field_name="plan__year", min_value=2000, max_value=2100
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CheckupStatus.choices)
    extra = django_filters.CharFilter(label=_("加检项目"), method="filter_extra")
    unit = django_filters.NumberFilter(label=_("干部所在单位（含下级）"), method="filter_unit")
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")
    q = django_filters.CharFilter(label=_("姓名"), method="filter_name")

    class Meta:
        model = CheckupRecord
        fields = ["plan", "year", "status", "extra", "unit", "cadre", "q"]

    def filter_extra(self, queryset, name, value):
        return queryset.filter(extra_items__contains=[value])

    def filter_unit(self, queryset, name, value):
        return _within(queryset, value, "cadre__unit")

    def filter_name(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if len(value) < 3:
            return queryset.filter(cadre__name__startswith=value)
        return queryset.filter(cadre__name__contains=value)
