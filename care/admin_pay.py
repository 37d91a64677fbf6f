"""Django admin of the annual assessment bonuses (F 18) inside the user's jurisdiction.

Writes go through `care.pay`: a new bonus takes the snapshot of post level, rank and unit from
the service and is refused for a cadre and year already recorded; a change corrects the amount
only, logged. Nothing is deleted."""

from django import forms
from django.contrib import admin

from cadre.admin import ServiceErrorsMixin
from cadre.models import Cadre

from . import pay
from .models import AssessmentBonus
from .models.common import can_write

SNAPSHOT = ["unit", "county", "side", "hardship_area", "post_level", "rank"]


class AssessmentBonusForm(forms.ModelForm):
    class Meta:
        model = AssessmentBonus
        fields = ["cadre", "year", "amount"]


@admin.register(AssessmentBonus)
class AssessmentBonusAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    form = AssessmentBonusForm
    list_display = ["cadre", "year", "amount", "side", "unit", "post_level", "rank"]
    list_select_related = ["cadre", "unit", "post_level", "rank"]
    list_filter = ["year", "side", "hardship_area"]
    search_fields = ["cadre__name"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.restrict(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cadre" and not request.user.is_superuser:
            kwargs["queryset"] = Cadre.objects.restrict(request.user, "change")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        return (
            ["cadre", "year", "amount"] if obj is None else ["cadre", "year", "amount", *SNAPSHOT]
        )

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["cadre", "year", *SNAPSHOT]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (
            request.user.is_superuser or can_write(request.user)
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if request.user.is_superuser:
            return True
        if not can_write(request.user):
            return False
        return (
            obj is None
            or AssessmentBonus.objects.restrict(request.user, "change").filter(pk=obj.pk).exists()
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            saved = pay.bonus_correct(
                actor=request.user, bonus=obj, amount=form.cleaned_data["amount"]
            )
        else:
            saved = pay.bonus_record(
                actor=request.user,
                cadre=form.cleaned_data["cadre"],
                year=form.cleaned_data["year"],
                amount=form.cleaned_data["amount"],
            )
        obj.pk = saved.pk
        obj._state.adding = False
