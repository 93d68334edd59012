"""Readability of a challenge's question in Dutch, as advice to the person writing it.

textstat's Flesch reading ease in Dutch uses the Flesch-Douma formula and Dutch hyphenation
(pyphen) to count syllables. We show it; we never block on it.
"""

from dataclasses import dataclass

import textstat
from django.utils.translation import gettext_lazy as _

# Short, everyday sentences (about B1) score 60 or more in Flesch-Douma.
EASY = 60
HARD = 30


@dataclass(frozen=True)
class Readability:
    score: int
    label: str
    advice: str


def question_readability(text: str) -> Readability | None:
    text = text.strip()
    if len(text.split()) < 5:
        return None
    textstat.set_lang("nl")
    # The formula runs past 0 and 100 for extreme texts; people read it as a 0-100 scale.
    score = max(0, min(100, round(textstat.flesch_reading_ease(text))))
    if score >= EASY:
        return Readability(
            score, str(_("easy to read")), str(_("Good: most people can read this."))
        )
    if score >= HARD:
        return Readability(
            score,
            str(_("fairly hard to read")),
            str(_("Try shorter sentences and everyday words.")),
        )
    return Readability(
        score,
        str(_("hard to read")),
        str(_("Use short sentences, everyday words and one idea per sentence.")),
    )
