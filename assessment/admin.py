"""Django admin of the annual assessment (年度考核): every model, inside the user's jurisdiction.

A staff user sees what `restrict(user, "view")` lets them see and writes only where
`restrict(user, "change")` allows and the cycle is still open. Every write goes through
assessment.services, so the rules hold here as on the pages and in the API: a cycle is opened
by `cycle_open`, a quota set by `unit_quota_set`, a grade saved by `annual_grades_save` (the 优秀
quota and the accountability blockers are enforced; a refused save shows the reason), a team
grade by `team_grade_save`. Closing and feeding back are done on the cycle's page, which asks
for confirmation. Nothing is deleted here: grades are the cadres' record."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cadre import access
from cadre.admin import ServiceErrorsMixin
from cadre.models import Cadre, Unit

from . import services
from .choices import CycleStatus
from .models import WRITE_ROLES, AnnualGrade, AssessmentCycle, TeamAssessment, UnitQuota


def shown(field, label):
    """A read-only column or field under a Chinese label, for model fields that have none."""

    @admin.display(description=label, ordering=field)
    def display(self, obj):
        value = getattr(obj, field)
        return "-" if value is None or value == "" else value

    return display


class Labels:
    cycle_shown = shown("cycle", _("年度考核"))
    created_by_shown = shown("created_by", _("建立人"))
    created_at_shown = shown("created_at", _("建立时间"))
    graded_by_shown = shown("graded_by", _("评定人"))
    graded_at_shown = shown("graded_at", _("评定时间"))

    @admin.display(description=_("考核年度"), ordering="cycle__year")
    def year_shown(self, obj):
        return obj.cycle.year


class CycleListFilter(admin.RelatedOnlyFieldListFilter):
    """The cycles of the rows the user can see (never another jurisdiction's titles)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("年度考核")

    def has_output(self):
        # Django drops a filter with a single choice, and with it the link from the cycle's
        # page (?cycle__id__exact=…): keep it.
        return True


def _copy_saved(obj, saved):
    """The admin goes on with the object it built; give it the identity of the saved row."""
    obj.pk = saved.pk
    obj._state.adding = False


def _may_write(user):
    return user.is_superuser or bool(set(user.roles or []) & WRITE_ROLES)


class AssessmentAdmin(Labels, ServiceErrorsMixin, admin.ModelAdmin):
    """Scoped by jurisdiction; created through a service (`create`) from `add_fields`; only
    `editable_fields` may be changed on a row of an open cycle (`change`); never deleted."""

    add_fields: list | None = None
    editable_fields: tuple = ()

    # --- scope ------------------------------------------------------------------------------

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.restrict(request.user, access.VIEW)

    def in_change_scope(self, request, obj):
        if obj.cycle.status != CycleStatus.OPEN:
            return False
        if request.user.is_superuser:
            return True
        return self.model.objects.restrict(request.user, access.CHANGE).filter(pk=obj.pk).exists()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        user = request.user
        if related is AssessmentCycle:
            cycles = AssessmentCycle.objects.filter(status=CycleStatus.OPEN)
            if not user.is_superuser:
                cycles = cycles.restrict(user, access.CHANGE)
            kwargs["queryset"] = cycles.select_related("unit")
            kwargs.setdefault("label", _("年度考核"))
        elif not user.is_superuser and related is Unit:
            kwargs["queryset"] = Unit.objects.restrict(user, access.VIEW)
        elif not user.is_superuser and related is Cadre:
            kwargs["queryset"] = Cadre.objects.restrict(user, access.VIEW)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- permissions ------------------------------------------------------------------------

    def has_add_permission(self, request, *args):
        return (
            self.add_fields is not None
            and super().has_add_permission(request, *args)
            and _may_write(request.user)
        )

    def has_change_permission(self, request, obj=None):
        if not self.editable_fields or not _may_write(request.user):
            return False
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or self.in_change_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- forms ------------------------------------------------------------------------------

    def get_fields(self, request, obj=None):
        if obj is None and self.add_fields is not None:
            return list(self.add_fields)
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f for f in self.fields if f not in self.editable_fields]

    def save_model(self, request, obj, form, change):
        if change:
            if any(f in self.editable_fields for f in form.changed_data):
                self.change(request, obj)
        else:
            _copy_saved(obj, self.create(request, form.cleaned_data))

    def create(self, request, data):
        raise NotImplementedError

    def change(self, request, obj):
        raise NotImplementedError


