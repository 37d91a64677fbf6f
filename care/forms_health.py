"""Forms of the health check-ups. They check the shape of the input; the rules (scope, dates,
who is enrolled, which transitions) live in `care.health`, whose errors the views put back on
the field they name."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import UnitChoiceField
from cadre.models import Unit

from .choices import CheckupStatus


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Base(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("请输入有效日期，例如 2026-06-30")


class CheckupPlanForm(_Base):
    """A unit's yearly check-up plan (按照干部管理权限)."""

    unit = UnitChoiceField(label=_("组织单位（管理权限）"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("计划名称"), max_length=200)
    standard_items = forms.CharField(
        label=_("常规体检项目"), widget=forms.Textarea(attrs={"rows": 3})
    )
    institution = forms.CharField(label=_("体检机构"), max_length=100, required=False)
    start_on = forms.DateField(label=_("开始日期"), widget=_date_widget())
    deadline = forms.DateField(label=_("截止日期"), widget=_date_widget())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Units with an organisation department of their own (they manage cadres), and the
        # user's unit.
        self.fields["unit"].queryset = (
            Unit.objects.restrict(user, "change")
            .filter(Q(manages_up_to__isnull=False) | Q(pk=user.unit_id))
            .only("id", "name", "depth", "path")
        )
        self.fields["unit"].base_depth = user.unit.depth if user.unit_id else 0
        if user.unit_id and not self.is_bound:
            self.initial.setdefault("unit", user.unit_id)
        year = timezone.localdate().year
        self.initial.setdefault("year", year)
        self.initial.setdefault("title", _("%(year)s年度干部健康体检") % {"year": year})

    def service_kwargs(self):
        return dict(self.cleaned_data)


OUTCOMES = [
    (CheckupStatus.ATTENDED, _("已体检")),
    (CheckupStatus.EXEMPTED, _("免检（须说明原因）")),
]


class CheckupAttendanceForm(_Base):
    """Record the cadre's check-up (date, conclusion, advice) or the exemption with its reason."""

    outcome = forms.ChoiceField(label=_("体检情况"), choices=OUTCOMES, widget=forms.RadioSelect)
    attended_on = forms.DateField(label=_("体检日期"), required=False, widget=_date_widget())
    conclusion = forms.CharField(
        label=_("体检结论"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(
        label=_("健康建议及跟踪"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    exemption_reason = forms.CharField(label=_("免检原因"), max_length=200, required=False)
