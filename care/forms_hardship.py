"""Forms of hardship help and the care funds; the rules live in `care.hardship`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cadre.forms import CadreChoiceField, UnitChoiceField
from cadre.models import Cadre, Unit

from . import hardship
from .choices import ApplicationStatus
from .forms_leave import CareForm, cadre_field


class ApplicationForm(CareForm):
    """Staff name the cadre; a cadre applying for themself does not see the field."""

    cadre = CadreChoiceField(label=_("申请人"), queryset=Cadre.objects.none())
    category = forms.ChoiceField(label=_("帮扶类别"))
    description = forms.CharField(
        label=_("困难情况"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("家庭、医疗费用个人负担、配偶就业或子女就学等具体困难"),
    )
    amount_requested = forms.DecimalField(
        label=_("申请金额（元）"), max_digits=12, decimal_places=2, required=False, min_value=0
    )

    def __init__(self, *args, user, own_cadre=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_cadre = own_cadre
        if own_cadre is not None:
            del self.fields["cadre"]
            unit = own_cadre.unit
        else:
            cadre_field(self, user, initial=self.initial.get("cadre"))
            unit = user.unit if user.unit_id else None
        _list, items = hardship.categories_for(unit)
        self.fields["category"].choices = [("", _("（请选择）"))] + [
            (item.code, item.label) for item in items
        ]

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "cadre": self.own_cadre or data["cadre"],
            "category": data["category"],
            "description": data["description"],
            "amount_requested": data.get("amount_requested"),
        }


class ReviewForm(CareForm):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[
            (ApplicationStatus.APPROVED, _("批准")),
            (ApplicationStatus.REJECTED, _("不予批准")),
        ],
        widget=forms.RadioSelect,
    )
    amount_granted = forms.DecimalField(
        label=_("批准金额（元）"),
        max_digits=12,
        decimal_places=2,
        required=False,
        min_value=0,
        help_text=_("非资金类帮扶（配偶就业、子女就学）可不填"),
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不予批准须填写理由，申请人可以看到"),
    )


class CloseForm(CareForm):
    note = forms.CharField(label=_("办结说明"), required=False, max_length=200)


class FundForm(CareForm):
    unit = UnitChoiceField(label=_("管理单位"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("基金名称"), max_length=100)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(user, "change").order_by("path")
        self.fields["unit"].base_depth = user.unit.depth if user.unit_id else 0
        if not self.is_bound and user.unit_id:
            self.fields["unit"].initial = user.unit_id


class DepositForm(CareForm):
    amount = forms.DecimalField(label=_("拨入金额（元）"), max_digits=12, decimal_places=2)
    note = forms.CharField(
        label=_("资金来源或摘要"), max_length=200, help_text=_("例如：县级财政2026年度拨款")
    )


class DisburseForm(CareForm):
    amount = forms.DecimalField(label=_("支出金额（元）"), max_digits=12, decimal_places=2)
    application = forms.ModelChoiceField(
        label=_("对应帮扶申请"),
        queryset=hardship.HardshipApplication.objects.none(),
        required=False,
        help_text=_("已批准的申请；全额支付后申请自动办结"),
    )
    note = forms.CharField(label=_("支出用途"), max_length=200, required=False)

    def __init__(self, *args, user, fund, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        field.queryset = (
            hardship.HardshipApplication.objects.restrict(user, "change")
            .filter(
                status=ApplicationStatus.APPROVED,
                cadre__unit__path__startswith=fund.unit.path,
            )
            .select_related("cadre")
            .order_by("-created_at")
        )
        field.empty_label = _("（不对应具体申请）")
        field.label_from_instance = lambda a: (
            f"{a.cadre.name}：{a.category_label}"
            + (f"（批准{a.amount_granted}元）" if a.amount_granted is not None else "")
        )
