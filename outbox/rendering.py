"""Turning templates into the subject, plain text and HTML of one email.

Pure functions: they read templates and settings and write nothing. The caller activates the
recipient's language first (translation.override), so every string comes out in it.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse

from accounts.models import User
from outbox.enums import REQUIRED_KINDS, MessageKind
from outbox.sealed import secrets_in
from outbox.tokens import unsubscribe_url

_MANY_BLANK_LINES = re.compile(r"\n{3,}")
# Trailing spaces go, except in "-- ", the signature separator mail programs recognise.
_TRAILING_SPACE = re.compile(r"(?<!^--)[ \t]+$", re.MULTILINE)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body_text: str
    body_html: str
    # The values marked Secret in the context: outbox.sealed stores them sealed.
    secrets: tuple[str, ...] = ()


def footer_context(*, kind: str, user: User | None) -> dict:
    """What the layout needs to say why this mail came and how to stop it."""
    optional = kind not in REQUIRED_KINDS and user is not None
    return {
        "kind_label": MessageKind(kind).label,
        "site_url": settings.SITE_URL,
        "preferences_url": settings.SITE_URL + reverse("outbox:preferences"),
        "unsubscribe_url": unsubscribe_url(user_id=user.pk, kind=kind) if optional else "",
    }


def render_subject(template_name: str, context: dict) -> str:
    # A subject is one line; templates often end with a newline or wrap long lines.
    return " ".join(render_text(template_name, context).split())


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template without HTML escaping.

    Django escapes by default, which would turn "O'Brien" into "O&#x27;Brien" in a text
    mail. Rendering with autoescape off here means text templates need no
    {% autoescape off %} of their own (allauth's and Django's do need it).
    """
    template = get_template(template_name)
    text = template.template.render(Context(context, autoescape=False))
    text = _TRAILING_SPACE.sub("", text)
    return _MANY_BLANK_LINES.sub("\n\n", text).strip()


def wrap_text(*, body: str, footer: dict) -> str:
    """The plain-text body with the standard footer under it."""
    return render_text("mail/layout.txt", {"body": body.strip(), **footer})


def wrap_html(*, subject: str, footer: dict, content_html: str = "", text: str = "") -> str:
    """The HTML layout around content_html, or around the plain text when there is no HTML."""
    context = {"subject": subject, "content": content_html, "text": text, **footer}
    return render_to_string("mail/layout.html", context)


def render_mail(
    *, template_prefix: str, context: dict, kind: str, user: User | None
) -> RenderedMail:
    """Render <prefix>_subject.txt, <prefix>_message.txt and, if it exists, <prefix>_message.html.

    Without an HTML template the HTML part is built from the text, so every mail has both.
    """
    footer = footer_context(kind=kind, user=user)
    context = {"recipient": user, **footer, **context}
    subject = render_subject(f"{template_prefix}_subject.txt", context)
    body = render_text(f"{template_prefix}_message.txt", context)
    try:
        html_template = get_template(f"{template_prefix}_message.html")
    except TemplateDoesNotExist:
        # Only a missing HTML template falls back to the text; a missing include inside an
        # existing one still raises, so a broken template never goes out half-rendered.
        html_template = None
    content_html = html_template.render(context) if html_template else ""
    return RenderedMail(
        subject=subject,
        body_text=wrap_text(body=body, footer=footer),
        body_html=wrap_html(subject=subject, footer=footer, content_html=content_html, text=body),
        secrets=tuple(secrets_in(context)),
    )
