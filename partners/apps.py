from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and challenges")

    def ready(self) -> None:
        # Imported here: the source imports models, which need the app registry.
        from partners.privacy import register_declarations  # noqa: PLC0415
        from partners.reminders import register  # noqa: PLC0415

        register()
        register_declarations()
