"""Forms of the pay-tilt pages. They check the shape of the input; the rules (one bonus per
cadre and year, the snapshot, the amounts) live in `care.pay`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import CadreChoiceField
from cadre.models import Cadre

from .forms_leave import CareForm, cadre_field


def last_year():
    return timezone.localdate().year - 1


class BonusForm(CareForm):
    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=_("年度考核奖金额（元）"), min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cadre_field(self, user, initial=self.initial.get("cadre"))
        self.fields["year"].initial = last_year()
        self.fields["amount"].error_messages["min_value"] = _("金额不能为负数")


class BonusCorrectForm(CareForm):
    amount = forms.DecimalField(
        label=_("更正后金额（元）"), min_value=0, max_digits=12, decimal_places=2
    )
    note = forms.CharField(label=_("更正原因"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].error_messages["min_value"] = _("金额不能为负数")


class BonusImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel文件（.xlsx）"),
        help_text=_("第一行为列名：姓名、身份证号（或干部编号）、年度、金额（元）"),
        error_messages={"required": _("请选择要导入的文件")},
    )
