from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    """Coordinators' overview of the whole network: dashboard, impact report, exports, audit.

    It reads every other app and is read by none.
    """

    name = "coordination"
    verbose_name = _("Coordination")

    def ready(self) -> None:
        # Imported here: the exports import models, which need the app registry.
        from coordination.exports.admin import add_export_actions  # noqa: PLC0415
        from coordination.privacy import register_declarations  # noqa: PLC0415

        # The other apps' admins are registered by now: django.contrib.admin comes first in
        # INSTALLED_APPS and discovers them in its own ready().
        add_export_actions()
        register_declarations()
