"""Filters of the bonus records (年度考核奖), for their page, export and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import BonusSide
from .filtersets_leave import within_unit
from .models import AssessmentBonus


class AssessmentBonusFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"))
    county = django_filters.NumberFilter(label=_("所在县"), field_name="county_id")
    side = django_filters.ChoiceFilter(label=_("单位类别"), choices=BonusSide.choices)
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")
    name = django_filters.CharFilter(
        label=_("姓名"), field_name="cadre__name", lookup_expr="contains"
    )

    class Meta:
        model = AssessmentBonus
        fields = ["year", "county", "side", "unit", "cadre", "name"]

    def by_unit(self, queryset, name, value):
        return within_unit(queryset, value, field="unit")
