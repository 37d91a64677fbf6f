"""Django admin of priority promotion and exceptional promotion: the records inside the user's
jurisdiction, read-only. Links, candidate lists and candidates are written on the pages or the
API through `incentives.selection`; here the organisation department may withdraw links (with
a standard reason) and check the candidates of lists in preparation, through the same
services, so every rule and log line holds as everywhere."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import selection
from .models import Candidate, CandidateList, PriorityRecord
from .models.common import can_write


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_act_permission(self, request):
        return self.has_view_permission(request) and can_write(request.user)


def _reason(error) -> str:
    return "；".join(getattr(error, "messages", None) or [str(error)])


@admin.register(PriorityRecord)
class PriorityRecordAdmin(_ReadOnly):
    list_display = [
        "cadre",
        "situation_code",
        "situation_label",
        "evidence_on",
        "status",
        "recorded_by",
    ]
    list_select_related = ["cadre", "recorded_by"]
    list_filter = ["status", "situation_code"]
    search_fields = ["cadre__name", "situation_label", "evidence"]
    date_hierarchy = "evidence_on"
    fields = [
        "cadre",
        "situations_list",
        "situation_code",
        "situation_label",
        "evidence",
        "evidence_on",
        "status",
        "withdrawn_reason",
        "recorded_by",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["withdraw_selected"]

    def get_queryset(self, request):
        return selection.priority_records(request.user)

    @admin.action(description=_("撤销所选情形（登记有误）"), permissions=["act"])
    def withdraw_selected(self, request, queryset):
        done, refused = 0, []
        for record in queryset.select_related("cadre"):
            try:
                selection.priority_withdraw(
                    actor=request.user, record=record, reason=gettext("登记有误（后台撤销）")
                )
            except (
                ValidationError,
                PermissionDenied,
                Http404,
                selection.TransitionConflict,
            ) as error:
                refused.append(f"{record.cadre.name}“{record.situation_label}”：{_reason(error)}")
            else:
                done += 1
        if done:
            self.message_user(
                request, gettext("已撤销%(n)s条情形。") % {"n": done}, messages.SUCCESS
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)


class CandidateInline(admin.TabularInline):
    model = Candidate
    extra = 0
    can_delete = False
    fields = ["cadre", "path_code", "target_post", "target_level", "checks_passed", "status"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            Candidate.objects.restrict(request.user)
            .select_related("cadre", "target_level")
            .order_by("pk")
        )


@admin.register(CandidateList)
class CandidateListAdmin(_ReadOnly):
    list_display = ["title", "year", "unit", "status", "created_at"]
    list_select_related = ["unit"]
    list_filter = ["status", "year"]
    search_fields = ["title", "unit__name"]
    fields = ["unit", "title", "year", "paths_list", "checks_list", "status", "note", "created_at"]
    readonly_fields = fields
    inlines = [CandidateInline]
    actions = ["check_selected"]

    def get_queryset(self, request):
        return selection.candidate_lists(request.user)

    @admin.action(description=_("核查所选名单全部人选的破格条件"), permissions=["act"])
    def check_selected(self, request, queryset):
        for candidate_list in queryset:
            try:
                checked = selection.candidates_check(
                    actor=request.user, candidate_list=candidate_list
                )
            except (ValidationError, PermissionDenied, Http404) as error:
                self.message_user(
                    request, f"{candidate_list.title}：{_reason(error)}", messages.ERROR
                )
            else:
                passed = sum(1 for c in checked if c.checks_passed)
                self.message_user(
                    request,
                    gettext("%(t)s：核查%(n)s人，符合%(ok)s人")
                    % {"t": candidate_list.title, "n": len(checked), "ok": passed},
                    messages.SUCCESS,
                )


@admin.register(Candidate)
class CandidateAdmin(_ReadOnly):
    list_display = [
        "cadre",
        "candidate_list",
        "path_code",
        "target_post",
        "checks_passed",
        "status",
    ]
    list_select_related = ["cadre", "candidate_list"]
    list_filter = ["status", "checks_passed", "path_code"]
    search_fields = ["cadre__name", "target_post", "candidate_list__title"]
    fields = [
        "candidate_list",
        "cadre",
        "path_code",
        "path_label",
        "target_post",
        "target_level",
        "deeds",
        "healthy",
        "outstanding",
        "recognised",
        "check_results",
        "checks_passed",
        "checked_at",
        "status",
        "decision_note",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return Candidate.objects.restrict(request.user).select_related("cadre", "candidate_list")
