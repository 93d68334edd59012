from django.core.management.base import BaseCommand, CommandError

from lerenmetdestad.sealing import sealed_values_rotate


class Command(BaseCommand):
    help = (
        "Seal every stored secret again with the first of SEALING_KEYS, so the keys after it "
        "can be dropped. Safe to run again."
    )

    def handle(self, *args, **options):
        result = sealed_values_rotate()
        self.stdout.write(f"sealing_rotate: {result.resealed} values sealed with the first key")
        if result.unreadable:
            # Dropping a key now would lose nothing more, but these rows are already lost
            # to every key we have: say which, and do not report success.
            raise CommandError(
                f"{len(result.unreadable)} values open with none of SEALING_KEYS: "
                + ", ".join(result.unreadable)
            )
