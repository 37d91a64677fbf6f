from django import template

from ..models.common import can_read

register = template.Library()


@register.filter
def is_care_staff(user):
    """Whether the user reads care records of others (the tabs beyond self-service)."""
    return bool(user is not None and user.is_authenticated and can_read(user))
