"""Django admin of the talks: the records inside the user's jurisdiction, read-only (talks are
recorded, due talks closed, requests answered on the pages or the API, through `care.talks`).
The organisation department may cancel due talks here with an action that goes through
`obligation_cancel`. A talk's confidential content and a request's content are shown only to
whom `can_read_confidential` / `can_read_request_content` allows."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import talks
from .models import MisfortuneReport, Talk, TalkObligation, TalkRequest
from .models.common import can_write


class _ReadOnlyScoped(admin.ModelAdmin):
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.restrict(request.user)

    def get_object(self, request, object_id, from_field=None):
        # Who reads the record decides what of it is shown (confidential content).
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._viewer = request.user
        return obj

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Talk)
class TalkAdmin(_ReadOnlyScoped):
    list_display = ["held_on", "cadre", "talker_name", "kind", "confidential"]
    list_select_related = ["cadre"]
    list_filter = ["kind", "confidential", "held_on"]
    search_fields = ["cadre__name", "talker_name"]
    date_hierarchy = "held_on"
    fields = [
        "cadre",
        "talker_name",
        "talker_cadre",
        "kind",
        "held_on",
        "place",
        "summary",
        "follow_up",
        "confidential",
        "confidential_shown",
        "recorded_by",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("保密内容"))
    def confidential_shown(self, obj):
        return talks.confidential_shown(getattr(obj, "_viewer", None), obj) or "-"


@admin.register(TalkObligation)
class TalkObligationAdmin(_ReadOnlyScoped):
    list_display = [
        "cadre",
        "trigger_label",
        "reason",
        "due_on",
        "status",
        "responsible_unit",
        "assignee",
        "reminded_at",
        "escalated_at",
    ]
    list_select_related = ["cadre", "responsible_unit", "assignee"]
    list_filter = ["status", "trigger_code", "due_on"]
    search_fields = ["cadre__name", "reason"]
    date_hierarchy = "due_on"
    readonly_fields = [
        "cadre",
        "triggers_list",
        "trigger_code",
        "trigger_label",
        "reason",
        "responsible_unit",
        "assignee",
        "created_on",
        "due_on",
        "status",
        "reminded_at",
        "escalated_at",
        "talk",
        "cancel_reason",
    ]
    fields = readonly_fields
    actions = ["cancel_selected"]

    def has_cancel_permission(self, request):
        return self.has_view_permission(request) and can_write(request.user)

    @admin.action(description=_("取消所选应谈事项（干部已调离、退休等）"), permissions=["cancel"])
    def cancel_selected(self, request, queryset):
        done, refused = 0, []
        for obligation in queryset.select_related("cadre"):
            try:
                talks.obligation_cancel(
                    actor=request.user,
                    obligation=obligation,
                    reason=gettext("在管理后台取消"),
                )
            except (ValidationError, PermissionDenied, Http404, talks.TransitionConflict) as e:
                reason = "；".join(getattr(e, "messages", None) or [str(e)])
                refused.append(f"{obligation.cadre.name}：{reason}")
            else:
                done += 1
        if done:
            self.message_user(
                request, gettext("已取消%(n)s项应谈事项。") % {"n": done}, messages.SUCCESS
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)


@admin.register(TalkRequest)
class TalkRequestAdmin(_ReadOnlyScoped):
    list_display = ["created_at", "cadre", "topic", "status"]
    list_select_related = ["cadre"]
    list_filter = ["status"]
    search_fields = ["cadre__name", "topic"]
    fields = [
        "cadre",
        "topic",
        "content_shown",
        "preferred_talker",
        "status",
        "response",
        "handled_by",
        "talk",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("想说的话"))
    def content_shown(self, obj):
        return talks.request_content_shown(getattr(obj, "_viewer", None), obj)


@admin.register(MisfortuneReport)
class MisfortuneReportAdmin(_ReadOnlyScoped):
    list_display = ["occurred_on", "cadre", "reported_by", "created_at"]
    list_select_related = ["cadre", "reported_by"]
    search_fields = ["cadre__name"]
    fields = ["cadre", "occurred_on", "description", "reported_by", "created_at"]
    readonly_fields = fields
