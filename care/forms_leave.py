"""Forms of the leave pages. They check the shape of the input; the rules (entitlement,
working days, overlaps, balances) live in `care.leave`, whose errors the views put back on the
field they name."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import CadreChoiceField, limit_cadre_options
from cadre.models import Cadre

from .choices import LeaveKind


def date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CareForm(forms.Form):
    """Chinese messages for the common input errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("请输入有效日期，例如 2026-06-30")
            if isinstance(field, forms.DecimalField | forms.IntegerField):
                field.error_messages["invalid"] = _("请输入有效数字")
            if isinstance(field, forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = _("请从列表中选择")


def cadre_field(form, user, name="cadre", action="change", initial=None):
    """Offer the cadres the user manages (a searchable, capped list)."""
    field = form.fields[name]
    field.queryset = Cadre.objects.restrict(user, action).select_related("unit")
    selected = []
    raw = form.data.get(form.add_prefix(name)) if form.is_bound else initial
    if str(raw or "").isdigit():
        selected = [raw]
    limit_cadre_options(field, "", selected)


class LeavePlanForm(CareForm):
    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    planned_days = forms.IntegerField(
        label=_("计划休假天数"), min_value=0, help_text=_("不超过按累计工作年限计算的应休天数")
    )
    planned_periods = forms.CharField(
        label=_("计划休假时段"),
        max_length=300,
        required=False,
        help_text=_("例如：5月中旬3天，10月下旬5天"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cadre_field(self, user, initial=self.initial.get("cadre"))
        self.fields["year"].initial = timezone.localdate().year


class LeaveRecordForm(CareForm):
    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    kind = forms.ChoiceField(label=_("类别"), choices=LeaveKind.choices)
    start_on = forms.DateField(label=_("开始日期"), widget=date_widget())
    end_on = forms.DateField(
        label=_("结束日期"), widget=date_widget(), help_text=_("按工作日计算，周末和法定节假日不计")
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cadre_field(self, user, initial=self.initial.get("cadre"))


class OvertimeForm(CareForm):
    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    worked_on = forms.DateField(label=_("加班日期"), widget=date_widget())
    days = forms.DecimalField(
        label=_("折合天数"), max_digits=3, decimal_places=1, help_text=_("0.5或1天")
    )
    reason = forms.CharField(label=_("加班事由"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cadre_field(self, user, initial=self.initial.get("cadre"))
        self.fields["worked_on"].initial = timezone.localdate()
        self.fields["days"].initial = 1


class OverviewFilterForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    unit = forms.IntegerField(label=_("单位（含下级）"), required=False)
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    leaders = forms.BooleanField(label=_("只看领导干部"), required=False)
    without_plan = forms.BooleanField(label=_("只看未制定计划"), required=False)
