"""Forms of the points ledger (考核积分制). They check the shape of the input; the rules (sign,
defaults, the double rule, scope, four-eyes) live in `assessment.points`, whose errors the
views put back on the field they name."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import CadreChoiceField, UnitChoiceField, limit_cadre_options
from cadre.models import Cadre, Unit

from . import points
from .choices import PointsRole


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def item_label(item):
    """The item with its default points (or that it takes the city's actual points)."""
    default = points.item_default_points(item)
    sign = "-" if points.item_direction(item) == points.DEDUCT else "+"
    if default is None:
        value = _("按市级考核实际分值")
    else:
        value = f"{sign}{default.normalize()}"
    double = _("，牵头/责任部门×%(m)s") % {"m": points.item_multiplier(item).normalize()}
    return f"{item.label}（{value}{double if points.item_is_double(item) else ''}）"


def _units_for(user):
    units = Unit.objects.restrict(user).order_by("path")
    if not points.is_points_reviewer(user):
        units = units.filter(pk=user.unit_id)
    return units


class _Base(forms.Form):
    def _messages(self):
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("请输入有效日期，例如 2026-06-30")
            if isinstance(field, forms.DecimalField):
                field.error_messages["invalid"] = _("请输入有效的分值")


class PointsEntryForm(_Base):
    """Submit an add or deduct item for a unit (and optionally one of its cadres)."""

    unit = UnitChoiceField(label=_("计分单位"), queryset=Unit.objects.none())
    item = forms.ChoiceField(label=_("积分项目"))
    base_points = forms.DecimalField(
        label=_("基础分值"),
        required=False,
        max_digits=7,
        decimal_places=2,
        help_text=_("不填按项目默认分值；“按市级考核实际分值”的项目须填写全县实际得失分"),
    )
    role = forms.ChoiceField(
        label=_("承担角色"),
        required=False,
        choices=PointsRole.choices,
        help_text=_("仅适用双倍计分的项目：牵头部门、责任部门按倍数计分"),
    )
    occurred_on = forms.DateField(label=_("发生日期"), widget=_date_widget())
    cadre = CadreChoiceField(label=_("相关干部"), queryset=Cadre.objects.none(), required=False)
    evidence = forms.CharField(
        label=_("佐证材料"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("文件名称、文号、通报期次或排名情况等"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = _units_for(user)
        self.fields["unit"].queryset = units
        self.fields["unit"].base_depth = user.unit.depth if user.unit_id else 0
        _catalogue, items = points.catalogue_for(user.unit if user.unit_id else None)
        self.fields["item"].choices = [("", _("（请选择）"))] + [
            (code, item_label(item)) for code, item in items.items()
        ]
        self.fields["cadre"].queryset = (
            Cadre.objects.restrict(user).filter(unit__in=units).select_related("unit")
        )
        self.fields["cadre"].empty_label = _("（不涉及具体干部）")
        selected = []
        if self.is_bound and str(self.data.get(self.add_prefix("cadre")) or "").isdigit():
            selected = [self.data.get(self.add_prefix("cadre"))]
        limit_cadre_options(self.fields["cadre"], "", selected)
        self.fields["occurred_on"].initial = timezone.localdate()
        if units.count() == 1 and not self.is_bound:
            self.fields["unit"].initial = units.first().pk
        self._messages()

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "unit": data["unit"],
            "item": data["item"],
            "base_points": data.get("base_points"),
            "role": data.get("role") or "",
            "occurred_on": data["occurred_on"],
            "cadre": data.get("cadre"),
            "evidence": data["evidence"],
        }


class CityResultForm(_Base):
    """The double rule in one step: the county's gain or loss in the city's assessment, the
    leading department and the responsible departments."""

    item = forms.ChoiceField(label=_("积分项目"))
    base_points = forms.DecimalField(
        label=_("全县实际得失分"),
        max_digits=7,
        decimal_places=2,
        help_text=_("填写正数；牵头部门和每个责任部门按倍数计分"),
    )
    occurred_on = forms.DateField(label=_("考核结果日期"), widget=_date_widget())
    lead_unit = UnitChoiceField(label=_("牵头部门"), queryset=Unit.objects.none())
    responsible_units = forms.ModelMultipleChoiceField(
        label=_("责任部门"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("可多选（按住 Ctrl 键）"),
    )
    evidence = forms.CharField(
        label=_("佐证材料"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("市级考核通报名称、期次及得失分情况"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(user).order_by("path")
        base_depth = user.unit.depth if user.unit_id else 0
        self.fields["lead_unit"].queryset = units
        self.fields["lead_unit"].base_depth = base_depth
        self.fields["responsible_units"].queryset = units
        self.fields["responsible_units"].label_from_instance = lambda u: (
            "\u3000" * max(u.depth - base_depth, 0) + u.name
        )
        _catalogue, items = points.catalogue_for(user.unit if user.unit_id else None)
        self.fields["item"].choices = [("", _("（请选择）"))] + [
            (code, item_label(item)) for code, item in items.items() if points.item_is_double(item)
        ]
        self.fields["occurred_on"].initial = timezone.localdate()
        self._messages()

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "item": data["item"],
            "base_points": data["base_points"],
            "occurred_on": data["occurred_on"],
            "lead_unit": data["lead_unit"],
            "responsible_units": list(data.get("responsible_units") or []),
            "evidence": data["evidence"],
        }


class ReviewForm(_Base):
    """Approve or return an entry; returning needs a note (checked by the service)."""

    approve = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=[("1", _("通过")), ("0", _("退回"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._messages()


class PeriodForm(forms.Form):
    """The period of the unit summary: a year, optionally a quarter; the unit whose children
    are listed."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("全年")), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
    )
    unit = forms.IntegerField(label=_("单位"), required=False)
