from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("考核评价")

    def ready(self):
        from cadre.links import register_cadre_link

        from . import policy_rules  # noqa: F401 (registers the checks of its lists)
        from .models import READ_ROLES

        register_cadre_link(
            _("考核记录"),
            "assessment:cadre_history",
            lambda user: user.is_superuser or bool(set(user.roles or []) & READ_ROLES),
        )
