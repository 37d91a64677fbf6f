"""Django admin of the rankings, the three links and the quarterly review's results, inside the
user's jurisdiction.

Ranking groups and links are written through `assessment.rankings` (`ranking_group_save`,
`ranking_group_members_set`, `ranking_group_delete`, `supervision_link_save`,
`supervision_link_delete`), so scope, the members' kind and the unique names hold here as on
the pages; a refused save shows the reason. What the quarterly review computes (unit scores,
quarterly reviews, ranking places, runs) and the consequences (append-only, each announced by an
event) are read-only here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cadre.admin import ServiceErrorsMixin
from cadre.models import Cadre, Unit

from . import rankings
from .models import (
    Consequence,
    QuarterlyReview,
    QuarterlyRun,
    RankingEntry,
    RankingGroup,
    SupervisionLink,
    UnitQuarterScore,
)


def _copy_saved(obj, saved):
    obj.pk = saved.pk
    obj._state.adding = False


class _ReadOnly:
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ManagedThroughServices(ServiceErrorsMixin, admin.ModelAdmin):
    """Written by the organisation department only, through the services."""

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and rankings.can_manage_rankings(
            request.user
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and rankings.can_manage_rankings(
            request.user
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and rankings.can_manage_rankings(
            request.user
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Unit:
            kwargs["queryset"] = Unit.objects.restrict(request.user, "change").order_by("path")
        elif db_field.related_model is Cadre:
            kwargs["queryset"] = Cadre.objects.restrict(request.user, "change")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(RankingGroup)
class RankingGroupAdmin(_ManagedThroughServices):
    list_display = ["name", "unit", "kind", "top_n", "bottom_n"]
    list_select_related = ["unit"]
    list_filter = ["kind"]
    search_fields = ["name", "unit__name"]
    fields = ["unit", "name", "kind", "top_n", "bottom_n", "cadres", "units"]
    raw_id_fields = ["cadres", "units"]

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return rankings.ranking_groups(request.user)

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in ("unit", "name", "kind", "top_n", "bottom_n")}
        saved = rankings.ranking_group_save(
            actor=request.user, group=obj if change else None, **data
        )
        _copy_saved(obj, saved)

    def save_related(self, request, form, formsets, change):
        # The members go through the service (scope, kind, under the group's unit).
        rankings.ranking_group_members_set(
            actor=request.user,
            group=form.instance,
            cadres=form.cleaned_data.get("cadres") or [],
            units=form.cleaned_data.get("units") or [],
        )

    def delete_model(self, request, obj):
        rankings.ranking_group_delete(actor=request.user, group=obj)


@admin.register(SupervisionLink)
class SupervisionLinkAdmin(_ManagedThroughServices):
    list_display = ["cadre", "unit", "kind"]
    list_select_related = ["cadre", "unit"]
    list_filter = ["kind"]
    search_fields = ["cadre__name", "unit__name"]
    fields = ["cadre", "unit", "kind"]
    raw_id_fields = ["cadre"]

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return rankings.supervision_links(request.user)

    def get_readonly_fields(self, request, obj=None):
        # A link is re-tied by deleting it and adding another; only the kind changes here.
        return ["cadre", "unit"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = rankings.supervision_link_save(
            actor=request.user, cadre=obj.cadre, unit=obj.unit, kind=obj.kind
        )
        _copy_saved(obj, saved)

    def delete_model(self, request, obj):
        rankings.supervision_link_delete(actor=request.user, link=obj)


@admin.register(UnitQuarterScore)
class UnitQuarterScoreAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["unit", "year", "quarter", "points", "score"]
    list_select_related = ["unit"]
    list_filter = ["year", "quarter"]
    search_fields = ["unit__name"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.restrict(request.user)


@admin.register(QuarterlyRun)
class QuarterlyRunAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["year", "quarter", "status", "step", "percent", "started_at", "finished_at"]
    list_filter = ["status", "year", "quarter"]
    fields = [
        "year",
        "quarter",
        "status",
        "step",
        "percent",
        "counts",
        "error",
        "started_at",
        "finished_at",
    ]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if rankings.can_manage_rankings(request.user) else qs.none()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and rankings.can_manage_rankings(
            request.user
        )


@admin.register(RankingEntry)
class RankingEntryAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "group",
        "year",
        "quarter",
        "rank",
        "size",
        "subject",
        "score",
        "previous_rank",
        "is_top",
        "is_bottom",
    ]
    list_select_related = ["group", "cadre", "unit"]
    list_filter = ["year", "quarter", "is_top", "is_bottom"]
    search_fields = ["group__name", "cadre__name", "unit__name"]

    @admin.display(description=_("排名对象"))
    def subject(self, obj):
        return obj.cadre or obj.unit

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(group__in=rankings.ranking_groups(request.user))


@admin.register(Consequence)
class ConsequenceAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["cadre", "kind", "cause", "occurrence", "year", "quarter", "created_at"]
    list_select_related = ["cadre"]
    list_filter = ["kind", "cause", "year"]
    search_fields = ["cadre__name", "detail"]
    fields = ["cadre", "kind", "cause", "occurrence", "year", "quarter", "detail", "created_at"]

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request).select_related("cadre")
        return rankings.consequences_for(request.user)


class QuarterlyReviewAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "cadre",
        "year",
        "quarter",
        "unit",
        "weeks_recorded",
        "months_summarised",
        "evaluation_score",
        "score",
        "grade",
    ]
    list_select_related = ["cadre", "unit"]
    list_filter = ["year", "quarter", "grade"]
    search_fields = ["cadre__name", "unit__name"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.restrict(request.user)


# The ordinary assessment's admin may register the quarterly reviews itself one day.
if not admin.site.is_registered(QuarterlyReview):
    admin.site.register(QuarterlyReview, QuarterlyReviewAdmin)
