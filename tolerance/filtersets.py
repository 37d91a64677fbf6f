"""One FilterSet per model, used by the staff pages, the API and the Excel exports."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.models import Unit

from .choices import (
    OPEN_CASE_STATUSES,
    CaseOrigin,
    CaseStatus,
    ClearingConclusion,
    ClearingStatus,
    MatterStatus,
    Outcome,
    ReportSource,
)
from .models import AccountabilityMatter, Case, ClearingMatter, Publication, Reminder


def _within(queryset, value, field="handling_unit"):
    unit = Unit.objects.filter(pk=value).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("编号、名称或干部姓名"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=CaseStatus.choices)
    outcome = django_filters.ChoiceFilter(label=_("认定结论"), choices=Outcome.choices)
    origin = django_filters.ChoiceFilter(label=_("启动方式"), choices=CaseOrigin.choices)
    unit = django_filters.NumberFilter(label=_("办理单位（含下级）"), method="filter_unit")
    year = django_filters.NumberFilter(label=_("立案年度"), field_name="created_at__year")
    open = django_filters.BooleanFilter(label=_("仅办理中"), method="filter_open")
    overdue = django_filters.BooleanFilter(label=_("仅超期"), method="filter_overdue")
    cadre = django_filters.NumberFilter(label=_("涉及干部"), field_name="cadres")

    class Meta:
        model = Case
        fields = ["q", "status", "outcome", "origin", "unit", "year", "open", "overdue", "cadre"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__startswith=value)
            | Q(title__contains=value)
            | Q(
                pk__in=Case.cadres.through.objects.filter(cadre__name__startswith=value).values(
                    "case_id"
                )
            )
        )

    def filter_unit(self, queryset, name, value):
        return _within(queryset, value)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=OPEN_CASE_STATUSES)
            if value
            else queryset.exclude(status__in=OPEN_CASE_STATUSES)
        )

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_CASE_STATUSES, due_on__lt=timezone.localdate())


class AccountabilityMatterFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("编号或事由"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=MatterStatus.choices)
    unit = django_filters.NumberFilter(label=_("问责机关单位（含下级）"), method="filter_unit")
    cadre = django_filters.NumberFilter(label=_("被问责干部"), field_name="cadres")

    class Meta:
        model = AccountabilityMatter
        fields = ["q", "status", "unit", "cadre", "matter_category"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(number__startswith=value) | Q(title__contains=value))

    def filter_unit(self, queryset, name, value):
        return _within(queryset, value)


class ReminderFilterSet(django_filters.FilterSet):
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")
    unit = django_filters.NumberFilter(label=_("提醒单位（含下级）"), method="filter_unit")

    class Meta:
        model = Reminder
        fields = ["cadre", "unit", "matter_category"]

    def filter_unit(self, queryset, name, value):
        return _within(queryset, value)


class ClearingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("编号、问题或干部姓名"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=ClearingStatus.choices)
    conclusion = django_filters.ChoiceFilter(
        label=_("核查结论"), choices=ClearingConclusion.choices
    )
    source = django_filters.ChoiceFilter(label=_("线索来源"), choices=ReportSource.choices)
    unit = django_filters.NumberFilter(label=_("办理单位（含下级）"), method="filter_unit")
    year = django_filters.NumberFilter(label=_("受理年度"), field_name="received_on__year")

    class Meta:
        model = ClearingMatter
        fields = ["q", "status", "conclusion", "source", "unit", "year"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        through = ClearingMatter.cadres.through
        return queryset.filter(
            Q(number__startswith=value)
            | Q(allegation__contains=value)
            | Q(
                pk__in=through.objects.filter(cadre__name__startswith=value).values(
                    "clearingmatter_id"
                )
            )
        )

    def filter_unit(self, queryset, name, value):
        return _within(queryset, value)


class PublicationFilterSet(django_filters.FilterSet):
    unit = django_filters.NumberFilter(label=_("公开单位（含下级）"), method="filter_unit")
    year = django_filters.NumberFilter(label=_("公开年度"), field_name="published_on__year")
    kind = django_filters.ChoiceFilter(
        label=_("类别"),
        method="filter_kind",
        choices=[
            ("case", _("容错案件")),
            ("clearing", _("澄清正名")),
            ("bulletin", _("不实举报定期通报")),
        ],
    )

    class Meta:
        model = Publication
        fields = ["unit", "year", "scope", "kind"]

    def filter_unit(self, queryset, name, value):
        return _within(queryset, value)

    def filter_kind(self, queryset, name, value):
        if value == "case":
            return queryset.filter(case__isnull=False)
        if value == "clearing":
            return queryset.filter(clearing__isnull=False)
        return queryset.filter(case__isnull=True, clearing__isnull=True)
