"""Filters of the turnover-housing and five-small-facilities pages, exports and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import FacilityState, RoomStatus, WaitingStatus
from .filtersets_leave import within_unit
from .models import Facility, HousingAllocation, HousingApplication, HousingRoom


class _UnitFilterSet(django_filters.FilterSet):
    unit_field = "unit"
    unit = django_filters.NumberFilter(label=_("乡镇（含下级）"), method="by_unit")

    def by_unit(self, queryset, name, value):
        return within_unit(queryset, value, self.unit_field)


class HousingRoomFilterSet(_UnitFilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RoomStatus.choices)
    building = django_filters.CharFilter(label=_("楼栋"), lookup_expr="contains")

    class Meta:
        model = HousingRoom
        fields = ["unit", "status", "building"]


class HousingAllocationFilterSet(_UnitFilterSet):
    unit_field = "room__unit"
    open = django_filters.BooleanFilter(
        label=_("仍在入住"), field_name="end_on", lookup_expr="isnull"
    )
    room = django_filters.NumberFilter(label=_("房间"), field_name="room_id")
    name = django_filters.CharFilter(
        label=_("姓名"), field_name="cadre__name", lookup_expr="contains"
    )

    class Meta:
        model = HousingAllocation
        fields = ["unit", "open", "room", "name"]


class HousingApplicationFilterSet(_UnitFilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=WaitingStatus.choices)
    name = django_filters.CharFilter(
        label=_("姓名"), field_name="cadre__name", lookup_expr="contains"
    )

    class Meta:
        model = HousingApplication
        fields = ["unit", "status", "name"]


class FacilityFilterSet(_UnitFilterSet):
    kind = django_filters.CharFilter(label=_("设施"), field_name="kind_code")
    state = django_filters.ChoiceFilter(label=_("状态"), choices=FacilityState.choices)
    remote = django_filters.BooleanFilter(
        label=_("偏远乡镇"), field_name="unit__is_remote_township"
    )

    class Meta:
        model = Facility
        fields = ["unit", "kind", "state", "remote"]
