"""One FilterSet per model, used by the staff pages, the API and the Excel exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cadre.models import Unit

from .choices import CycleStatus, Grade
from .models import AnnualGrade, AssessmentCycle


def _within(queryset, value, field="unit"):
    unit = Unit.objects.filter(pk=value).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


class CycleFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("考核年度"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CycleStatus.choices)
    unit = django_filters.NumberFilter(label=_("组织单位（含下级）"), method="filter_unit")

    class Meta:
        model = AssessmentCycle
        fields = ["year", "status", "unit"]

    def filter_unit(self, queryset, name, value):
        return _within(queryset, value)


class AnnualGradeFilterSet(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(label=_("年度考核"), field_name="cycle_id")
    unit = django_filters.NumberFilter(label=_("考核所在单位（含下级）"), method="filter_unit")
    grade = django_filters.ChoiceFilter(label=_("考核等次"), choices=Grade.choices)
    year = django_filters.NumberFilter(label=_("考核年度"), field_name="cycle__year")
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")

    class Meta:
        model = AnnualGrade
        fields = ["cycle", "unit", "grade", "year", "cadre"]

    def filter_unit(self, queryset, name, value):
        return _within(queryset, value)
