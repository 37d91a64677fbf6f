"""Forms of the rank-promotion pages (职级晋升)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CheckDateForm(forms.Form):
    """The date a cadre's rank promotion is checked on (today when left empty): the
    organisation department can see, for example, when an impact period stops blocking."""

    on = forms.DateField(
        label=_("核查日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空为今天"),
    )
