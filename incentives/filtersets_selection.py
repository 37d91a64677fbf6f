"""The FilterSets of priority promotion and exceptional promotion, used by the pages, the
exports and the API."""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, Unit

from .choices import CandidateListStatus, CandidateStatus, RecordStatus
from .models import Candidate, CandidateList, PriorityRecord


def _within(queryset, value, field):
    unit = Unit.objects.filter(pk=value).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


def _cadre_name(queryset, value, field="cadre"):
    """Records of the cadres whose name matches (the same matching as the cadre list)."""
    ids = Cadre.objects.search(value).values("pk")
    return queryset.filter(**{f"{field}__in": ids})


class PriorityRecordFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("干部姓名"), method="by_name")
    situation = django_filters.CharFilter(label=_("情形代码"), field_name="situation_code")
    group = django_filters.CharFilter(label=_("情形类别"), method="by_group")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RecordStatus.choices)
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")

    class Meta:
        model = PriorityRecord
        fields = ["q", "situation", "group", "status", "unit", "cadre"]

    def by_name(self, queryset, name, value):
        return _cadre_name(queryset, value)

    def by_group(self, queryset, name, value):
        # The group (ZJK3, ZJK附件1, 闽7) is the item's group in the version the record used.
        return queryset.filter(
            situations_list__items__group=value,
            situations_list__items__code=F("situation_code"),
        )

    def by_unit(self, queryset, name, value):
        return _within(queryset, value, "cadre__unit")


class CandidateListFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), field_name="title", lookup_expr="icontains")
    year = django_filters.NumberFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CandidateListStatus.choices)
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")

    class Meta:
        model = CandidateList
        fields = ["q", "year", "status", "unit"]

    def by_unit(self, queryset, name, value):
        return _within(queryset, value, "unit")


class CandidateFilterSet(django_filters.FilterSet):
    candidate_list = django_filters.NumberFilter(label=_("名单"), field_name="candidate_list_id")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CandidateStatus.choices)
    passed = django_filters.BooleanFilter(label=_("符合破格条件"), field_name="checks_passed")
    path = django_filters.CharFilter(label=_("破格路径代码"), field_name="path_code")
    q = django_filters.CharFilter(label=_("干部姓名"), method="by_name")

    class Meta:
        model = Candidate
        fields = ["candidate_list", "status", "passed", "path", "q"]

    def by_name(self, queryset, name, value):
        return _cadre_name(queryset, value)
