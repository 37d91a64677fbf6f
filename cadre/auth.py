from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from .models import User


class UnitAwareBackend(ModelBackend):
    """Loads the user with their unit in one query: every request needs it for the scope."""

    def get_user(self, user_id):
        try:
            user = User.objects.select_related("unit", "unit__manages_up_to").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def client_ip(request):
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies, the
    address the outermost trusted proxy saw (never a value the client could forge)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
