"""The security policies every answer must keep, checked on every page the access proof asks.

- the strict Content Security Policy exactly as settings.SECURE_CSP says, with a fresh
  nonce, and no inline script or style without that nonce, no style attribute, no event
  handler attribute and no javascript: link, so the policy needs no exception anywhere;
- no framing, no more referrer than the origin to other sites, no MIME sniffing, and a
  window of its own (Cross-Origin-Opener-Policy).
"""

import re

from django.conf import settings
from django.utils.csp import CSP

from tests.ui.html import parse

NONCE = re.compile(r"'nonce-([\w+/=-]+)'")
HANDLER_ATTRIBUTE = re.compile(r"^on[a-z]+$")
URL_ATTRIBUTES = ("href", "src", "action", "formaction")


def _expected_policy(nonce: str | None) -> dict[str, list[str]]:
    """SECURE_CSP as sent: Django leaves the nonce out of a page that used none."""
    return {
        directive: [
            f"'nonce-{nonce}'" if value == CSP.NONCE else str(value)
            for value in values
            if value != CSP.NONCE or nonce
        ]
        for directive, values in settings.SECURE_CSP.items()
    }


def _policy(header: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def policy_offences(response) -> list[str]:
    """Everything on one response that the policies forbid; [] when it keeps them all."""
    offences = []
    for header, value in {
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
    }.items():
        if response.headers.get(header) != value:
            offences.append(f"{header}: {response.headers.get(header)!r}")
    if not response.headers.get("Content-Type", "").startswith("text/html"):
        return offences
    header = response.headers.get("Content-Security-Policy", "")
    found = NONCE.search(header)
    nonce = found.group(1) if found else None
    if _policy(header) != _expected_policy(nonce):
        offences.append(f"Content-Security-Policy: {header!r}")
    for element in parse(response.content).iter():
        inline = element.tag == "style" or (element.tag == "script" and "src" not in element.attrs)
        if inline and element.attrs.get("nonce") != nonce:
            offences.append(f"<{element.tag}> without the page's nonce")
        if element.tag == "script" and not element.attrs.get("src", "/").startswith("/"):
            offences.append(f"<script src={element.attrs['src']!r}> from another site")
        for name, value in element.attrs.items():
            if name == "style":
                offences.append(f"<{element.tag} style={value!r}>")
            if HANDLER_ATTRIBUTE.match(name):
                offences.append(f"<{element.tag} {name}=…>")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                offences.append(f"<{element.tag} {name}={value!r}>")
    return offences
