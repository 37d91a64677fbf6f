"""Django admin of the health check-ups (F 19): plans and records inside the user's
jurisdiction, read-only. Plans are made, cadres enrolled and check-ups recorded on the pages or
the API (`care.health` services), so the rules hold everywhere. The conclusion and health
advice are shown only to those who may read them."""

from django.contrib import admin

from . import health
from .models import CheckupPlan, CheckupRecord

# Shown only to the cadre and the organisation department (health.can_read_conclusion).
SENSITIVE = ("conclusion", "follow_up")


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CheckupPlan)
class CheckupPlanAdmin(_ReadOnly):
    list_display = ["year", "title", "unit", "start_on", "deadline", "institution"]
    list_select_related = ["unit"]
    list_filter = ["year"]
    search_fields = ["title", "unit__name"]
    fields = [
        "unit",
        "year",
        "title",
        "standard_items",
        "institution",
        "start_on",
        "deadline",
        "extras_list",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return health.plan_list(request.user)


@admin.register(CheckupRecord)
class CheckupRecordAdmin(_ReadOnly):
    list_display = ["cadre", "plan", "status", "attended_on", "extra_items"]
    list_select_related = ["cadre", "plan"]
    list_filter = ["status", "plan__year"]
    search_fields = ["cadre__name", "plan__title"]
    fields = [
        "plan",
        "cadre",
        "extra_items",
        "status",
        "attended_on",
        "conclusion",
        "follow_up",
        "exemption_reason",
        "reminded_at",
        "updated_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return health.record_list(request.user)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None or not health.can_read_conclusion(request.user, obj):
            fields = [f for f in fields if f not in SENSITIVE]
        return fields
