"""One FilterSet per model, used by the staff pages, the API and the Excel exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Unit

from .choices import ConsequenceCause, ConsequenceKind, CycleStatus, Grade, PointsStatus
from .models import AnnualGrade, AssessmentCycle, Consequence, PointsEntry, RankingEntry

# Directions of the points ledger's filter (add or deduct items).
ADD, DEDUCT = "add", "deduct"


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


class PointsEntryFilterSet(django_filters.FilterSet):
    unit = django_filters.NumberFilter(label=_("计分单位（含下级）"), method="by_unit")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PointsStatus.choices)
    item = django_filters.CharFilter(label=_("积分项目"), field_name="item__code")
    year = django_filters.NumberFilter(
        label=_("年度"), field_name="occurred_on", lookup_expr="year"
    )
    quarter = django_filters.TypedChoiceFilter(
        label=_("季度"),
        choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        field_name="occurred_on",
        lookup_expr="quarter",
    )
    direction = django_filters.ChoiceFilter(
        label=_("加减分"),
        choices=[(ADD, _("加分")), (DEDUCT, _("扣分"))],
        method="by_direction",
    )
    cadre = django_filters.NumberFilter(label=_("相关干部"), field_name="cadre_id")

    class Meta:
        model = PointsEntry
        fields = ["unit", "status", "item", "year", "quarter", "direction", "cadre"]

    def by_unit(self, queryset, name, value):
        return _within(queryset, value)

    def by_direction(self, queryset, name, value):
        return queryset.filter(Q(points__lt=0) if value == DEDUCT else Q(points__gt=0))


class ConsequenceFilterSet(django_filters.FilterSet):
    """Filters of the consequences list, its export and the API."""

    kind = django_filters.ChoiceFilter(label=_("处理措施"), choices=ConsequenceKind.choices)
    cause = django_filters.ChoiceFilter(label=_("原因"), choices=ConsequenceCause.choices)
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100)
    quarter = django_filters.TypedChoiceFilter(
        label=_("季度"), choices=[(q, str(q)) for q in range(1, 5)], coerce=int
    )
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")

    class Meta:
        model = Consequence
        fields = ["kind", "cause", "year", "quarter", "unit", "cadre"]

    def by_unit(self, queryset, name, value):
        return _within(queryset, value, "cadre__unit")


class RankingEntryFilterSet(django_filters.FilterSet):
    group = django_filters.NumberFilter(label=_("排名组"), field_name="group_id")
    year = django_filters.NumberFilter(label=_("年度"))
    quarter = django_filters.NumberFilter(label=_("季度"))

    class Meta:
        model = RankingEntry
        fields = ["group", "year", "quarter"]
