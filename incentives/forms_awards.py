"""Forms of the awards part. They check the shape of the input; the rules (the kind list, the
nominee's scope, holds, the notice window) live in `incentives.awards`, whose errors the views
put back on the field they name."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre.forms import CadreChoiceField, UnitChoiceField, limit_cadre_options
from cadre.models import Cadre, Unit

from . import awards


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(rows=4):
    return forms.Textarea(attrs={"rows": rows})


class _Base(forms.Form):
    def _messages(self):
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("请输入有效日期，例如 2026-06-30")
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = _("请输入整数")

    def _units(self, user):
        units = Unit.objects.restrict(user, "change").order_by("path")
        base_depth = user.unit.depth if user.unit_id else 0
        return units, base_depth


class CampaignForm(_Base):
    """Open a campaign: the kind from the award-kinds list applying at the user's unit."""

    unit = UnitChoiceField(label=_("组织单位"), queryset=Unit.objects.none())
    kind_code = forms.ChoiceField(label=_("表彰种类"))
    title = forms.CharField(label=_("活动名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    nomination_deadline = forms.DateField(
        label=_("推荐截止日期"), required=False, widget=_date_widget()
    )
    description = forms.CharField(label=_("评选条件和要求"), required=False, widget=_textarea())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units, base_depth = self._units(user)
        self.fields["unit"].queryset = units
        self.fields["unit"].base_depth = base_depth
        if user.unit_id and not self.is_bound:
            self.fields["unit"].initial = user.unit_id
        _list, items = awards.award_kinds_at(user.unit if user.unit_id else None)
        self.fields["kind_code"].choices = [("", _("（请选择）"))] + [
            (item.code, kind_choice_label(item)) for item in items
        ]
        self.fields["year"].initial = timezone.localdate().year
        self._messages()

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "unit": data["unit"],
            "kind_code": data["kind_code"],
            "title": data["title"],
            "year": data["year"],
            "description": data.get("description") or "",
            "nomination_deadline": data.get("nomination_deadline"),
        }


def kind_choice_label(item):
    days = awards.kind_notice_days(item)
    notice = _("公示%(days)s个工作日") % {"days": days} if days else _("不公示")
    collective = _("，集体") if awards.kind_is_collective(item) else ""
    return f"{item.label}（{notice}{collective}）"


class NominationForm(_Base):
    """Nominate a cadre, or a unit for a collective kind."""

    cadre = CadreChoiceField(label=_("推荐干部"), queryset=Cadre.objects.none(), required=False)
    unit = UnitChoiceField(label=_("推荐集体"), queryset=Unit.objects.none(), required=False)
    deeds = forms.CharField(label=_("主要事迹"), widget=_textarea(6))

    def __init__(self, *args, user, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        if awards.campaign_is_collective(campaign):
            del self.fields["cadre"]
            units, base_depth = self._units(user)
            self.fields["unit"].queryset = units.subtree(campaign.unit)
            self.fields["unit"].base_depth = base_depth
            self.fields["unit"].required = True
        else:
            del self.fields["unit"]
            field = self.fields["cadre"]
            field.required = True
            field.queryset = (
                Cadre.objects.restrict(user, "change")
                .filter(unit__path__startswith=campaign.unit.path)
                .select_related("unit")
            )
            selected = []
            if self.is_bound and str(self.data.get(self.add_prefix("cadre")) or "").isdigit():
                selected = [self.data.get(self.add_prefix("cadre"))]
            limit_cadre_options(field, "", selected)
        self._messages()

    def service_kwargs(self):
        data = self.cleaned_data
        return {"cadre": data.get("cadre"), "unit": data.get("unit"), "deeds": data["deeds"]}


class ReviewForm(_Base):
    """Approve or reject a nominee; rejecting needs a note (checked by the service)."""

    approve = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=[("1", _("通过")), ("0", _("不通过"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("审核意见"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._messages()


class NoteForm(_Base):
    note = forms.CharField(label=_("说明"), required=False, widget=_textarea(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._messages()


class ObjectionForm(_Base):
    received_on = forms.DateField(label=_("收到日期"), widget=_date_widget())
    submitter = forms.CharField(label=_("反映人（可匿名）"), required=False, max_length=100)
    content = forms.CharField(label=_("反映内容"), widget=_textarea(5))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self._messages()


class ResolveForm(_Base):
    upheld = forms.TypedChoiceField(
        label=_("核查结果"),
        choices=[("0", _("反映不实")), ("1", _("反映属实（不予表彰）"))],
        coerce=lambda v: v == "1",
    )
    resolution = forms.CharField(label=_("核查结论"), widget=_textarea(4))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._messages()


class ExemplarForm(_Base):
    """Enter a cadre or a unit in the exemplar register."""

    cadre = CadreChoiceField(label=_("干部"), queryset=Cadre.objects.none(), required=False)
    collective = UnitChoiceField(label=_("先进集体"), queryset=Unit.objects.none(), required=False)
    title = forms.CharField(label=_("荣誉或典型称号"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    deeds = forms.CharField(label=_("先进事迹"), widget=_textarea(6))
    publicity = forms.CharField(
        label=_("宣传情况"),
        required=False,
        widget=_textarea(3),
        help_text=_("宣传报道的媒体、时间、形式等"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units, base_depth = self._units(user)
        self.fields["collective"].queryset = units
        self.fields["collective"].base_depth = base_depth
        self.fields["collective"].help_text = _("登记先进集体时选择单位，不选干部")
        field = self.fields["cadre"]
        field.queryset = Cadre.objects.restrict(user, "change").select_related("unit")
        selected = []
        if self.is_bound and str(self.data.get(self.add_prefix("cadre")) or "").isdigit():
            selected = [self.data.get(self.add_prefix("cadre"))]
        limit_cadre_options(field, "", selected)
        self.fields["year"].initial = timezone.localdate().year
        self._messages()

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "cadre": data.get("cadre"),
            "collective": data.get("collective"),
            "title": data["title"],
            "year": data["year"],
            "deeds": data["deeds"],
            "publicity": data.get("publicity") or "",
        }
