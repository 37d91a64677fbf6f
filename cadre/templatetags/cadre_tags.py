"""Small display helpers of the cadre pages."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def year_month(value):
    """A date as 1985.06, the way cadre registers write birth and post dates."""
    return value.strftime("%Y.%m") if value else ""


@register.filter
def minutes(value):
    """A timedelta in whole minutes (the lock-out time of the login page)."""
    return int(value.total_seconds() // 60) if value else ""


@register.filter
def internal_link(value):
    """The link of a notification, only when it points inside this site."""
    value = (value or "").strip()
    return value if value.startswith("/") and not value.startswith("//") else ""


@register.simple_tag
def select(bound_field):
    """A filter <select> built in Python: the form widget templates render each option through
    the template engine, which costs milliseconds on every list page."""
    field = bound_field.field
    value = bound_field.value()
    return select_html(
        bound_field.html_name,
        bound_field.auto_id,
        field.choices,
        "" if value is None else str(value),
    )


def select_html(name, element_id, choices, chosen, with_select=True):
    """<option>s (and their <select>) for (value, label) pairs; `chosen` is selected."""
    parts = []
    for key, label in choices:
        key = str(key)
        selected = " selected" if key == chosen else ""
        parts.append(f'<option value="{escape(key)}"{selected}>{escape(str(label))}</option>')
    options = "".join(parts)
    if not with_select:
        return mark_safe(options)  # noqa: S308 - every value above is escaped
    return mark_safe(  # noqa: S308
        f'<select name="{escape(name)}" id="{escape(element_id or "")}">{options}</select>'
    )
