from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("激励选任")

    def ready(self):
        from cadre.links import register_cadre_link

        from . import policy_rules  # noqa: F401 (registers the checks of its lists)
        from .models.common import can_read, can_write

        register_cadre_link(_("职级晋升资格"), "incentives:rank_cadre", can_read)
        register_cadre_link(_("干部任免审批表"), "incentives:appointment_form", can_write)
