"""FilterSets of the awards part: one per model, used by the pages, the API and the exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadre.models import Unit

from .choices import CampaignStatus, NominationStatus, ObjectionStatus
from .models import AwardCampaign, Exemplar, Nomination, Objection


def _within(queryset, value, field="unit"):
    unit = Unit.objects.filter(pk=value).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


class AwardCampaignFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CampaignStatus.choices)
    kind = django_filters.CharFilter(label=_("表彰种类代码"), field_name="kind_code")
    unit = django_filters.NumberFilter(label=_("组织单位（含下级）"), method="by_unit")
    q = django_filters.CharFilter(label=_("名称"), field_name="title", lookup_expr="icontains")

    class Meta:
        model = AwardCampaign
        fields = ["year", "status", "kind", "unit", "q"]

    def by_unit(self, queryset, name, value):
        return _within(queryset, value)


class NominationFilterSet(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(label=_("评选活动"), field_name="campaign_id")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=NominationStatus.choices)
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")
    year = django_filters.NumberFilter(label=_("年度"), field_name="campaign__year")

    class Meta:
        model = Nomination
        fields = ["campaign", "status", "cadre", "year"]


class ObjectionFilterSet(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(
        label=_("评选活动"), field_name="nomination__campaign_id"
    )
    nomination = django_filters.NumberFilter(label=_("推荐人选"), field_name="nomination_id")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ObjectionStatus.choices)

    class Meta:
        model = Objection
        fields = ["campaign", "nomination", "status"]


class ExemplarFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100)
    title = django_filters.CharFilter(label=_("荣誉或典型称号"), lookup_expr="icontains")
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="by_unit")
    q = django_filters.CharFilter(label=_("姓名或集体名称"), method="by_name")
    cadre = django_filters.NumberFilter(label=_("干部"), field_name="cadre_id")

    class Meta:
        model = Exemplar
        fields = ["year", "title", "unit", "q", "cadre"]

    def by_unit(self, queryset, name, value):
        return _within(queryset, value)

    def by_name(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(cadre__name__contains=value) | Q(collective__name__contains=value))
