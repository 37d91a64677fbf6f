"""Django admin of the ledger of handled and disciplined cadres, 能上能下 and the expiry reviews:
the rows inside the user's jurisdiction, read-only. Records are entered and changed on the
ledger pages or the API, through `incentives.ledger`, so the impact periods, the transitions
and the timeline hold as everywhere; tracking entries are append-only. The one write here, the
action that opens the reviews now due, runs the same service as the daily task."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cadre import access

from . import ledger
from .models import Adjustment, ExpiryReview, Sanction, SanctionTracking


class _ReadOnlyScoped(admin.ModelAdmin):
    scoped_select = ()

    def get_queryset(self, request):
        qs = self.model.objects.restrict(request.user)
        return qs.select_related(*self.scoped_select) if self.scoped_select else qs

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TrackingInline(admin.TabularInline):
    model = SanctionTracking
    extra = 0
    can_delete = False
    fields = ["tracked_on", "attitude", "work", "public_opinion", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Sanction)
class SanctionAdmin(_ReadOnlyScoped):
    list_display = ["cadre", "kind_label", "category", "decided_on", "impact_until", "status"]
    list_filter = ["status", "category", "decided_on"]
    search_fields = ["cadre__name", "kind_label", "reason", "document_number"]
    date_hierarchy = "decided_on"
    scoped_select = ("cadre__unit",)
    inlines = [TrackingInline]


@admin.register(SanctionTracking)
class SanctionTrackingAdmin(_ReadOnlyScoped):
    list_display = ["sanction", "tracked_on", "attitude", "work", "public_opinion"]
    list_filter = ["attitude", "work", "public_opinion"]
    search_fields = ["sanction__cadre__name"]
    scoped_select = ("sanction__cadre",)


@admin.register(Adjustment)
class AdjustmentAdmin(_ReadOnlyScoped):
    list_display = ["cadre", "action", "from_post", "to_post", "decided_on", "impact_until"]
    list_filter = ["action", "status", "decided_on"]
    search_fields = ["cadre__name", "reason", "from_post", "to_post"]
    date_hierarchy = "decided_on"
    scoped_select = ("cadre",)


@admin.register(ExpiryReview)
class ExpiryReviewAdmin(_ReadOnlyScoped):
    list_display = ["cadre", "sanction", "adjustment", "opened_on", "status", "decision"]
    list_filter = ["status", "decision", "opened_on"]
    search_fields = ["cadre__name"]
    scoped_select = ("cadre", "sanction__cadre", "adjustment__cadre")
    actions = ["open_due_reviews"]

    def has_open_permission(self, request):
        # The run covers every jurisdiction, as the daily task does: whole-system admins only.
        return self.has_view_permission(request) and access.scope_for(request.user).everything

    @admin.action(description=_("立即启动影响期已满的研判"), permissions=["open"])
    def open_due_reviews(self, request, queryset):
        opened = ledger.open_expiry_reviews()
        self.message_user(
            request, gettext("已启动%(n)s项影响期满研判。") % {"n": opened}, messages.SUCCESS
        )
