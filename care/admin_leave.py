"""Django admin of leave (F 19, ZJK 12(五)): plans, leave taken and overtime inside the user's
jurisdiction, read-only. They are recorded on the leave pages or the API (`care.leave`), so the
entitlement, working-day and balance rules hold everywhere."""

from django.contrib import admin

from .models import LeavePlan, LeaveRecord, OvertimeRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the user's jurisdiction covers; nothing is added, changed or deleted here."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.restrict(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(LeavePlan)
class LeavePlanAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "year", "service_years", "entitlement_days", "planned_days"]
    list_select_related = ["cadre"]
    list_filter = ["year"]
    search_fields = ["cadre__name"]


@admin.register(LeaveRecord)
class LeaveRecordAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "kind", "start_on", "end_on", "days"]
    list_select_related = ["cadre"]
    list_filter = ["kind", "year"]
    search_fields = ["cadre__name"]
    date_hierarchy = "start_on"


@admin.register(OvertimeRecord)
class OvertimeRecordAdmin(ReadOnlyAdmin):
    list_display = ["cadre", "worked_on", "days", "reason"]
    list_select_related = ["cadre"]
    search_fields = ["cadre__name", "reason"]
    date_hierarchy = "worked_on"
