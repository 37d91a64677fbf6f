"""Django admin of the 360-degree evaluation (360度反馈评价法): the rounds and their subjects,
read-only and inside the user's jurisdiction.

A round is opened, given links and closed on its page (assessment:evaluation_detail), where the
rules of `assessment.evaluation` apply and closing asks for confirmation; nothing is added,
changed or deleted here.

`EvaluationScore` and `RaterInvitation` are deliberately NOT registered. The raters are promised
anonymity: a score must never be shown on its own, only the aggregates of the round's page
(with groups of fewer than `MIN_GROUP_SIZE` scores hidden). A per-row list of scores — even
without any link to the invitation — would show single scores of small groups and, next to the
invitations' usage days, could hint at who gave which. The invitations hold nothing an
administrator needs (a hash and a day); their counts per group are on the round's page."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import evaluation as ev
from .models import Evaluation, EvaluationSubject


class SubjectInline(admin.TabularInline):
    model = EvaluationSubject
    fields = ["cadre", "team"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cadre", "team")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "quarter", "unit", "status", "closes_on", "page_link"]
    list_select_related = ["unit"]
    list_filter = ["status", "year", "quarter"]
    search_fields = ["title", "unit__name"]
    fields = [
        "title",
        "unit",
        "year",
        "quarter",
        "status",
        "closes_on",
        "groups_list",
        "created_by",
        "page_link",
    ]
    readonly_fields = fields
    inlines = [SubjectInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return ev.evaluations_for(request.user)

    @admin.display(description=_("评价页面（结果与链接）"))
    def page_link(self, obj):
        url = reverse("assessment:evaluation_detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("打开"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
