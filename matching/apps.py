from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        # Imported here: events.services.schedule imports models, which need the app registry.
        from events.services.schedule import register_schedule_builder  # noqa: PLC0415
        from matching.privacy import register_declarations  # noqa: PLC0415
        from matching.schedule_builder import build_schedule_proposal  # noqa: PLC0415

        # events never imports matching: the engine hands events its schedule builder.
        register_schedule_builder(build_schedule_proposal)
        register_declarations()
