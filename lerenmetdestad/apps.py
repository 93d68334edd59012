from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class LerenMetDeStadConfig(AppConfig):
    name = "lerenmetdestad"
    verbose_name = "Leren met de Stad"

    def ready(self) -> None:
        # Registers the system check that stops a production start without SEALING_KEYS.
        from lerenmetdestad import sealing  # noqa: F401, PLC0415


class PlatformAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the platform's site (lerenmetdestad/admin_site.py) as admin.site."""

    # Named in INSTALLED_APPS; not this module's default, which is the platform's own app.
    default = False
    default_site = "lerenmetdestad.admin_site.PlatformAdminSite"
