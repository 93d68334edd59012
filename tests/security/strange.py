"""Hypothesis strategies for strange form input, shared by the bad-input tests.

A payload is what a browser would post: a dict of field name to a string, a list of strings
(a field sent more than once) or an uploaded file. The strategies here take a valid payload
and change one field toward the strange, so a refusal can be pinned on that one field.
"""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

HUGE = 100_000

MARKUP = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "&lt;b&gt;&amp;&#0;&#x0;&nbsp;&#65533;",
    "{{ request.user.password }}{% debug %}",
    "<!--",
    "]]>",
    "javascript:alert(1)",
)
SQLISH = (
    "' OR '1'='1",
    "1; DROP TABLE accounts_user; --",
    "%",
    "_",
    "\\",
    "' UNION SELECT password FROM accounts_user --",
)
CONTROL = (
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\u202etxt.exe",
    "\u200b\u200d\ufeff",
    "\x07\x08\x0b\x0c\x7f",
    "\r\n\r\n",
    "\ud7ff\U0010ffff",
)
SCRIPTS = (
    "مرحبا بالعالم",
    "你好\uff0c世界",
    "こんにちは",
    "Привет",
    "שלום",
    "👩🏽‍🔬🏳️‍🌈🇳🇱",
    "e\u0301\u0301\u0301\u0301",
    "Z̷̢̛̛̖̤a̸l̴g̶o̵",
    "İıﬁß",
)
NUMBERISH = (
    "0",
    "-1",
    "1.5",
    "1,5",
    "1e309",
    "NaN",
    "Infinity",
    "-0",
    "9" * 40,
    "\uff10\uff11\uff12",
    "٣",
    "²",
    "①",
    "0x1F",
)
DATEISH = (
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "31-12-2026",
    "2026-01-01T25:61",
    "yesterday",
)


def _huge(unit: str) -> str:
    return (unit * (HUGE // len(unit) + 1))[:HUGE]


def _surrogate_free_text() -> st.SearchStrategy[str]:
    # A browser cannot send lone surrogates: they have no UTF-8 form.
    return st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


def strange_strings() -> st.SearchStrategy[str]:
    """One strange string: empty, blank, huge, markup, control characters, other scripts,
    SQL-like, number-like or date-like, or anything Hypothesis makes up."""
    return st.one_of(
        st.just(""),
        st.text(" \t\n\r\u00a0\u2003\u3000", min_size=1, max_size=10),
        st.sampled_from(["x", "é", "💥", "<b>", "\x00"]).map(_huge),
        st.sampled_from(MARKUP),
        st.sampled_from(CONTROL),
        st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=10),
        st.sampled_from(SCRIPTS),
        st.text(st.characters(categories=["Lo", "Mn", "So"]), min_size=1, max_size=20),
        st.sampled_from(SQLISH),
        st.sampled_from(NUMBERISH),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(DATEISH),
        _surrogate_free_text(),
    )


def strange_uploads() -> st.SearchStrategy[SimpleUploadedFile]:
    """A file whose name or content is strange."""
    names = st.one_of(
        st.sampled_from(
            [
                "../../../etc/passwd.pdf",
                "a\x00.pdf",
                "\u202efdp.exe",
                "rapport.PDF",
                "rapport",
                ".pdf",
                "verslag.docx",
                "notities.txt",
            ]
        ),
        strange_strings().map(lambda name: f"{name[:300]}.txt"),
    )
    contents = st.one_of(
        st.just(b""),
        st.just(b"%PDF-1.4 just a start"),
        st.just(b"MZ\x90\x00 an executable"),
        st.binary(max_size=64),
    )
    return st.builds(SimpleUploadedFile, names, contents)


MISSING = object()


@dataclass(frozen=True)
class Change:
    """What one example did to the valid payload: which field, and what it sent instead."""

    field: str
    value: object

    def apply(self, payload: dict) -> dict:
        changed = dict(payload)
        if self.value is MISSING:
            changed.pop(self.field, None)
        else:
            changed[self.field] = self.value
        return changed

    def __repr__(self) -> str:
        shown = "<missing>" if self.value is MISSING else self.value
        if isinstance(shown, str) and len(shown) > 80:
            shown = f"{shown[:40]!r}... ({len(shown)} chars)"
        return f"Change({self.field!r}, {shown!r})"


def strange_values(valid: object, *, is_file: bool = False) -> st.SearchStrategy[object]:
    """What one field may carry instead of its valid value: a strange string, a list (a
    field sent twice, with the valid value first), nothing at all, or for a file field a
    strange file or plain text."""
    strings = strange_strings()
    if is_file:
        return st.one_of(strange_uploads(), strings, st.just(MISSING))
    first = valid[0] if isinstance(valid, list) and valid else valid
    return st.one_of(
        strings,
        strings.map(lambda value: [first, value] if isinstance(first, str) else [value]),
        st.lists(strings, min_size=2, max_size=4),
        st.just(MISSING),
    )


def one_field_changed(
    payload: dict, *, file_fields: frozenset[str] = frozenset()
) -> st.SearchStrategy[Change]:
    """A change to one field of `payload`, or a field the form never asked for."""
    fields = sorted(payload)
    known = st.sampled_from(fields).flatmap(
        lambda name: st.builds(
            Change,
            st.just(name),
            strange_values(payload[name], is_file=name in file_fields),
        )
    )
    unknown = st.builds(
        Change, st.sampled_from(["csrfmiddlewaretoken", "id", "pk", "\x00"]), strange_strings()
    )
    return st.one_of(known, known, known, unknown)
