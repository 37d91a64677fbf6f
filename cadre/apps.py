from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadreConfig(AppConfig):
    name = "cadre"
    verbose_name = _("干部队伍（核心）")

    def ready(self):
        from . import signals  # noqa: F401