class UnitQuotaInline(Labels, admin.TabularInline):
    model = UnitQuota
    fields = ["unit", "raised", "raised_reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentCycle)
class AssessmentCycleAdmin(AssessmentAdmin):
    list_display = [
        "title",
        "year",
        "unit",
        "status",
        "closed_at",
        "fed_back_at",
        "grades_link",
    ]
    list_select_related = ["unit"]
    list_filter = ["status", "year"]
    search_fields = ["title", "unit__name"]
    add_fields = ["unit", "year", "title"]
    fields = [
        "title",
        "year",
        "unit",
        "status",
        "quota_list",
        "blockers_list",
        "closed_at",
        "fed_back_at",
        "created_by_shown",
        "created_at_shown",
        "grades_link",
        "teams_link",
    ]
    inlines = [UnitQuotaInline]

    @admin.display(description=_("干部等次"))
    def grades_link(self, obj):
        url = reverse("admin:assessment_annualgrade_changelist")
        return format_html('<a href="{}?cycle__id__exact={}">{}</a>', url, obj.pk, _("查看等次"))

    @admin.display(description=_("班子等次"))
    def teams_link(self, obj):
        url = reverse("admin:assessment_teamassessment_changelist")
        return format_html('<a href="{}?cycle__id__exact={}">{}</a>', url, obj.pk, _("查看等次"))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "title" and field is not None:
            field.required = False
            field.help_text = _("不填则为“单位+年度+年度考核”")
        return field

    def get_inline_instances(self, request, obj=None):
        # An add form has no quotas yet.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def in_change_scope(self, request, obj):
        return False  # The status moves on the cycle's page; nothing else changes.

    def create(self, request, data):
        return services.cycle_open(
            actor=request.user, unit=data["unit"], year=data["year"], title=data.get("title", "")
        )


@admin.register(UnitQuota)
class UnitQuotaAdmin(AssessmentAdmin):
    list_display = ["unit", "cycle_shown", "raised", "raised_reason"]
    list_select_related = ["cycle", "unit"]
    list_filter = [("cycle", CycleListFilter), "raised", "cycle__year"]
    search_fields = ["unit__name", "cycle__title", "raised_reason"]
    autocomplete_fields = ["unit"]
    add_fields = ["cycle", "unit", "raised", "raised_reason"]
    fields = ["cycle_shown", "unit", "raised", "raised_reason"]
    editable_fields = ("raised", "raised_reason")

    def create(self, request, data):
        return services.unit_quota_set(
            actor=request.user,
            cycle=data["cycle"],
            unit=data["unit"],
            raised=data["raised"],
            reason=data.get("raised_reason", ""),
        )

    def change(self, request, obj):
        services.unit_quota_set(
            actor=request.user,
            cycle=obj.cycle,
            unit=obj.unit,
            raised=obj.raised,
            reason=obj.raised_reason,
        )


@admin.register(AnnualGrade)
class AnnualGradeAdmin(AssessmentAdmin):
    list_display = [
        "cadre",
        "year_shown",
        "unit",
        "grade",
        "graded_at_shown",
        "fed_back_at",
    ]
    list_select_related = ["cycle", "cadre", "unit"]
    list_filter = [("cycle", CycleListFilter), "grade", "cycle__year", "cycle__status"]
    search_fields = ["cadre__name", "unit__name"]
    autocomplete_fields = ["cadre"]
    add_fields = ["cycle", "cadre", "grade", "responsibility", "comments"]
    fields = [
        "cycle_shown",
        "cadre",
        "unit",
        "grade",
        "responsibility",
        "comments",
        "graded_by_shown",
        "graded_at_shown",
        "fed_back_at",
    ]
    editable_fields = ("grade", "responsibility", "comments")

    def create(self, request, data):
        # The cadre is graded in their unit: the quota counts there.
        return services.annual_grade_save(
            actor=request.user,
            cycle=data["cycle"],
            cadre=data["cadre"],
            grade=data["grade"],
            responsibility=data["responsibility"],
            comments=data.get("comments", ""),
        )

    def change(self, request, obj):
        # Through the unit's save, so that the 优秀 quota and the blockers are checked again.
        services.annual_grades_save(
            actor=request.user,
            cycle=obj.cycle,
            unit=obj.unit,
            rows=[
                {
                    "cadre": obj.cadre_id,
                    "grade": obj.grade,
                    "responsibility": obj.responsibility,
                    "comments": obj.comments,
                }
            ],
        )


@admin.register(TeamAssessment)
class TeamAssessmentAdmin(AssessmentAdmin):
    list_display = ["unit", "year_shown", "grade", "graded_at_shown"]
    list_select_related = ["cycle", "unit"]
    list_filter = [("cycle", CycleListFilter), "grade", "cycle__year"]
    search_fields = ["unit__name"]
    autocomplete_fields = ["unit"]
    add_fields = ["cycle", "unit", "grade", "responsibility", "comments"]
    fields = [
        "cycle_shown",
        "unit",
        "grade",
        "responsibility",
        "comments",
        "graded_by_shown",
        "graded_at_shown",
    ]
    editable_fields = ("grade", "responsibility", "comments")

    def create(self, request, data):
        return services.team_grade_save(
            actor=request.user,
            cycle=data["cycle"],
            unit=data["unit"],
            grade=data["grade"],
            responsibility=data["responsibility"],
            comments=data.get("comments", ""),
        )

    def change(self, request, obj):
        services.team_grade_save(
            actor=request.user,
            cycle=obj.cycle,
            unit=obj.unit,
            grade=obj.grade,
            responsibility=obj.responsibility,
            comments=obj.comments,
        )


# The other parts of the assessment register their models in their own modules.
from . import admin_evaluation, admin_ordinary, admin_points, admin_rankings  # noqa: E402, F401
