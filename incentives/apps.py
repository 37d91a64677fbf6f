from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("激励选任")

    def ready(self):
        from . import policy_rules  # noqa: F401 (registers the checks of its lists)
