"""Forms of the rankings pages. They check the shape of the input; the rules (scope, members of
the group's kind and under its unit, unique names) live in `assessment.rankings`, whose errors
the views put back on the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cadre.choices import CadreStatus
from cadre.forms import (
    CadreChoiceField,
    CadreMultipleChoiceField,
    UnitChoiceField,
    limit_cadre_options,
)
from cadre.models import Cadre, Unit

from .choices import LinkKind, RankingKind
from .quarterly import last_complete_quarter

QUARTERS = [(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))]


class _Messages:
    def _set_messages(self):
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            field.error_messages["invalid"] = _("请输入有效的值")
            field.error_messages["invalid_choice"] = _("请选择有效的选项")
            field.error_messages["min_value"] = _("不能小于%(limit_value)s")
            field.error_messages["max_value"] = _("不能大于%(limit_value)s")


def _base_depth(user):
    return user.unit.depth if getattr(user, "unit_id", None) else 0


class PeriodForm(_Messages, forms.Form):
    """A quarter: the year and the quarter, by default the last complete one."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), choices=QUARTERS, coerce=int)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self._set_messages()

    @classmethod
    def from_get(cls, params, default=None):
        """Bound to the query string, with the default quarter filled in where it is missing."""
        year, quarter = default or last_complete_quarter()
        data = params.copy()
        data.setdefault("year", str(year))
        data.setdefault("quarter", str(quarter))
        if not data.get("year"):
            data["year"] = str(year)
        if not data.get("quarter"):
            data["quarter"] = str(quarter)
        return cls(data)

    def period(self, default=None):
        if self.is_valid():
            return self.cleaned_data["year"], self.cleaned_data["quarter"]
        return default or last_complete_quarter()


class RankingGroupForm(_Messages, forms.Form):
    unit = UnitChoiceField(label=_("组织单位"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("排名组名称"), max_length=100)
    kind = forms.ChoiceField(label=_("排名对象"), choices=RankingKind.choices)
    top_n = forms.IntegerField(label=_("前几名"), min_value=0, max_value=100, initial=3)
    bottom_n = forms.IntegerField(label=_("后几名"), min_value=0, max_value=100, initial=3)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(user, "change").order_by("path")
        self.fields["unit"].base_depth = _base_depth(user)
        self._set_messages()

    def service_kwargs(self):
        return dict(self.cleaned_data)


class CadreMembersForm(_Messages, forms.Form):
    """The cadres ranked together; the list offered is narrowed by the search box (`cadre_q`)."""

    cadres = CadreMultipleChoiceField(
        label=_("参加排名的干部"),
        queryset=Cadre.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 16}),
        help_text=_("可多选（按住 Ctrl 键）；人数较多时先按姓名查找"),
    )

    def __init__(self, *args, user, group, search="", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["cadres"]
        field.queryset = (
            Cadre.objects.restrict(user, "change")
            .filter(unit__path__startswith=group.unit.path, status=CadreStatus.ACTIVE)
            .select_related("unit")
        )
        if self.is_bound:
            selected = self.data.getlist("cadres") if hasattr(self.data, "getlist") else []
        else:
            selected = [getattr(c, "pk", c) for c in self.initial.get("cadres") or []]
        limit_cadre_options(field, search, selected)
        self._set_messages()

    def service_kwargs(self):
        return {"cadres": list(self.cleaned_data["cadres"]), "units": []}


class UnitMembersForm(_Messages, forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("参加排名的单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, group, **kwargs):
        super().__init__(*args, **kwargs)
        units = (
            Unit.objects.restrict(user, "change")
            .filter(path__startswith=group.unit.path)
            .exclude(pk=group.unit_id)
            .order_by("path")
        )
        field = self.fields["units"]
        field.queryset = units
        depth = group.unit.depth + 1
        field.label_from_instance = lambda u: "\u3000" * max(u.depth - depth, 0) + u.name
        self._set_messages()

    def service_kwargs(self):
        return {"cadres": [], "units": list(self.cleaned_data["units"])}


class SupervisionLinkForm(_Messages, forms.Form):
    """Tie a leader to a unit they lead or supervise (三个挂钩)."""

    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none())
    unit = UnitChoiceField(label=_("挂钩单位"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("挂钩方式"), choices=LinkKind.choices)

    def __init__(self, *args, user, search="", **kwargs):
        super().__init__(*args, **kwargs)
        cadres = self.fields["cadre"]
        cadres.queryset = (
            Cadre.objects.restrict(user, "change")
            .filter(status=CadreStatus.ACTIVE)
            .select_related("unit")
        )
        selected = [self.data.get("cadre")] if self.is_bound else []
        limit_cadre_options(cadres, search, selected)
        self.fields["unit"].queryset = Unit.objects.restrict(user, "change").order_by("path")
        self.fields["unit"].base_depth = _base_depth(user)
        self._set_messages()

    def service_kwargs(self):
        return dict(self.cleaned_data)


class QuarterlyStartForm(_Messages, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), choices=QUARTERS, coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_messages()
