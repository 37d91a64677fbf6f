"""Forms of priority promotion and exceptional promotion. They check the shape of the input;
the rules (the situation list of the cadre's unit, the allowed jumps, the checks, the
workflow) live in `incentives.selection`, whose errors the views put back on these fields."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import CadreChoiceField, UnitChoiceField, limit_cadre_options
from cadre.models import Cadre, PostLevel, Unit

from . import selection


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Base(forms.Form):
    def _messages(self):
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("请输入有效日期，例如 2026-06-30")

    def _limit_cadres(self, user, search="", within=None):
        field = self.fields["cadre"]
        cadres = Cadre.objects.restrict(user, "change").select_related("unit")
        if within is not None:
            cadres = cadres.filter(unit__path__startswith=within.path)
        field.queryset = cadres
        selected = []
        value = self.data.get(self.add_prefix("cadre")) if self.is_bound else None
        if str(value or "").isdigit():
            selected = [value]
        limit_cadre_options(field, search, selected)


class PriorityLinkForm(_Base):
    """Link a cadre to a priority situation (ZJK 3, annex 1) with the evidence."""

    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    situation_code = forms.ChoiceField(label=_("优先提拔使用情形"))
    evidence = forms.CharField(
        label=_("事实依据"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("实绩事例、表彰奖励、上级批示肯定、排名情况等"),
    )
    evidence_on = forms.DateField(label=_("事实发生时间"), widget=_date_widget())

    def __init__(self, *args, user, search="", **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_cadres(user, search)
        _list, items = selection.manual_situations(user.unit if user.unit_id else None)
        self.fields["situation_code"].choices = [("", _("（请选择）"))] + [
            (item.code, f"{item.code} {item.label}") for item in items
        ]
        self.fields["evidence_on"].initial = timezone.localdate()
        self._messages()

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "cadre": data["cadre"],
            "situation_code": data["situation_code"],
            "evidence": data["evidence"],
            "evidence_on": data["evidence_on"],
        }


class ReasonForm(_Base):
    reason = forms.CharField(
        label=_("撤销理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._messages()


class CandidateListForm(_Base):
    """Open a candidate list of exceptional promotion for a unit."""

    unit = UnitChoiceField(label=_("组织单位"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(user, "change").order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].base_depth = user.unit.depth if user.unit_id else 0
        if user.unit_id:
            self.fields["unit"].initial = user.unit_id
        self.fields["year"].initial = timezone.localdate().year
        self._messages()

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "unit": data["unit"],
            "title": data["title"],
            "year": data["year"],
            "note": data.get("note") or "",
        }


class CandidateForm(_Base):
    """Put a cadre on a candidate list for one allowed jump (ZJK 4, F 8)."""

    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    path_code = forms.ChoiceField(label=_("破格提拔路径"))
    target_post = forms.CharField(label=_("拟任职务"), max_length=100)
    target_level = forms.ModelChoiceField(
        label=_("拟任职务层次"),
        queryset=PostLevel.objects.all(),
        to_field_name="code",
        required=False,
        help_text=_("不选按所选路径的拟任职务层次"),
    )
    deeds = forms.CharField(
        label=_("主要实绩"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("工作特别优秀、实绩特别突出的具体事实"),
    )
    healthy = forms.BooleanField(label=_("身体健康"), required=False)
    outstanding = forms.BooleanField(label=_("实绩突出"), required=False)
    recognised = forms.BooleanField(label=_("群众认可"), required=False)

    def __init__(self, *args, user, candidate_list, search="", **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_cadres(user, search, within=candidate_list.unit)
        self.fields["path_code"].choices = [("", _("（请选择）"))] + [
            (code, f"{code} {item.label}")
            for code, item in selection.paths_of(candidate_list).items()
        ]
        self.fields["target_level"].empty_label = _("（按路径）")
        for name in selection.CONFIRMATIONS:
            self.fields[name].help_text = _("55岁以上干部须确认（张家口第五条）")
        self._messages()

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "cadre": data["cadre"],
            "path_code": data["path_code"],
            "target_post": data["target_post"],
            "target_level": data.get("target_level"),
            "deeds": data["deeds"],
            "healthy": data.get("healthy", False),
            "outstanding": data.get("outstanding", False),
            "recognised": data.get("recognised", False),
        }


class ConfirmAgeForm(_Base):
    healthy = forms.BooleanField(label=_("身体健康"), required=False)
    outstanding = forms.BooleanField(label=_("实绩突出"), required=False)
    recognised = forms.BooleanField(label=_("群众认可"), required=False)


class DecideForm(_Base):
    """The party committee's decision on a candidate, with its opinion."""

    approve = forms.TypedChoiceField(
        label=_("研究结果"),
        choices=[("1", _("同意")), ("0", _("不同意"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("研究意见"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._messages()


class NoteForm(_Base):
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
