"""Forms of the clearing-of-names pages (澄清正名, DOMAIN §4.6). They check the shape of the
input; the rules live in `tolerance.services` and `tolerance.workflow`, whose errors the views
put back on these forms."""

import re
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import UnitChoiceField
from cadre.models import Cadre, Unit
from cadre.selectors import policy_items

from .choices import (
    KIND_CLARIFICATION_METHODS,
    KIND_PUBLICATION_SCOPES,
    ClearingConclusion,
    ReportSource,
)

# The cadres the report form offers at once; a larger scope is narrowed by unit first.
CADRE_OPTIONS_CAP = 500


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class _Form(forms.Form):
    """Chinese error messages for the usual input errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("请输入有效日期，例如 2026-03-31")
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = _("请选择有效的选项")
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.error_messages["invalid_choice"] = _("请选择有效的选项")
                field.error_messages["invalid_pk_value"] = _("请选择有效的选项")


def _units_in_scope(user):
    return Unit.objects.restrict(user).only("id", "name", "depth", "path").order_by("path")


def _base_depth(user):
    return user.unit.depth if user.unit_id else 0


class ClearingOpenForm(_Form):
    """登记举报: a report against cadres and/or a party organisation in the user's scope."""

    handling_unit = UnitChoiceField(label=_("办理单位"), queryset=Unit.objects.none())
    cadres = forms.ModelMultipleChoiceField(
        label=_("被反映干部"),
        queryset=Cadre.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("可多选（按住 Ctrl 键）；反映党组织的可不选干部"),
    )
    party_org = UnitChoiceField(
        label=_("被反映党组织"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("举报反映的是党组织时选择"),
    )
    source = forms.ChoiceField(label=_("线索来源"), choices=ReportSource.choices)
    received_on = forms.DateField(label=_("受理日期"), widget=_date_input())
    allegation = forms.CharField(label=_("反映的主要问题"), widget=_textarea(4))
    accuser_name = forms.CharField(label=_("举报人"), max_length=100, required=False)
    accuser_contact = forms.CharField(label=_("举报人联系方式"), max_length=100, required=False)
    background_check = forms.CharField(
        label=_("侧面了解情况"),
        required=False,
        widget=_textarea(3),
        help_text=_("处置问题线索前的侧面了解"),
    )

    def __init__(self, *args, user, subject_unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = _units_in_scope(user)
        depth = _base_depth(user)
        for name in ("handling_unit", "party_org"):
            self.fields[name].queryset = units
            self.fields[name].base_depth = depth
        self.fields["party_org"].empty_label = _("（无）")
        if user.unit_id:
            self.fields["handling_unit"].initial = user.unit_id
        self.fields["received_on"].initial = timezone.localdate()
        # Any cadre in scope is accepted; the list offers those of one unit's subtree.
        cadres = Cadre.objects.restrict(user, "view")
        self.fields["cadres"].queryset = cadres
        offered = cadres.select_related("unit").order_by("unit__path", "name")
        if subject_unit is not None:
            offered = offered.filter(unit__path__startswith=subject_unit.path)
        self.fields["cadres"].widget.choices = [
            (c.pk, f"{c.name}（{c.unit.name} {c.post}）") for c in offered[:CADRE_OPTIONS_CAP]
        ]

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["cadres"] = list(data["cadres"])
        return data


class BackgroundCheckForm(_Form):
    background_check = forms.CharField(label=_("侧面了解情况"), widget=_textarea(4))


class TransitionForm(_Form):
    """A step of the workflow: the state the user saw (a stale page is told, not applied)."""

    name = forms.CharField(widget=forms.HiddenInput)
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("说明"), required=False, widget=_textarea(2))

    def transition_data(self):
        return {}


_ACCUSER_SPLIT = re.compile(r"[，,]")


class ConcludeForm(TransitionForm):
    """作出核查结论; a false accusation (诬告陷害) is referred and its accusers blacklisted."""

    field_order = ["conclusion", "conclusion_reasons", "referral_note", "accusers", "reason"]

    conclusion = forms.ChoiceField(
        label=_("核查结论"), choices=[("", "---------"), *ClearingConclusion.choices]
    )
    conclusion_reasons = forms.CharField(label=_("结论依据"), widget=_textarea(3))
    referral_note = forms.CharField(
        label=_("诬告陷害移送查处情况"),
        required=False,
        widget=_textarea(2),
        help_text=_("结论为诬告陷害时必填"),
    )
    accusers = forms.CharField(
        label=_("诬告人（列入失信黑名单）"),
        required=False,
        widget=_textarea(2),
        help_text=_("结论为诬告陷害时填写，每行一人：姓名，工作单位或住址"),
    )

    def clean_accusers(self):
        people, errors = [], []
        for line in self.cleaned_data["accusers"].splitlines():
            if not line.strip():
                continue
            parts = _ACCUSER_SPLIT.split(line, maxsplit=1)
            name, unit = parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")
            if len(name) > 100 or len(unit) > 200:
                errors.append(
                    _("姓名不超过100字，单位或住址不超过200字：%(line)s") % {"line": line}
                )
            elif name:
                people.append({"name": name, "unit": unit})
        if errors:
            raise forms.ValidationError(errors)
        return people

    def transition_data(self):
        data = self.cleaned_data
        return {
            "conclusion": data["conclusion"],
            "conclusion_reasons": data["conclusion_reasons"],
            "referral_note": data["referral_note"],
            "accusers": data["accusers"],
        }


TRANSITION_FORMS = {"conclude": ConcludeForm}


def transition_form(name, *args, **kwargs):
    return TRANSITION_FORMS.get(name, TransitionForm)(*args, **kwargs)


class ClarificationForm(_Form):
    """澄清方式 from the list applying at the handling unit, scope, date and content."""

    method = forms.ChoiceField(label=_("澄清方式"))
    scope = forms.CharField(label=_("澄清范围"), max_length=200)
    held_on = forms.DateField(label=_("日期"), widget=_date_input())
    content = forms.CharField(label=_("澄清内容"), widget=_textarea(3))

    def __init__(self, *args, clearing, **kwargs):
        super().__init__(*args, **kwargs)
        _list, methods = policy_items(KIND_CLARIFICATION_METHODS, clearing.handling_unit)
        self.fields["method"].choices = [("", "---------"), *((m.code, m.label) for m in methods)]
        self.fields["held_on"].initial = timezone.localdate()


class VisitForm(_Form):
    """回访 (一人一策、一件一档): until the person is at ease."""

    cadre = forms.ModelChoiceField(
        label=_("回访对象"), queryset=Cadre.objects.none(), required=False
    )
    visited_on = forms.DateField(label=_("回访日期"), widget=_date_input())
    visitors = forms.CharField(label=_("回访人员"), max_length=200)
    findings = forms.CharField(label=_("回访情况（思想状态、履职表现）"), widget=_textarea(3))
    at_ease = forms.BooleanField(label=_("思想包袱已解除"), required=False)
    next_visit_on = forms.DateField(label=_("下次回访日期"), required=False, widget=_date_input())

    def __init__(self, *args, clearing, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["cadre"]
        field.queryset = clearing.cadres.all()
        field.empty_label = _("（党组织或全体被反映人）")
        self.fields["visited_on"].initial = timezone.localdate()


class ClearingPublicationForm(_Form):
    """通报澄清 within a scope from the list applying at the handling unit."""

    scope = forms.ChoiceField(label=_("公开范围"))
    channel = forms.CharField(label=_("公开方式"), max_length=200)
    content = forms.CharField(label=_("公开内容"), widget=_textarea(3))

    def __init__(self, *args, clearing, **kwargs):
        super().__init__(*args, **kwargs)
        _list, scopes = policy_items(KIND_PUBLICATION_SCOPES, clearing.handling_unit)
        self.fields["scope"].choices = [("", "---------"), *((s.code, s.label) for s in scopes)]


def current_quarter(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    next_start = date(today.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return start, next_start - timedelta(days=1)


class PeriodForm(_Form):
    """The period and unit of the unfounded-report list (default: this quarter, own unit)."""

    start = forms.DateField(label=_("期间起"), required=False, widget=_date_input())
    end = forms.DateField(label=_("期间止"), required=False, widget=_date_input())
    unit = UnitChoiceField(label=_("单位（含下级）"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units_in_scope(user)
        self.fields["unit"].base_depth = _base_depth(user)
        self.fields["unit"].empty_label = None
        self.user = user

    def clean(self):
        data = super().clean()
        start, end = current_quarter()
        data["start"] = data.get("start") or start
        data["end"] = data.get("end") or end
        if data["end"] < data["start"]:
            self.add_error("end", _("结束日期不能早于开始日期"))
        if not data.get("unit"):
            data["unit"] = self.user.unit or self.fields["unit"].queryset.first()
        return data


class BulletinForm(_Form):
    """定期通报不实举报: the period's list, published within a scope through a channel."""

    period_start = forms.DateField(widget=forms.HiddenInput)
    period_end = forms.DateField(widget=forms.HiddenInput)
    unit = forms.IntegerField(widget=forms.HiddenInput)
    scope = forms.ChoiceField(label=_("公开范围"))
    channel = forms.CharField(
        label=_("公开方式"), max_length=200, help_text=_("如：党风廉政建设通报、门户网站")
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        _list, scopes = policy_items(KIND_PUBLICATION_SCOPES, unit)
        self.fields["scope"].choices = [("", "---------"), *((s.code, s.label) for s in scopes)]


class BlacklistSearchForm(_Form):
    q = forms.CharField(label=_("姓名、单位或事项编号"), required=False, max_length=100)
