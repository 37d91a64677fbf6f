"""Django admin of turnover housing and the five small facilities (F 20): rows inside the
user's jurisdiction, read-only; allocations, moving out and facility states are recorded on the
pages or the API (`care.living`). Rooms may be put under repair or back into use here, through
`room_set_status`."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from . import living
from .admin_leave import ReadOnlyAdmin
from .choices import RoomStatus
from .models import Facility, HousingAllocation, HousingApplication, HousingRoom
from .models.common import can_write


@admin.register(HousingRoom)
class HousingRoomAdmin(ReadOnlyAdmin):
    list_display = ["unit", "building", "number", "area", "status"]
    list_select_related = ["unit"]
    list_filter = ["status"]
    search_fields = ["unit__name", "building", "number"]
    actions = ["set_repair", "set_vacant"]

    def has_status_permission(self, request):
        return self.has_view_permission(request) and can_write(request.user)

    def _set(self, request, queryset, status):
        for room in queryset:
            try:
                living.room_set_status(actor=request.user, room=room, status=status)
            except (living.TransitionConflict, ValidationError, PermissionDenied, Http404) as error:
                reason = "；".join(getattr(error, "messages", None) or [str(error)])
                self.message_user(request, f"{room}：{reason}", messages.ERROR)

    @admin.action(description=_("所选房间设为维修中"), permissions=["status"])
    def set_repair(self, request, queryset):
        self._set(request, queryset, RoomStatus.REPAIR)

    @admin.action(description=_("所选房间设为空置"), permissions=["status"])
    def set_vacant(self, request, queryset):
        self._set(request, queryset, RoomStatus.VACANT)


@admin.register(HousingAllocation)
class HousingAllocationAdmin(ReadOnlyAdmin):
    list_display = ["room", "cadre", "start_on", "end_on"]
    list_select_related = ["room", "room__unit", "cadre"]
    search_fields = ["cadre__name", "room__number"]


@admin.register(HousingApplication)
class HousingApplicationAdmin(ReadOnlyAdmin):
    list_display = ["unit", "cadre", "applied_on", "status"]
    list_select_related = ["unit", "cadre"]
    list_filter = ["status"]
    search_fields = ["cadre__name", "unit__name"]


@admin.register(Facility)
class FacilityAdmin(ReadOnlyAdmin):
    list_display = ["unit", "kind_label", "state", "updated_on"]
    list_select_related = ["unit"]
    list_filter = ["state", "kind_code", "unit__is_remote_township"]
    search_fields = ["unit__name"]
