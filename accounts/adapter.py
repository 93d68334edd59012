from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from accounts import two_factor
from accounts.models import User
from outbox.enums import MessageKind
from outbox.services import message_queue

# The string values in allauth's mail contexts that anyone may read. Every other string is
# taken for a secret (password_reset_url, key, activate_url, code, and whatever a newer
# allauth adds): a name missing here shows as hidden in the admin, a secret missing would
# be readable there.
PUBLIC_CONTEXT_KEYS = frozenset(
    {"email", "deleted_email", "from_email", "to_email", "signup_url", "username", "uid"}
)


class AccountAdapter(DefaultAccountAdapter):
    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up or changing two factors asks for the password again, unless this
        session gave its password or a code only minutes ago (a fresh login counts)."""
        request = allauth_context.request
        if app == "allauth.mfa" and request and two_factor.factor_checked_recently(request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def save_user(self, request, user, form, commit=True):
        data = form.cleaned_data
        user.name = data.get("name", "").strip()
        user.role = data.get("role") or user.role
        # The interface language at sign-up becomes the profile's language.
        user.language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue allauth's mail in the outbox instead of sending it inside the request.

        The links and codes in it are passed as secrets, so the outbox stores them sealed.
        """
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = getattr(user, "language", None) or translation.get_language()
        request = allauth_context.request
        ctx = {"email": email, "current_site": get_current_site(request)} | context
        with translation.override(language):
            rendered = self.render_mail(template_prefix, email, ctx)
        html = next(
            (
                content
                for content, mimetype in getattr(rendered, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        message_queue(
            to_email=email,
            user=user if isinstance(user, User) else None,
            kind=MessageKind.ACCOUNT,
            subject=rendered.subject,
            body_text=rendered.body,
            body_html=html,
            language=language,
            secrets=[
                value
                for key, value in context.items()
                if isinstance(value, str) and key not in PUBLIC_CONTEXT_KEYS
            ],
        )
