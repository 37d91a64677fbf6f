from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("关心关爱")

    def ready(self):
        from cadre.links import register_cadre_link

        from . import policy_rules  # noqa: F401 (registers the checks of its lists)
        from .models.common import can_read

        register_cadre_link(_("健康档案"), "care:health_record", can_read)
