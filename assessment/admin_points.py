"""Django admin of the points ledger (考核积分制): the entries inside the user's jurisdiction,
read-only. An entry is submitted on the ledger pages or the API (`points_entry_submit`); here the
organisation department may approve pending entries with an action that goes through
`points_entry_review`, so four-eyes and "only pending" hold as everywhere (a refused entry is
named with the reason). Returning an entry needs a note: that is done on the review page.
Nothing is changed or deleted here: approved points are final."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import points
from .models import PointsEntry


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_on",
        "unit",
        "item_label",
        "role",
        "points",
        "cadre",
        "status",
        "submitted_by_shown",
        "reviewed_by_shown",
    ]
    list_select_related = ["unit", "cadre", "item", "submitted_by", "reviewed_by"]
    list_filter = ["status", "role", "occurred_on"]
    search_fields = ["unit__name", "cadre__name", "item__label", "evidence"]
    date_hierarchy = "occurred_on"
    fields = [
        "unit",
        "cadre",
        "catalogue",
        "item",
        "occurred_on",
        "base_points",
        "role",
        "points",
        "evidence",
        "status",
        "submitted_by_shown",
        "submitted_at",
        "reviewed_by_shown",
        "reviewed_at",
        "review_note",
    ]
    readonly_fields = fields
    actions = ["approve_selected"]

    @admin.display(description=_("积分项目"), ordering="item__label")
    def item_label(self, obj):
        return obj.item.label

    @admin.display(description=_("提交人"))
    def submitted_by_shown(self, obj):
        return obj.submitted_by or "-"

    @admin.display(description=_("审核人"))
    def reviewed_by_shown(self, obj):
        return obj.reviewed_by or "-"

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return points.points_ledger(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return self.has_view_permission(request) and points.is_points_reviewer(request.user)

    @admin.action(description=_("审核通过所选积分"), permissions=["review"])
    def approve_selected(self, request, queryset):
        approved, refused = 0, []
        for entry in queryset.select_related("unit", "item"):
            try:
                points.points_entry_review(actor=request.user, entry=entry, approve=True)
            except (ValidationError, PermissionDenied, Http404) as error:
                reason = "；".join(getattr(error, "messages", None) or [str(error)])
                refused.append(f"{entry.unit.name}“{entry.item.label}”：{reason}")
            else:
                approved += 1
        if approved:
            self.message_user(
                request, gettext("已审核通过%(n)s条积分。") % {"n": approved}, messages.SUCCESS
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)
