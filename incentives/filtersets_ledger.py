"""Filters of the sanction ledger, the 能上能下 record and the expiry reviews: one FilterSet per
model, used by the pages, the exports and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.models import Unit

from .choices import AdjustmentStatus, DownAction, ReviewStatus, SanctionStatus
from .ledger import CATEGORY_LABELS, EXPIRING_DAYS, expiring_bounds
from .models import Adjustment, ExpiryReview, Sanction

ALL = _("全部")
YES_NO = [("1", _("是")), ("0", _("否"))]
CATEGORY_CHOICES = list(CATEGORY_LABELS.items())
SUBJECT_CHOICES = [("sanction", _("受处理处分")), ("adjustment", _("能上能下"))]


def _within(queryset, value, field="cadre__unit"):
    unit = Unit.objects.filter(pk=value).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


def _name_search(queryset, value):
    value = (value or "").strip()
    if not value:
        return queryset
    return queryset.filter(Q(cadre__name__icontains=value) | Q(cadre__post__icontains=value))


class SanctionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名或职务"), method="by_name")
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=SanctionStatus.choices, empty_label=ALL
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=CATEGORY_CHOICES, empty_label=ALL
    )
    in_impact = django_filters.ChoiceFilter(
        label=_("影响期内"), choices=YES_NO, method="by_in_impact", empty_label=ALL
    )
    expiring = django_filters.ChoiceFilter(
        label=_("%(days)s日内影响期满") % {"days": EXPIRING_DAYS},
        choices=YES_NO,
        method="by_expiring",
        empty_label=ALL,
    )
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")

    class Meta:
        model = Sanction
        fields = ["q", "status", "category", "in_impact", "expiring", "unit", "cadre"]

    def by_name(self, queryset, name, value):
        return _name_search(queryset, value)

    def by_unit(self, queryset, name, value):
        return _within(queryset, value)

    def by_in_impact(self, queryset, name, value):
        """影响期内: held against the cadre today (the kind pending counts as held)."""
        today = timezone.localdate()
        held = Q(status=SanctionStatus.PENDING_KIND) | Q(
            status=SanctionStatus.IN_IMPACT, decided_on__lte=today, impact_until__gte=today
        )
        return queryset.filter(held) if value == "1" else queryset.exclude(held)

    def by_expiring(self, queryset, name, value):
        start, end = expiring_bounds()
        soon = Q(status=SanctionStatus.IN_IMPACT, impact_until__gte=start, impact_until__lte=end)
        return queryset.filter(soon) if value == "1" else queryset.exclude(soon)


class AdjustmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名或职务"), method="by_name")
    action = django_filters.ChoiceFilter(
        label=_("方式"), choices=DownAction.choices, empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=AdjustmentStatus.choices, empty_label=ALL
    )
    year = django_filters.NumberFilter(
        label=_("决定年度"), field_name="decided_on", lookup_expr="year"
    )
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")

    class Meta:
        model = Adjustment
        fields = ["q", "action", "status", "year", "unit", "cadre"]

    def by_name(self, queryset, name, value):
        return _name_search(queryset, value)

    def by_unit(self, queryset, name, value):
        return _within(queryset, value)


class ExpiryReviewFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名"), method="by_name")
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=ReviewStatus.choices, empty_label=ALL
    )
    subject = django_filters.ChoiceFilter(
        label=_("对象"), choices=SUBJECT_CHOICES, method="by_subject", empty_label=ALL
    )
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")

    class Meta:
        model = ExpiryReview
        fields = ["q", "status", "subject", "unit"]

    def by_name(self, queryset, name, value):
        value = (value or "").strip()
        return queryset.filter(cadre__name__icontains=value) if value else queryset

    def by_subject(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})

    def by_unit(self, queryset, name, value):
        return _within(queryset, value)
