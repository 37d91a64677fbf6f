"""Django admin of the ordinary assessment (平时考核): weekly records, monthly summaries and the
quarterly reviews, inside the user's jurisdiction (`restrict(user, "view")`).

Writes go through `assessment.ordinary`, so the rules hold here as on the pages and in the API:
only the cadre, the leader of the cadre's unit or the organisation department write a record; a
week is filed under its Monday and a month under its first day, neither in the future; a
reviewed summary is final; the review is never the cadre's own. The quarterly reviews are
written by the quarterly job and are read-only here. Nothing is deleted: the records are the
cadres' file."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cadre.admin import ServiceErrorsMixin
from cadre.models import Cadre

from . import ordinary
from .models import MonthlySummary, QuarterlyReview, WeeklyRecord


def _copy_saved(obj, saved):
    """The admin goes on with the object it built; give it the identity of the saved row."""
    obj.pk = saved.pk
    obj._state.adding = False


class _NormalisedDateForm(forms.ModelForm):
    """Files the date under its week's Monday or its month's first day before the model's
    constraints are checked, so that any day of the week or month is accepted."""

    date_field = ""
    normalise = staticmethod(lambda value: value)

    def clean(self):
        data = super().clean()
        value = data.get(self.date_field)
        if value is not None and self.date_field in self.fields:
            try:
                data[self.date_field] = self.normalise(value)
            except ValidationError as error:
                self.add_error(self.date_field, error.message_dict.get(self.date_field))
            else:
                setattr(self.instance, self.date_field, data[self.date_field])
        return data


class WeeklyRecordForm(_NormalisedDateForm):
    date_field = "week_start"
    normalise = staticmethod(ordinary.normalise_week)

    class Meta:
        model = WeeklyRecord
        fields = ["cadre", "week_start", "work_done", "next_plan"]


class MonthlySummaryForm(_NormalisedDateForm):
    date_field = "month"
    normalise = staticmethod(ordinary.normalise_month)

    class Meta:
        model = MonthlySummary
        fields = ["cadre", "month", "summary", "review"]


class OrdinaryAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    """Scoped to the user's view; never deleted."""

    list_select_related = ["cadre__unit"]
    search_fields = ["cadre__name"]
    autocomplete_fields: list = []

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.restrict(request.user, "view")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Cadre and not request.user.is_superuser:
            kwargs["queryset"] = Cadre.objects.restrict(request.user, "view")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("所在单位"), ordering="cadre__unit__path")
    def unit_shown(self, obj):
        return obj.cadre.unit.name

    @admin.display(description=_("填写人"))
    def recorded_by_shown(self, obj):
        return obj.recorded_by or "-"

    @admin.display(description=_("填写时间"))
    def recorded_at_shown(self, obj):
        return obj.recorded_at


@admin.register(WeeklyRecord)
class WeeklyRecordAdmin(OrdinaryAdmin):
    form = WeeklyRecordForm
    list_display = ["cadre", "unit_shown", "week_start", "recorded_by_shown", "recorded_at"]
    list_filter = ["week_start"]
    date_hierarchy = "week_start"
    list_select_related = ["cadre__unit", "recorded_by"]

    def get_fields(self, request, obj=None):
        fields = ["cadre", "week_start", "work_done", "next_plan"]
        return fields if obj is None else [*fields, "recorded_by_shown", "recorded_at_shown"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["cadre", "week_start", "recorded_by_shown", "recorded_at_shown"]
        if not ordinary.can_write_records(request.user, obj.cadre):
            readonly += ["work_done", "next_plan"]
        return readonly

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or ordinary.can_write_records(request.user, obj.cadre)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = ordinary.weekly_record_save(
            actor=request.user,
            cadre=obj.cadre,
            week_start=obj.week_start,
            work_done=data.get("work_done", obj.work_done),
            next_plan=data.get("next_plan", obj.next_plan),
        )
        _copy_saved(obj, saved)


@admin.register(MonthlySummary)
class MonthlySummaryAdmin(OrdinaryAdmin):
    form = MonthlySummaryForm
    list_display = ["cadre", "unit_shown", "month", "reviewed", "recorded_by_shown"]
    list_filter = ["month"]
    date_hierarchy = "month"
    list_select_related = ["cadre__unit", "recorded_by"]

    @admin.display(description=_("已审阅"), boolean=True)
    def reviewed(self, obj):
        return bool(obj.review)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["cadre", "month", "summary"]
        return ["cadre", "month", "summary", "review", "reviewed_by", "recorded_by_shown"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["cadre", "month", "reviewed_by", "recorded_by_shown"]
        if obj.review or not ordinary.can_write_records(request.user, obj.cadre):
            readonly.append("summary")
        if not ordinary.can_review(request.user, obj.cadre):
            readonly.append("review")
        return readonly

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return ordinary.can_write_records(request.user, obj.cadre) or ordinary.can_review(
            request.user, obj.cadre
        )

    def save_model(self, request, obj, form, change):
        if not change:
            saved = ordinary.monthly_summary_save(
                actor=request.user, cadre=obj.cadre, month=obj.month, summary=obj.summary
            )
            _copy_saved(obj, saved)
            return
        if "summary" in form.changed_data:
            ordinary.monthly_summary_save(
                actor=request.user, cadre=obj.cadre, month=obj.month, summary=obj.summary
            )
        if "review" in form.changed_data:
            ordinary.monthly_summary_review(actor=request.user, summary=obj, review=obj.review)


@admin.register(QuarterlyReview)
class QuarterlyReviewAdmin(OrdinaryAdmin):
    list_display = ["cadre", "year", "quarter", "unit", "weeks_recorded", "score", "grade"]
    list_filter = ["year", "quarter", "grade"]
    list_select_related = ["cadre__unit", "unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
