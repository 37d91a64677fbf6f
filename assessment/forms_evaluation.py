"""Forms of the 360-degree evaluation pages (360度反馈评价法). They read and check what was typed;
the rules (weights, scope, single use, closing day) are in `assessment.evaluation`."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.choices import CadreStatus
from cadre.forms import CadreMultipleChoiceField
from cadre.models import Cadre, Unit

from . import evaluation as ev
from .forms import UNIT_CHOICE_DEPTH


class EvaluationOpenForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("组织单位"), queryset=Unit.objects.none())
    title = forms.CharField(
        label=_("名称"),
        max_length=200,
        required=False,
        help_text=_("不填则为“单位+年度+360度评价”"),
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        choices=[("", _("全年")), *[(q, _("第%(q)s季度") % {"q": q}) for q in range(1, 5)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    closes_on = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    cadres = CadreMultipleChoiceField(
        label=_("评价对象：干部"),
        queryset=Cadre.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("按住Ctrl或Shift可多选"),
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("评价对象：领导班子"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(user, "change").order_by("path")
        if user.unit_id:
            units = units.filter(depth__lte=user.unit.depth + UNIT_CHOICE_DEPTH)
            self.fields["unit"].initial = user.unit_id
        else:  # a system administrator: the upper levels only
            units = units.filter(depth__lte=UNIT_CHOICE_DEPTH)
        self.fields["unit"].queryset = units
        self.fields["teams"].queryset = Unit.objects.restrict(user).order_by("path")
        self.fields["cadres"].queryset = (
            Cadre.objects.restrict(user)
            .filter(status=CadreStatus.ACTIVE)
            .select_related("unit")
            .order_by("unit__path", "name", "pk")
        )
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = (today.month - 1) // 3 + 1
        self.fields["closes_on"].initial = today + datetime.timedelta(days=14)

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "unit": data["unit"],
            "title": data["title"],
            "year": data["year"],
            "quarter": data["quarter"],
            "closes_on": data["closes_on"],
            "cadres": list(data["cadres"]),
            "teams": list(data["teams"]),
        }


class InviteForm(forms.Form):
    group = forms.ChoiceField(label=_("评价主体"))
    count = forms.IntegerField(
        label=_("生成链接数"), min_value=1, max_value=ev.MAX_INVITATIONS, initial=10
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [
            (code, f"{g['label']}（{g['percent']}%）") for code, g in groups.items()
        ]


class RaterForm(forms.Form):
    """One 0-100 score per subject; field `s<subject id>`."""

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = list(subjects)
        for subject in self.subjects:
            self.fields[f"s{subject.pk}"] = forms.IntegerField(
                label=ev.subject_name(subject),
                min_value=ev.SCORE_MIN,
                max_value=ev.SCORE_MAX,
                error_messages={
                    "required": _("请为该对象打分"),
                    "invalid": _("请填写0至100之间的整数分"),
                    "min_value": _("请填写0至100之间的整数分"),
                    "max_value": _("请填写0至100之间的整数分"),
                },
                widget=forms.NumberInput(
                    attrs={
                        "inputmode": "numeric",
                        "min": ev.SCORE_MIN,
                        "max": ev.SCORE_MAX,
                        "step": 1,
                        "class": "score-input",
                        "autocomplete": "off",
                        "placeholder": _("分数"),
                    }
                ),
            )

    def rows(self):
        """(subject, bound field) for the template."""
        return [(subject, self[f"s{subject.pk}"]) for subject in self.subjects]

    def scores(self):
        return {subject.pk: self.cleaned_data[f"s{subject.pk}"] for subject in self.subjects}

    def add_service_errors(self, error):
        for key, messages in error.message_dict.items():
            field = f"s{key}"
            self.add_error(field if field in self.fields else None, messages)
