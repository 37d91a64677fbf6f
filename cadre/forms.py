"""Forms of the staff pages. They check the shape of the input; the rules live in the model's
`clean()` and in `services`, whose errors the views put back on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Cadre, Unit
from .services import CADRE_FIELDS

# A cadre select never offers more cadres than this; a search box next to it narrows the list.
CADRE_OPTIONS_LIMIT = 300

DATE_FIELDS = ("birth_date", "party_member_since", "post_since", "rank_since", "work_since")


class UnitChoiceField(forms.ModelChoiceField):
    """Units shown indented by their depth, so a long list still reads as a tree."""

    def __init__(self, *args, base_depth=0, **kwargs):
        self.base_depth = base_depth
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return "\u3000" * max(obj.depth - self.base_depth, 0) + obj.name


class CadreForm(forms.ModelForm):
    """A cadre's record, with the ID number entered in clear (the service encrypts it)."""

    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        required=False,
        help_text=_("18位公民身份号码，末位可为X"),
    )

    field_order = ["name", "gender", "birth_date", "ethnicity", "id_number"]

    class Meta:
        model = Cadre
        # The fields the cadre services accept, and the tags.
        fields = [*CADRE_FIELDS, "tags"]
        field_classes = {"unit": UnitChoiceField}
        widgets = {
            **{
                name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                for name in DATE_FIELDS
            },
            "tags": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        unit_field = self.fields["unit"]
        unit_field.queryset = Unit.objects.restrict(user).only("id", "name", "depth", "path")
        unit_field.base_depth = user.unit.depth if user.unit_id else 0
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
        for name in ("post_level", "rank"):
            self.fields[name].empty_label = _("（无）")
        education = self.fields["education"]
        education.choices = [("", _("（未填写）")), *education.choices[1:]]
        for name in DATE_FIELDS:
            self.fields[name].error_messages["invalid"] = _("请输入有效日期，例如 1985-06-30")
        self.fields["township_years"].error_messages["invalid"] = _("请输入数字，例如 3.5")
        if self.instance.pk:
            self.fields["id_number"].help_text = _("留空则不修改已登记的身份证号")
            # Only those allowed to read the number see it again in the form.
            shown = self.instance.id_number_for(user)
            if shown == self.instance.id_number:
                self.initial["id_number"] = shown

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()

    def service_kwargs(self):
        """The cleaned data as keyword arguments of `cadre_create` / `cadre_update`."""
        data = dict(self.cleaned_data)
        data["tags"] = list(data["tags"])
        if self.instance.pk and not data["id_number"]:
            data["id_number"] = None  # keep the number on file
        return data


class CadreChoiceMixin:
    """Cadres named with their unit and post, so two people of the same name are told apart."""

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.unit.name} {obj.post}）"


class CadreMultipleChoiceField(CadreChoiceMixin, forms.ModelMultipleChoiceField):
    pass


class CadreChoiceField(CadreChoiceMixin, forms.ModelChoiceField):
    pass


def limit_cadre_options(field, search="", selected=()):
    """Offer at most CADRE_OPTIONS_LIMIT cadres (matching `search`, and the ones chosen): the
    field still validates against the whole queryset the user may see."""
    queryset = field.queryset
    shown = queryset.search(search) if search else queryset
    shown = list(shown.order_by("unit__path", "name", "pk")[:CADRE_OPTIONS_LIMIT])
    ids = {c.pk for c in shown}
    wanted = [int(v) for v in selected if str(v).isdigit() and int(v) not in ids]
    if wanted:
        shown += list(queryset.filter(pk__in=wanted))
    choices = [(c.pk, field.label_from_instance(c)) for c in shown]
    if not isinstance(field, forms.ModelMultipleChoiceField):
        choices = [("", field.empty_label or "---------"), *choices]
    field.widget.choices = choices
