"""The filters of the rank-promotion list (职级晋升), used by the page, its Excel export and the
API. Unit subtree and name are narrowed in SQL; the target rank and the priority flag are known
only once the rules are checked, so `narrow` applies them to the computed eligibility."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cadre.models import Cadre, Unit


class RankEligibilityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名或身份证号"), method="filter_q")
    unit = django_filters.NumberFilter(label=_("单位（含下级）"), method="filter_unit")
    target = django_filters.CharFilter(
        label=_("拟晋升职级"), method="keep", help_text=_("职级代码，如 principal_clerk_2")
    )
    priority = django_filters.BooleanFilter(label=_("仅看优先晋升（连续多年优秀）"), method="keep")

    class Meta:
        model = Cadre
        fields = ["q", "unit", "target", "priority"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_unit(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).only("path").first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)

    def keep(self, queryset, name, value):
        return queryset

    def narrow(self, results):
        """The computed eligibility narrowed to the target rank and the priority flag."""
        data = self.form.cleaned_data if self.is_valid() else {}
        target = data.get("target")
        if target:
            results = [r for r in results if r.next_rank and r.next_rank.code == target]
        if data.get("priority"):
            results = [r for r in results if r.priority]
        return results
