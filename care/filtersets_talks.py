"""One FilterSet per model of the talks, used by the pages, the API and the Excel exports."""

from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, Unit

from .choices import ObligationStatus, RequestStatus, TalkKind
from .models import MisfortuneReport, Talk, TalkObligation, TalkRequest

OVERDUE, DUE_SOON = "overdue", "due_soon"
# "临期": due within this many days (the default reminder lead of care.talk_settings).
DUE_SOON_DAYS = 7


def _within(queryset, value, field="cadre__unit"):
    unit = Unit.objects.filter(pk=value).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


def _cadre_search(queryset, value, field="cadre"):
    text = (value or "").strip()
    if not text:
        return queryset
    return queryset.filter(**{f"{field}__in": Cadre.objects.search(text).values("pk")})


class _CadreFilters(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("干部姓名或身份证号"), method="by_name")
    unit = django_filters.NumberFilter(label=_("干部所在单位（含下级）"), method="by_unit")
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")

    def by_name(self, queryset, name, value):
        return _cadre_search(queryset, value)

    def by_unit(self, queryset, name, value):
        return _within(queryset, value)


class ObligationFilterSet(_CadreFilters):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ObligationStatus.choices)
    timing = django_filters.ChoiceFilter(
        label=_("期限"),
        choices=[(OVERDUE, _("已逾期")), (DUE_SOON, _("7日内到期"))],
        method="by_timing",
    )
    trigger = django_filters.CharFilter(label=_("必谈情形"), field_name="trigger_code")
    responsible_unit = django_filters.NumberFilter(
        label=_("责任单位"), field_name="responsible_unit_id"
    )

    class Meta:
        model = TalkObligation
        fields = ["status", "timing", "trigger", "unit", "responsible_unit", "q", "cadre"]

    def by_timing(self, queryset, name, value):
        today = timezone.localdate()
        due = queryset.filter(status=ObligationStatus.DUE)
        if value == OVERDUE:
            return due.filter(due_on__lt=today)
        return due.filter(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))


class TalkFilterSet(_CadreFilters):
    kind = django_filters.ChoiceFilter(label=_("谈话类别"), choices=TalkKind.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="held_on", lookup_expr="year")
    talker = django_filters.CharFilter(
        label=_("谈话人"), field_name="talker_name", lookup_expr="contains"
    )

    class Meta:
        model = Talk
        fields = ["kind", "year", "talker", "q", "unit", "cadre"]


class TalkRequestFilterSet(_CadreFilters):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RequestStatus.choices)

    class Meta:
        model = TalkRequest
        fields = ["status", "q", "unit", "cadre"]


class MisfortuneReportFilterSet(_CadreFilters):
    class Meta:
        model = MisfortuneReport
        fields = ["q", "unit", "cadre"]
