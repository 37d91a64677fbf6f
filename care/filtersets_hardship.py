"""Filters of the hardship-help and care-fund pages, their exports and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import ApplicationStatus, FundEntryKind
from .filtersets_leave import within_unit
from .models import CareFund, FundEntry, HardshipApplication


class HardshipApplicationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ApplicationStatus.choices)
    category = django_filters.CharFilter(label=_("帮扶类别"), field_name="category_code")
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")
    name = django_filters.CharFilter(
        label=_("姓名"), field_name="cadre__name", lookup_expr="contains"
    )
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")
    year = django_filters.NumberFilter(
        label=_("申请年度"), field_name="created_at", lookup_expr="year"
    )

    class Meta:
        model = HardshipApplication
        fields = ["status", "category", "unit", "name", "cadre", "year"]

    def by_unit(self, queryset, name, value):
        return within_unit(queryset, value)


class CareFundFilterSet(django_filters.FilterSet):
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")
    q = django_filters.CharFilter(label=_("基金名称"), method="by_name")

    class Meta:
        model = CareFund
        fields = ["unit", "q"]

    def by_unit(self, queryset, name, value):
        return within_unit(queryset, value, "unit")

    def by_name(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(unit__name__contains=value))


class FundEntryFilterSet(django_filters.FilterSet):
    fund = django_filters.NumberFilter(label=_("关爱基金"), field_name="fund_id")
    kind = django_filters.ChoiceFilter(label=_("收支"), choices=FundEntryKind.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="at", lookup_expr="year")
    application = django_filters.NumberFilter(label=_("帮扶申请"), field_name="application_id")

    class Meta:
        model = FundEntry
        fields = ["fund", "kind", "year", "application"]
