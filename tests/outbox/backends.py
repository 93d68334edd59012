"""Mail backends that misbehave the way no SMTP server does: for the outbox's error paths."""

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend


class CrashOnSecondMessageBackend(EmailBackend):
    """Sends (to locmem) the first message it is given, then raises as a bug would."""

    def send_messages(self, messages):
        if len(mail.outbox) >= 1:
            raise RuntimeError("a bug in the mail backend")
        return super().send_messages(messages)
