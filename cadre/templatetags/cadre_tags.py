"""Small display helpers of the cadre pages."""

from django import template
from django.utils.html import format_html, format_html_join
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
    chosen = "" if value is None else str(value)
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (str(key), mark_safe(" selected") if str(key) == chosen else "", label)
            for key, label in field.choices
        ),
    )
    return format_html(
        '<select name="{}" id="{}">{}</select>', bound_field.html_name, bound_field.auto_id, options
    )
