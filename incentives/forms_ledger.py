"""Forms of the sanction ledger, 能上能下 and the expiry reviews. They check the shape of the
input; the rules (kinds and periods from the lists, situations per action, transitions,
scope) live in `incentives.ledger`, whose errors the views put back on the fields they name."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import CadreChoiceField, limit_cadre_options
from cadre.models import Cadre, PostLevel

from . import ledger
from .choices import DownAction, Rating, ReviewDecision


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _user_unit(user):
    return user.unit if user.unit_id else None


def sanction_kind_choices(unit):
    """The kinds of the list applying at `unit`, grouped by category, with their periods."""
    _kinds_list, items = ledger.sanction_kinds_for(unit)
    groups: dict[str, list] = {}
    for item in items.values():
        months = (item.params or {}).get("impact_months")
        label = _("%(label)s（影响期%(m)s个月）") % {"label": item.label, "m": months}
        groups.setdefault(str(ledger.category_label(item.group)), []).append((item.code, label))
    return [("", _("（请选择）")), *groups.items()]


class _Base(forms.Form):
    def _messages(self):
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("请输入有效日期，例如 2026-06-30")
            if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
                field.error_messages["invalid_choice"] = _("请选择有效的选项")


class _CadreForm(_Base):
    def _cadre_field(self, user):
        field = self.fields["cadre"]
        field.queryset = Cadre.objects.restrict(user, "change").select_related("unit")
        field.empty_label = _("（请选择干部）")
        selected = []
        value = (
            self.data.get(self.add_prefix("cadre")) if self.is_bound else self.initial.get("cadre")
        )
        if str(value or "").isdigit():
            selected = [value]
        limit_cadre_options(field, "", selected)


class SanctionForm(_CadreForm):
    """Enter a sanction in the ledger (F 15)."""

    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    kind_code = forms.ChoiceField(label=_("处理处分种类"))
    decided_on = forms.DateField(label=_("决定日期"), widget=_date_widget())
    authority = forms.CharField(label=_("决定机关"), max_length=100, required=False)
    document_number = forms.CharField(label=_("文号"), max_length=100, required=False)
    reason = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._cadre_field(user)
        self.fields["kind_code"].choices = sanction_kind_choices(_user_unit(user))
        self.fields["kind_code"].help_text = _("影响期按本地区处理处分种类清单自决定日期起计算")
        self.fields["decided_on"].initial = timezone.localdate()
        self._messages()

    def service_kwargs(self):
        return dict(self.cleaned_data)


class ConfirmKindForm(_Base):
    kind_code = forms.ChoiceField(label=_("处理处分种类"))

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind_code"].choices = sanction_kind_choices(unit)
        self._messages()


class RevokeForm(_Base):
    reason = forms.CharField(
        label=_("撤销理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：经复查撤销原处理处分决定，写明文号"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._messages()


class TrackingForm(_Base):
    """跟踪掌握 (F 15): 思想动态、工作状态和工作业绩、群众评价."""

    tracked_on = forms.DateField(label=_("了解日期"), widget=_date_widget())
    attitude = forms.ChoiceField(label=_("思想动态（认错态度）"), choices=Rating.choices)
    attitude_note = forms.CharField(
        label=_("思想动态说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    work = forms.ChoiceField(label=_("工作状态"), choices=Rating.choices)
    work_note = forms.CharField(
        label=_("工作状态及业绩说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    public_opinion = forms.ChoiceField(label=_("群众评价"), choices=Rating.choices)
    public_opinion_note = forms.CharField(
        label=_("群众评价说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tracked_on"].initial = timezone.localdate()
        self._messages()


class AdjustmentForm(_CadreForm):
    """Record a removal, adjustment or demotion (能上能下, F 11, ZJK 6)."""

    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    action = forms.ChoiceField(
        label=_("方式"), choices=[("", _("（请选择）")), *DownAction.choices]
    )
    situation_codes = forms.MultipleChoiceField(
        label=_("情形"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("所选情形须与方式一致"),
    )
    decided_on = forms.DateField(label=_("决定日期"), widget=_date_widget())
    to_post = forms.CharField(
        label=_("调整后职务"),
        max_length=100,
        required=False,
        help_text=_("调整、降职须填写；填写后同步更新干部任职信息"),
    )
    to_level = forms.ModelChoiceField(
        label=_("调整后职务层次"),
        queryset=PostLevel.objects.all(),
        required=False,
        help_text=_("降职须选择低于原职务层次的层次；不选则保持原层次"),
    )
    reason = forms.CharField(label=_("事实和理由"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._cadre_field(user)
        _list, situations = ledger.down_situations_for(_user_unit(user))
        self.fields["situation_codes"].choices = [
            (item.code, f"［{DownAction(item.group).label}］{item.label}")
            if item.group in DownAction.values
            else (item.code, item.label)
            for item in situations
        ]
        self.fields["to_level"].empty_label = _("（保持原层次）")
        self.fields["decided_on"].initial = timezone.localdate()
        self._messages()

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["situation_codes"] = list(data["situation_codes"])
        return data


class ReviewDecideForm(_Base):
    """The conclusion of an expiry review (F 15; X 能下再上)."""

    decision = forms.ChoiceField(label=_("研判结论"), widget=forms.RadioSelect)
    analysis = forms.CharField(
        label=_("综合分析研判"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("问题性质、动机原因、轻重程度、后果影响和态度认识等情况"),
    )
    reinstated_post = forms.CharField(
        label=_("重新任用职务"),
        max_length=100,
        required=False,
        help_text=_("重新使用（能下再上）时填写，同步更新干部任职信息"),
    )
    reinstated_level = forms.ModelChoiceField(
        label=_("重新任用职务层次"),
        queryset=PostLevel.objects.all(),
        required=False,
    )

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        kind = "sanction" if review.sanction_id else "adjustment"
        self.fields["decision"].choices = [
            (value, ReviewDecision(value).label) for value in ledger.REVIEW_DECISIONS[kind]
        ]
        if kind == "sanction":
            del self.fields["reinstated_post"]
            del self.fields["reinstated_level"]
        else:
            self.fields["reinstated_level"].empty_label = _("（保持现层次）")
        self._messages()

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data.setdefault("reinstated_post", "")
        data.setdefault("reinstated_level", None)
        return data
