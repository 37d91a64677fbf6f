from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToleranceConfig(AppConfig):
    name = "tolerance"
    verbose_name = _("容错纠错")
