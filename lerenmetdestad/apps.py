from django.apps import AppConfig


class LerenMetDeStadConfig(AppConfig):
    name = "lerenmetdestad"
    verbose_name = "Leren met de Stad"

    def ready(self) -> None:
        # Registers the system check that stops a production start without SEALING_KEYS.
        from lerenmetdestad import sealing  # noqa: F401, PLC0415
