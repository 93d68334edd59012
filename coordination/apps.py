from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    """Coordinators' overview of the whole network: dashboard, impact report, exports, audit.

    It reads every other app and is read by none.
    """

    name = "coordination"
    verbose_name = _("Coordination")
