"""Forms of turnover housing and the five small facilities; the rules live in
`care.living`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import CadreChoiceField, UnitChoiceField
from cadre.models import Cadre, Unit

from . import living
from .choices import FacilityState, RoomStatus
from .forms_leave import CareForm, cadre_field, date_widget


def _township_field(form, user):
    field = form.fields["unit"]
    field.queryset = living.townships(user, "change").order_by("path")
    field.base_depth = user.unit.depth if user.unit_id else 0


class RoomForm(CareForm):
    unit = UnitChoiceField(label=_("所在乡镇"), queryset=Unit.objects.none())
    building = forms.CharField(label=_("楼栋"), max_length=50)
    number = forms.CharField(label=_("房号"), max_length=20)
    area = forms.DecimalField(label=_("面积（㎡）"), max_digits=6, decimal_places=1, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _township_field(self, user)


class RoomStatusForm(CareForm):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[
            (RoomStatus.VACANT, RoomStatus.VACANT.label),
            (RoomStatus.REPAIR, RoomStatus.REPAIR.label),
        ],
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class HousingApplyForm(CareForm):
    cadre = CadreChoiceField(label=_("申请人"), queryset=Cadre.objects.none())
    unit = UnitChoiceField(label=_("申请乡镇"), queryset=Unit.objects.none())
    applied_on = forms.DateField(label=_("申请日期"), widget=date_widget())
    reason = forms.CharField(label=_("申请理由"), max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cadre_field(self, user, initial=self.initial.get("cadre"))
        _township_field(self, user)
        self.fields["applied_on"].initial = timezone.localdate()


class AllocateForm(CareForm):
    cadre = CadreChoiceField(label=_("入住干部"), queryset=Cadre.objects.none())
    start_on = forms.DateField(label=_("入住日期"), widget=date_widget())
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cadre_field(self, user, initial=self.initial.get("cadre"))
        self.fields["start_on"].initial = timezone.localdate()


class MoveOutForm(CareForm):
    end_on = forms.DateField(label=_("退房日期"), widget=date_widget())
    note = forms.CharField(label=_("备注"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_on"].initial = timezone.localdate()


class FacilityForm(CareForm):
    state = forms.ChoiceField(label=_("状态"), choices=FacilityState.choices)
    updated_on = forms.DateField(label=_("更新日期"), widget=date_widget())
    note = forms.CharField(
        label=_("情况说明"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["updated_on"].initial = timezone.localdate()
