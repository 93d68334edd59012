"""Checks over all templates and the Dutch catalogue, without rendering anything."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.unit]

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# Emails are not served under our CSP and may need inline styles for mail clients.
MAIL_DIR = TEMPLATES_DIR / "mail"

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def _web_templates() -> list[Path]:
    return sorted(
        path for path in TEMPLATES_DIR.rglob("*") if path.is_file() and MAIL_DIR not in path.parents
    )


def test_templates_have_no_inline_scripts_or_styles():
    offences = []
    for path in _web_templates():
        text = path.read_text(encoding="utf-8")
        for name, pattern in [
            ("inline <script>", INLINE_SCRIPT),
            ("<style>", STYLE_ELEMENT),
            ("style attribute", STYLE_ATTRIBUTE),
        ]:
            offences += [
                f"{path.relative_to(TEMPLATES_DIR)}: {name}" for _match in pattern.finditer(text)
            ]

    assert offences == []


def test_template_scan_recognises_what_it_forbids():
    # Guard against a scan that passes because its patterns never match.
    assert INLINE_SCRIPT.search('<script nonce="x">alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert STYLE_ELEMENT.search("<style>p{}</style>")
    assert STYLE_ATTRIBUTE.search('<p style="color:red">')


def _translations(entry: str) -> dict[str, str]:
    """msgid and each msgstr of one catalogue entry, with continuation lines joined."""
    values: dict[str, str] = {}
    current = None
    for line in entry.splitlines():
        if match := re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line):
            current = match.group(1)
            values[current] = match.group(2)
        elif line.startswith('"') and current:
            values[current] += line[1:-1]
    return values


def test_dutch_catalogue_has_no_missing_or_fuzzy_translations():
    catalogue = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
    entries = catalogue.read_text(encoding="utf-8").strip().split("\n\n")[1:]  # 0 is the header

    fuzzy = [entry for entry in entries if re.search(r"^#,.*\bfuzzy\b", entry, re.MULTILINE)]
    missing = [
        values["msgid"]
        for values in map(_translations, entries)
        if any(value == "" for key, value in values.items() if key.startswith("msgstr"))
    ]
    assert fuzzy == []
    assert missing == []
