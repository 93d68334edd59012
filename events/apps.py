from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Meet & Match")

    def ready(self) -> None:
        # Imported here: the sources import models, which need the app registry.
        from events.privacy import register_declarations  # noqa: PLC0415
        from events.reminders import register  # noqa: PLC0415

        register()
        register_declarations()
