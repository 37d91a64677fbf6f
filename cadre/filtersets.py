"""One FilterSet per model, used by the staff pages, the API and the Excel exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import CadreStatus, Gender, UnitKind, UnitLevel
from .models import Cadre, CadreTag, PostLevel, Rank, Unit


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), method="filter_q")
    parent = django_filters.NumberFilter(label=_("上级单位"), field_name="parent_id")
    within = django_filters.NumberFilter(label=_("所属单位（含下级）"), method="filter_within")
    kind = django_filters.ChoiceFilter(label=_("单位类型"), choices=UnitKind.choices)
    level = django_filters.ChoiceFilter(label=_("层级"), choices=UnitLevel.choices)

    class Meta:
        model = Unit
        fields = [
            "q",
            "parent",
            "within",
            "kind",
            "level",
            "is_hardship_area",
            "is_remote_township",
        ]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(code__startswith=value))

    def filter_within(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).only("path").first()
        return queryset.filter(path__startswith=unit.path) if unit else queryset.none()


class CadreFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名或身份证号"), method="filter_q")
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="filter_unit")
    post_level = django_filters.ModelChoiceFilter(
        label=_("职务层次"), queryset=PostLevel.objects.all()
    )
    rank = django_filters.ModelChoiceFilter(label=_("职级"), queryset=Rank.objects.all())
    tag = django_filters.ModelChoiceFilter(
        label=_("标签"), field_name="tags", queryset=CadreTag.objects.all()
    )
    gender = django_filters.ChoiceFilter(label=_("性别"), choices=Gender.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CadreStatus.choices)
    served_township_head = django_filters.BooleanFilter(label=_("曾任乡镇党政正职"))
    born_after = django_filters.DateFilter(
        label=_("出生晚于"), field_name="birth_date", lookup_expr="gte"
    )
    born_before = django_filters.DateFilter(
        label=_("出生早于"), field_name="birth_date", lookup_expr="lte"
    )

    class Meta:
        model = Cadre
        fields = [
            "q",
            "unit",
            "post_level",
            "rank",
            "tag",
            "gender",
            "status",
            "served_township_head",
        ]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_unit(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).only("path").first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)
