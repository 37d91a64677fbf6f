"""Forms of the annual assessment pages. They read and check what the user typed; the rules
(quota, blockers, who may grade) are in `services`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.models import Unit

from .choices import Grade, TeamGrade

# The unit choice offers the user's unit and two levels below it.
UNIT_CHOICE_DEPTH = 2


class CycleOpenForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("组织单位"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("名称"),
        max_length=200,
        required=False,
        help_text=_("不填则为“单位+年度+年度考核”"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(user).order_by("path")
        if user.unit_id:
            units = units.filter(depth__lte=user.unit.depth + UNIT_CHOICE_DEPTH)
            self.fields["unit"].initial = user.unit_id
        else:  # a system administrator: the upper levels only, not every township
            units = units.filter(depth__lte=UNIT_CHOICE_DEPTH)
        self.fields["unit"].queryset = units
        self.fields["year"].initial = timezone.localdate().year - 1

    def service_kwargs(self):
        data = self.cleaned_data
        return {"unit": data["unit"], "year": data["year"], "title": data["title"]}


class UnitQuotaForm(forms.Form):
    raised = forms.BooleanField(label=_("年度绩效考评排名靠前（上浮比例）"), required=False)
    raised_reason = forms.CharField(label=_("上浮依据"), max_length=200, required=False)


class TeamGradeForm(forms.Form):
    grade = forms.ChoiceField(
        label=_("班子等次"), choices=[("", "---------"), *TeamGrade.choices], required=False
    )
    responsibility = forms.CharField(
        label=_("担当作为情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    comments = forms.CharField(
        label=_("评价意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class GridRow:
    """One cadre's row of the grading grid: what is saved, or what the user posted."""

    def __init__(self, cadre, grade="", responsibility="", comments="", error=None, blocked=()):
        self.cadre = cadre
        self.grade = grade or ""
        self.responsibility = responsibility or ""
        self.comments = comments or ""
        self.error = error
        self.blocked = list(blocked)

    @property
    def is_excellent(self):
        return self.grade == Grade.EXCELLENT

    @property
    def is_blank(self):
        return not (self.grade or self.responsibility.strip() or self.comments.strip())


def grid_rows_from_post(data, cadres, saved):
    """The rows as posted for the cadres of the grid. A row the user left entirely blank, for a
    cadre not graded yet, is not part of the save (the unit may be graded in several sittings)."""
    rows = []
    for cadre in cadres:
        rows.append(
            GridRow(
                cadre,
                grade=data.get(f"grade-{cadre.pk}", ""),
                responsibility=data.get(f"responsibility-{cadre.pk}", ""),
                comments=data.get(f"comments-{cadre.pk}", ""),
            )
        )
    to_save = [
        {
            "cadre": row.cadre.pk,
            "grade": row.grade,
            "responsibility": row.responsibility,
            "comments": row.comments,
        }
        for row in rows
        if not (row.is_blank and row.cadre.pk not in saved)
    ]
    return rows, to_save
