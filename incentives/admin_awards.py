"""Django admin of awards and exemplars: the campaigns, nominees, objections and the exemplar
register inside the user's jurisdiction, read-only. Campaign steps are admin actions that go
through `incentives.awards.campaign_transition`, so the transition table, the notice window
and the open-objection check hold as everywhere (a refused campaign is named with the reason).
Records are created on the pages or the API, never edited or deleted here."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import awards
from .models import AwardCampaign, Exemplar, Nomination, Objection
from .models.common import can_write


class _ReadOnly(admin.ModelAdmin):
    selector = None

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return type(self).selector(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


def _step_action(name, description):
    def run(modeladmin, request, queryset):
        done, refused = 0, []
        for campaign in queryset:
            try:
                awards.campaign_transition(actor=request.user, campaign=campaign, name=name)
            except (ValidationError, PermissionDenied, Http404, awards.TransitionConflict) as e:
                reason = "；".join(getattr(e, "messages", None) or [str(e)])
                refused.append(f"{campaign.title}：{reason}")
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request,
                gettext("已办理%(n)s个活动：%(step)s。") % {"n": done, "step": description},
                messages.SUCCESS,
            )
        for line in refused:
            modeladmin.message_user(request, line, messages.ERROR)

    run.__name__ = name
    return admin.action(description=description, permissions=["step"])(run)


@admin.register(AwardCampaign)
class AwardCampaignAdmin(_ReadOnly):
    selector = staticmethod(awards.campaigns_for)
    list_display = ["title", "year", "kind_label", "unit", "status", "notice_start", "notice_end"]
    list_select_related = ["unit"]
    list_filter = ["status", "year", "kind_label"]
    search_fields = ["title", "unit__name"]
    actions = [
        _step_action("close_nominations", _("截止推荐，进入审核")),
        _step_action("start_notice", _("开始公示")),
        _step_action("award", _("公示期满，予以表彰")),
    ]

    def has_step_permission(self, request):
        return self.has_view_permission(request) and can_write(request.user)


@admin.register(Nomination)
class NominationAdmin(_ReadOnly):
    selector = staticmethod(awards.nominations_for)
    list_display = ["__str__", "campaign", "status", "awarded_on"]
    list_select_related = ["campaign", "cadre", "nominee_unit"]
    list_filter = ["status"]
    search_fields = ["cadre__name", "nominee_unit__name", "campaign__title"]


@admin.register(Objection)
class ObjectionAdmin(_ReadOnly):
    selector = staticmethod(awards.objections_for)
    list_display = ["nomination", "received_on", "status", "resolved_at"]
    list_select_related = ["nomination__cadre", "nomination__nominee_unit"]
    list_filter = ["status"]


@admin.register(Exemplar)
class ExemplarAdmin(_ReadOnly):
    selector = staticmethod(awards.exemplars_for)
    list_display = ["__str__", "year", "title", "unit"]
    list_select_related = ["unit", "cadre", "collective"]
    list_filter = ["year"]
    search_fields = ["title", "cadre__name", "collective__name"]
