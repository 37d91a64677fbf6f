"""Small display helpers of the cadre pages."""

from django import template

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
