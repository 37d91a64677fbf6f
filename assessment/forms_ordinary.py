"""Forms of the ordinary assessment pages (平时考核). They read what the user typed; which week
or month a record is filed under and who may write or review are decided in
`assessment.ordinary`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cadre.models import Unit

from . import ordinary

# The unit picker offers the user's unit and this many levels below it (the chosen unit is
# always offered): a province-wide list of townships would be unusable.
UNIT_CHOICE_DEPTH = 3
UNIT_CHOICE_LIMIT = 500
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class WeeklyRecordForm(forms.Form):
    week_start = forms.DateField(
        label=_("周（周一）"),
        widget=DATE_INPUT,
        help_text=_("可选该周任意一天，按该周周一登记"),
    )
    work_done = forms.CharField(
        label=_("本周工作纪实"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    next_plan = forms.CharField(
        label=_("下周工作计划"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "week_start": data["week_start"],
            "work_done": data["work_done"],
            "next_plan": data["next_plan"],
        }


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (the browser's month input) or a full date."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]


class MonthlySummaryForm(forms.Form):
    month = MonthField(label=_("月份"), widget=MONTH_INPUT)
    summary = forms.CharField(
        label=_("月度小结"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )

    def service_kwargs(self):
        return {"month": self.cleaned_data["month"], "summary": self.cleaned_data["summary"]}


class ReviewForm(forms.Form):
    review = forms.CharField(
        label=_("审阅意见"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class UnitQuarterForm(forms.Form):
    """Which unit and quarter the completeness table shows."""

    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        choices=[(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))],
    )

    def __init__(self, data=None, *, user, **kwargs):
        """Bound to `data` (the query string) with the defaults filled in; unbound (nothing
        chosen yet) when `data` is None."""
        year, quarter = ordinary.quarter_of(ordinary.today())
        defaults = {"unit": user.unit_id, "year": year, "quarter": quarter}
        if data is not None:
            # What is not given is the user's own unit and the current quarter.
            data = data.copy()
            for name, value in defaults.items():
                if not data.get(name) and value is not None:
                    data[name] = value
        kwargs.setdefault("initial", defaults)
        super().__init__(data, **kwargs)
        data = data or {}
        units = Unit.objects.restrict(user, "view")
        field = self.fields["unit"]
        field.queryset = units  # any unit in scope is accepted …
        # … but only the nearer levels are listed.
        base = user.unit.depth if user.unit_id else 0
        listed = units.order_by("path").filter(depth__lte=base + UNIT_CHOICE_DEPTH)
        indent = "\u3000"
        choices = [
            (u.pk, f"{indent * max(0, u.depth - base)}{u.name}")
            for u in listed.only("pk", "name", "depth")[:UNIT_CHOICE_LIMIT]
        ]
        chosen = str(data.get("unit") or "")
        if chosen.isdigit() and int(chosen) not in {pk for pk, _label in choices}:
            extra = units.filter(pk=int(chosen)).first()
            if extra is not None:
                choices.append((extra.pk, extra.name))
        field.widget.choices = [("", "---------"), *choices]
