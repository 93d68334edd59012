"""Score parts in plain words, in the reader's language (Dutch at B1 level first).

Each part of a `Fit` becomes one short phrase ("past bij je thema's eenzaamheid en
vergrijzing", "op dinsdag", "in het Nederlands"); `sentence` joins them with semicolons. The
phrases name the facts the score used, so what a person reads is exactly why the offer ranks
where it does. Call these while the reader's language is active (in a view or template tag).
"""

from collections.abc import Sequence
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from accounts.enums import Weekday
from matching.core.scores import Fit


class Audience(StrEnum):
    """Who reads the explanation, which decides "your themes" or "shares the themes"."""

    # A student reading why a project fits them.
    STUDENT = "student"
    # A researcher or lecturer reading why a challenge fits them.
    RESEARCHER = "researcher"
    # A coordinator reading why a researcher fits a challenge.
    COORDINATOR = "coordinator"


def join_words(items: Sequence[str]) -> str:
    """A list as words: "a", "a and b", "a, b and c", with the reader's word for "and"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return pgettext("joining a list", "%(items)s and %(last)s") % {
        "items": ", ".join(items[:-1]),
        "last": items[-1],
    }


def mid_sentence(name: str) -> str:
    """A name as it reads inside a sentence: "Eenzaamheid" -> "eenzaamheid". Names that
    start with an abbreviation ("LHBTI+ ...") keep their capitals."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _theme_phrase(themes: Sequence[str], audience: Audience) -> str:
    names = join_words([mid_sentence(name) for name in themes])
    if audience == Audience.COORDINATOR:
        # Translators: part of a sentence on why a researcher fits a challenge.
        return ngettext(
            "shares the theme %(themes)s", "shares the themes %(themes)s", len(themes)
        ) % {"themes": names}
    # Translators: part of a sentence on why a project fits you; parts are joined with ";".
    return ngettext("fits your theme %(themes)s", "fits your themes %(themes)s", len(themes)) % {
        "themes": names
    }


def _words_phrase(found: Sequence[str], audience: Audience) -> str:
    listed = join_words(list(found))
    if audience == Audience.STUDENT:
        # Translators: the words come from the student's programme and the project's text.
        return _("about %(words)s, like your programme") % {"words": listed}
    if audience == Audience.RESEARCHER:
        # Translators: the words come from your expertise and the challenge's text.
        return _("about %(words)s, like your expertise") % {"words": listed}
    # Translators: the words come from a researcher's expertise and the challenge's text.
    return _("expertise in %(words)s") % {"words": listed}


def _language_phrase(languages: Sequence[str]) -> str:
    if set(languages) == {"nl", "en"}:
        return _("in Dutch or English")
    if "en" in languages:
        return _("in English")
    return _("in Dutch")


def reasons(fit: Fit, *, audience: Audience) -> list[str]:
    """One phrase per part that scored, strongest kind of reason first."""
    phrases = []
    if fit.themes.shared:
        phrases.append(_theme_phrase(fit.themes.shared, audience))
    if fit.words.words:
        phrases.append(_words_phrase(fit.words.words, audience))
    if fit.weekdays.by_agreement:
        # Translators: the project's days are agreed with the team.
        phrases.append(_("days by agreement"))
    elif fit.weekdays.days:
        days = [str(Weekday(day).label) for day in fit.weekdays.days]
        # Translators: %(days)s is one or more weekdays, such as "Tuesday and Thursday".
        phrases.append(_("on %(days)s") % {"days": join_words(days)})
    if fit.language.languages:
        phrases.append(_language_phrase(fit.language.languages))
    if fit.neighbourhood.names:
        phrases.append(
            # Translators: neighbourhoods where the student has taken part in a project.
            _("in %(neighbourhoods)s, which you already know")
            % {"neighbourhoods": join_words(list(fit.neighbourhood.names))}
        )
    return phrases


def sentence(phrases: Sequence[str]) -> str:
    """The phrases as one sentence: "Past bij je thema eenzaamheid; op dinsdag"."""
    text = "; ".join(phrases)
    return text[:1].upper() + text[1:]


def explain(fit: Fit, *, audience: Audience) -> str:
    return sentence(reasons(fit, audience=audience))


def vog_note(fit: Fit) -> str:
    """What to know before joining, or "" when there is nothing."""
    if not fit.needs_vog:
        return ""
    return _("Good to know: for this project you need a certificate of conduct (VOG).")
