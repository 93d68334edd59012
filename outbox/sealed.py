"""Secrets in a mail: stored sealed, put back only when the mail is built to be sent.

A mail's body is kept (retries, the sweep, a resend, the admin's log of what was sent), but
a link that signs someone in or resets a password is for the recipient alone. So before a
message is stored, every secret in it (each value marked `Secret` in the render context, or
passed as `secrets=` for mail rendered elsewhere) is replaced by a placeholder
"[secret:<nonce>:<n>]", and the values go into Message.sealed_secrets, sealed with
SEALING_KEYS. The sending worker puts them back just before it hands the mail over.

The nonce is random per message, so a placeholder a user typed into their own text is never
taken for one of this message's. The admin shows any placeholder as a marker.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from secrets import token_hex

from django.utils.html import escape, smart_urlquote
from django.utils.translation import gettext

from lerenmetdestad.sealing import Secret, seal, unseal

_ANY_PLACEHOLDER = re.compile(r"\[secret:[0-9a-f]{16}:\d+\]")


@dataclass(frozen=True)
class SealedBodies:
    body_text: str
    body_html: str
    # "" when the mail holds no secret.
    sealed_secrets: str


def secrets_in(context: Mapping) -> list[str]:
    """The values marked Secret in a template context, also inside lists and dicts."""
    found = []
    values = list(context.values())
    while values:
        value = values.pop()
        if isinstance(value, Secret):
            found.append(str(value))
        elif isinstance(value, list | tuple | set):
            values.extend(value)
        elif isinstance(value, dict):
            values.extend(value.values())
    return found


def _forms(secret: str) -> set[str]:
    # How a value can end up in the bodies: as typed in the text part, escaped by the HTML
    # templates, and escaped after urlize quoted it into a link in the HTML layout.
    forms = {secret, str(escape(secret))}
    if secret.startswith(("http://", "https://")):
        forms.add(str(escape(smart_urlquote(secret))))
    return forms


def bodies_seal(*, body_text: str, body_html: str, secrets: Iterable[str]) -> SealedBodies:
    """The bodies with each secret replaced by a placeholder, and the secrets sealed."""
    forms = set()
    for secret in secrets:
        if secret:
            forms |= _forms(str(secret))
    # Only what the bodies hold; longest first, so a key inside its own link is one match.
    values = sorted(
        (form for form in forms if form in body_text or form in body_html),
        key=lambda form: (-len(form), form),
    )
    if not values:
        return SealedBodies(body_text=body_text, body_html=body_html, sealed_secrets="")
    nonce = token_hex(8)
    while f"[secret:{nonce}:" in body_text or f"[secret:{nonce}:" in body_html:
        nonce = token_hex(8)
    placeholders = {value: f"[secret:{nonce}:{index}]" for index, value in enumerate(values)}
    # One pass, so a shorter secret is never looked for inside a placeholder just written.
    pattern = re.compile("|".join(re.escape(value) for value in values))

    def replace(text: str) -> str:
        return pattern.sub(lambda match: placeholders[match.group(0)], text)

    return SealedBodies(
        body_text=replace(body_text),
        body_html=replace(body_html),
        sealed_secrets=seal(json.dumps({"nonce": nonce, "values": values})),
    )


def bodies_unseal(*, body_text: str, body_html: str, sealed_secrets: str) -> tuple[str, str]:
    """The bodies as the recipient must get them. UnsealError when no key opens the secrets."""
    if not sealed_secrets:
        return body_text, body_html
    payload = json.loads(unseal(sealed_secrets))
    values = payload["values"]
    pattern = re.compile(rf"\[secret:{re.escape(payload['nonce'])}:(\d+)\]")

    def put_back(text: str) -> str:
        return pattern.sub(lambda match: values[int(match.group(1))], text)

    return put_back(body_text), put_back(body_html)


def placeholders_hide(text: str) -> str:
    """Stored text as staff may read it: every placeholder a marker, in their language."""
    return _ANY_PLACEHOLDER.sub(gettext("[hidden: for the recipient only]"), text)
