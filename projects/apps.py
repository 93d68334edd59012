from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        # Imported here: models and partners.load need the app registry to be ready.
        from partners.load import (  # noqa: PLC0415
            register_contact_load_source,
            register_team_load_source,
        )
        from projects.load import cohort_contact_load, cohort_team_load  # noqa: PLC0415
        from projects.privacy import register_declarations  # noqa: PLC0415
        from projects.reminders import register as register_reminders  # noqa: PLC0415

        # partners cannot import projects, so cohorts' load reaches it through these sources.
        register_team_load_source(cohort_team_load)
        register_contact_load_source(cohort_contact_load)
        register_reminders()
        register_declarations()
