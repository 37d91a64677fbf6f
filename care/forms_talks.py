"""Forms of the talks. They check the shape of the input; the rules (scope, the due talk's or
request's state, confidentiality) live in `care.talks`, whose errors the views put back on the
field they name."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import CadreChoiceField, limit_cadre_options
from cadre.models import Cadre

from . import talks
from .choices import TalkKind


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Base(forms.Form):
    def _messages(self):
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("请输入有效日期，例如 2026-06-30")
            if isinstance(field, forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = _("请选择列表中的选项")

    def _limit(self, name, search=""):
        selected = []
        value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        if str(value or "").isdigit():
            selected = [value]
        limit_cadre_options(self.fields[name], search, selected)


class TalkForm(_Base):
    """Record a talk held; opened from a due talk or a request, the cadre is fixed."""

    cadre = CadreChoiceField(label=_("谈话对象"), queryset=Cadre.objects.none())
    talker_name = forms.CharField(
        label=_("谈话人"),
        max_length=100,
        required=False,
        help_text=_("选择了谈话人（干部）的可不填"),
    )
    talker_cadre = CadreChoiceField(
        label=_("谈话人（干部）"), queryset=Cadre.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("谈话类别"), choices=TalkKind.choices)
    held_on = forms.DateField(label=_("谈话日期"), widget=_date_widget())
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    summary = forms.CharField(label=_("谈话摘要"), widget=forms.Textarea(attrs={"rows": 5}))
    follow_up = forms.CharField(
        label=_("跟进措施"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confidential = forms.BooleanField(label=_("含保密内容"), required=False)
    confidential_content = forms.CharField(
        label=_("保密内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("仅谈话双方和组织部门可见"),
    )

    def __init__(self, *args, user, obligation=None, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        fixed = obligation or request
        cadres = Cadre.objects.restrict(user, "change").select_related("unit")
        if fixed is not None:
            cadres = cadres.filter(pk=fixed.cadre_id)
            self.fields["cadre"].initial = fixed.cadre_id
        self.fields["cadre"].queryset = cadres
        self.fields["talker_cadre"].queryset = Cadre.objects.restrict(user).select_related("unit")
        self.fields["talker_cadre"].empty_label = _("（不选）")
        if obligation is not None:
            self.fields["kind"].initial = TalkKind.FIVE_MUSTS
        elif request is not None:
            self.fields["kind"].initial = TalkKind.REQUESTED
            self.fields["talker_name"].initial = request.preferred_talker
        self.fields["held_on"].initial = timezone.localdate()
        self.fields["talker_name"].initial = self.fields["talker_name"].initial or (
            user.full_name or user.username
        )
        self._limit("cadre")
        self._limit("talker_cadre")
        self._messages()

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "cadre": data["cadre"],
            "talker_name": data.get("talker_name") or "",
            "talker_cadre": data.get("talker_cadre"),
            "kind": data["kind"],
            "held_on": data["held_on"],
            "place": data.get("place") or "",
            "summary": data["summary"],
            "follow_up": data.get("follow_up") or "",
            "confidential": data.get("confidential") or False,
            "confidential_content": data.get("confidential_content") or "",
        }


class AssignForm(_Base):
    assignee = forms.ModelChoiceField(label=_("承办人"), queryset=None)

    def __init__(self, *args, obligation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = talks.assignable_users(obligation)
        self.fields["assignee"].initial = obligation.assignee_id
        self._messages()


class CancelForm(_Base):
    reason = forms.CharField(
        label=_("取消原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如干部已调离、退休等"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._messages()


class MisfortuneForm(_Base):
    """Report a cadre's family misfortune (五必谈 trigger 5)."""

    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    occurred_on = forms.DateField(label=_("发生日期"), widget=_date_widget())
    description = forms.CharField(label=_("变故情况"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = Cadre.objects.restrict(user, "change").select_related(
            "unit"
        )
        self.fields["occurred_on"].initial = timezone.localdate()
        self._limit("cadre")
        self._messages()


class TalkRequestForm(_Base):
    """向组织说说心里话: what the cadre wants to talk about."""

    topic = forms.CharField(label=_("谈话主题"), max_length=200)
    content = forms.CharField(
        label=_("想说的话"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("仅您本人和组织部门可见"),
    )
    preferred_talker = forms.CharField(label=_("希望的谈话人"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._messages()


class AnswerForm(_Base):
    response = forms.CharField(
        label=_("答复意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._messages()
