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
