from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        # Imported here: the declarations import models, which need the app registry.
        from outbox.privacy import register_declarations  # noqa: PLC0415

        register_declarations()
