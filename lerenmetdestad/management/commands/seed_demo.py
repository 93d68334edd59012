from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import demo as accounts_demo
from events.demo import seed_events
from partners import demo as partners_demo
from partners.demo_challenges import seed_challenges
from partners.demo_organisations import seed_organisations
from projects.demo import seed_projects


class Command(BaseCommand):
    help = "Load realistic Leiden demo data. Safe to run again: it adds only what is missing."

    def handle(self, *args, **options):
        # Order matters: later apps build on the data of earlier ones.
        partners = partners_demo.seed()
        institutions = accounts_demo.seed_institutions()
        logins = accounts_demo.seed_users()
        organisations = seed_organisations()
        challenges = seed_challenges()
        projects = seed_projects()
        events = seed_events()
        self.stdout.write(
            f"seed_demo: {partners['themes']} themes, {partners['neighbourhoods']} neighbourhoods, "
            f"{institutions} institutions, {organisations} organisations, "
            f"{challenges} challenges, {projects} projects, {events} events added"
        )
        if settings.DEBUG:
            for demo, password in logins:
                self.stdout.write(f"demo login: {demo.role} {demo.email} {password}")
        else:
            self.stdout.write("Demo passwords are shown only when DEBUG is on.")
