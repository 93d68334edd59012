"""How well an offer (a project, a challenge) fits a person, in parts that explain themselves.

Plain data in, plain data out; no Django, so the scores can be tested and tuned alone. The
Django side (matching/recommendations.py) builds the inputs from the models, and
matching/explain.py turns each part into a plain sentence. Every part keeps the facts that
produced it (which themes, which words, which days), so an explanation never has to guess.

Eligibility is a filter, not a score (`may_join`): a cohort a student may not join is never
recommended, however well it would score.

Weights, in points; a total is at most 100:

    themes          20 per shared theme, at most 40. The person chose these themes themselves,
                    so a shared theme is the strongest and most reliable sign of interest.
    words           10 per matching word, at most 20. A word overlap between the programme or
                    expertise and the offer's text is a useful but noisy sign (one shared word
                    can be a coincidence), so two words together weigh as much as one theme.
    weekdays        up to 20: the share of the offer's days on which the person is free. Days
                    decide whether someone can take part at all, so they weigh as much as the
                    words; an offer "by agreement" fits every week and gets all 20.
    language        10 when the offer's language is one the person works in. Another language
                    scores 0 but does not exclude: the project may still welcome them.
    neighbourhood   10 when the offer is in a neighbourhood the person already knows.

A part with nothing to compare (the person left their days empty, the offer has no language)
scores 0 and says nothing, so an empty field never counts against or for anyone.

An offer is *relevant* only with a shared theme or a matching word: days, language and place
make a good offer better, but never make an unrelated offer a recommendation.

Words: a word is a run of at least four letters (shorter ones are mostly little words), not on
the stop list, lowercased and without accents, then given a light Dutch and English stem (a
common ending such as -heid, -en, -s or -ie is cut once, keeping at least four letters). Two
stems match when they are equal, or when the shorter has at least five letters and the longer
begins or ends with it, so "eenzaamheid" matches "eenzaam" and "moestuin" matches
"buurtmoestuin" (Dutch writes compounds as one word).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

THEME_POINTS = 20
THEME_MAX = 40
WORD_POINTS = 10
WORD_MAX = 20
WEEKDAY_MAX = 20
LANGUAGE_POINTS = 10
NEIGHBOURHOOD_POINTS = 10
MAX_TOTAL = THEME_MAX + WORD_MAX + WEEKDAY_MAX + LANGUAGE_POINTS + NEIGHBOURHOOD_POINTS

# Words shown in an explanation: more than three reads as a list, not a reason.
MAX_WORDS_SHOWN = 3
MIN_WORD_LENGTH = 4
MIN_AFFIX_LENGTH = 5
_MIN_STEM_LENGTH = 4
# Longest first; one is cut per word.
_SUFFIXES = ("heden", "ingen", "heid", "ing", "en", "es", "ie", "s", "e", "y")
# Frequent words of four letters or more that say nothing about a subject. Kept as text
# because a word list reads best that way (SIM905 prefers a list literal of 100 lines).
STOP_WORDS = frozenset(
    """
    andere bachelor beide binnen daar daarom deze dezelfde doen door elkaar enkele gaan geen
    goed graag hebben heeft hier iets jaar jouw kunnen maar maken master meer mensen minder
    naar niet nieuwe onder onze opleiding over project projecten samen sinds studie
    toegepaste tussen vaak veel voor vraag vragen waar welke werken willen worden wordt zelf
    zich zijn zoals
    about also applied because being could from have into more other programme projects
    science sciences some study such than that their them there these they this what when
    where which while will with would your
    leiden city stad
    """.split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Person:
    """A student or researcher, as far as fit is concerned."""

    themes: frozenset[str] = frozenset()
    # A student's programme, a researcher's expertise.
    text: str = ""
    # Weekday numbers, 1 = Monday. Empty: not filled in.
    weekdays: frozenset[int] = frozenset()
    # Language codes ("nl", "en"). Empty: not filled in.
    languages: frozenset[str] = frozenset()
    # Neighbourhood names the person already knows.
    neighbourhoods: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Offer:
    """A project or a challenge, as far as fit is concerned."""

    id: int
    themes: frozenset[str] = frozenset()
    # Title, summary or question, and the like; theme names are added by `fit`.
    text: str = ""
    # Weekday numbers; empty means "by agreement"; None means the offer has no days at all.
    weekdays: frozenset[int] | None = None
    # Language codes the work can be done in; None: not known.
    languages: frozenset[str] | None = None
    neighbourhoods: frozenset[str] = frozenset()
    # Taking part needs a certificate of conduct (VOG).
    needs_vog: bool = False


@dataclass(frozen=True)
class ThemePart:
    # The offer's theme names the person shares, sorted.
    shared: tuple[str, ...] = ()
    points: int = 0


@dataclass(frozen=True)
class WordPart:
    # The person's own words (lowercased, in the order they wrote them) that match the offer.
    words: tuple[str, ...] = ()
    points: int = 0


@dataclass(frozen=True)
class WeekdayPart:
    # The offer's days on which the person is free, Monday first.
    days: tuple[int, ...] = ()
    by_agreement: bool = False
    points: int = 0


@dataclass(frozen=True)
class LanguagePart:
    # Language codes both can work in, sorted.
    languages: tuple[str, ...] = ()
    points: int = 0


@dataclass(frozen=True)
class NeighbourhoodPart:
    # Names of the offer's neighbourhoods the person knows, sorted.
    names: tuple[str, ...] = ()
    points: int = 0


@dataclass(frozen=True)
class Fit:
    """How one offer fits one person: each part with its facts, and the total."""

    offer_id: int
    themes: ThemePart = field(default_factory=ThemePart)
    words: WordPart = field(default_factory=WordPart)
    weekdays: WeekdayPart = field(default_factory=WeekdayPart)
    language: LanguagePart = field(default_factory=LanguagePart)
    neighbourhood: NeighbourhoodPart = field(default_factory=NeighbourhoodPart)
    needs_vog: bool = False

    @property
    def total(self) -> int:
        return (
            self.themes.points
            + self.words.points
            + self.weekdays.points
            + self.language.points
            + self.neighbourhood.points
        )

    @property
    def is_relevant(self) -> bool:
        """A shared theme or a matching word: the offer is about something the person cares
        about. Practical parts alone never make a recommendation."""
        return self.themes.points > 0 or self.words.points > 0


# --- Words ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lowercase without accents: "Coördinatie" -> "coordinatie"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def stem(word: str) -> str:
    """A light stem: one common Dutch or English ending cut, keeping four letters or more."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM_LENGTH:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[tuple[str, str]]:
    """(word, stem) for each meaningful word of `text`, first occurrence of each stem only."""
    seen: set[str] = set()
    found = []
    for raw in _WORD.findall(text):
        word = _fold(raw)
        if len(word) < MIN_WORD_LENGTH or word in STOP_WORDS:
            continue
        word_stem = stem(word)
        if word_stem not in seen:
            seen.add(word_stem)
            found.append((word, word_stem))
    return found


def stems_match(first: str, second: str) -> bool:
    """Equal stems, or the longer begins or ends with the shorter of five letters or more."""
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    return len(shorter) >= MIN_AFFIX_LENGTH and (
        longer.startswith(shorter) or longer.endswith(shorter)
    )


def matching_words(person_text: str, offer_text: str) -> tuple[str, ...]:
    """The person's words that match a word of the offer, in the person's order."""
    offer_stems = {word_stem for _word, word_stem in words(offer_text)}
    return tuple(
        word
        for word, word_stem in words(person_text)
        if any(stems_match(word_stem, other) for other in offer_stems)
    )


# --- Parts ---------------------------------------------------------------------------------


def _theme_part(person: Person, offer: Offer) -> ThemePart:
    mine = {_fold(name) for name in person.themes}
    shared = tuple(sorted((name for name in offer.themes if _fold(name) in mine), key=_fold))
    return ThemePart(shared=shared, points=min(THEME_POINTS * len(shared), THEME_MAX))


def _word_part(person: Person, offer: Offer) -> WordPart:
    offer_text = " ".join([offer.text, *sorted(offer.themes)])
    matched = matching_words(person.text, offer_text)
    return WordPart(
        words=matched[:MAX_WORDS_SHOWN], points=min(WORD_POINTS * len(matched), WORD_MAX)
    )


def _weekday_part(person: Person, offer: Offer) -> WeekdayPart:
    if offer.weekdays is None or not person.weekdays:
        return WeekdayPart()
    if not offer.weekdays:
        return WeekdayPart(by_agreement=True, points=WEEKDAY_MAX)
    days = tuple(sorted(offer.weekdays & person.weekdays))
    # Whole points, rounded down: free on one of three days is 6.
    return WeekdayPart(days=days, points=WEEKDAY_MAX * len(days) // len(offer.weekdays))


def _language_part(person: Person, offer: Offer) -> LanguagePart:
    if offer.languages is None or not person.languages:
        return LanguagePart()
    shared = tuple(sorted(offer.languages & person.languages))
    return LanguagePart(languages=shared, points=LANGUAGE_POINTS if shared else 0)


def _neighbourhood_part(person: Person, offer: Offer) -> NeighbourhoodPart:
    names = tuple(sorted(offer.neighbourhoods & person.neighbourhoods, key=_fold))
    return NeighbourhoodPart(names=names, points=NEIGHBOURHOOD_POINTS if names else 0)


def fit(person: Person, offer: Offer) -> Fit:
    """Every part of how `offer` fits `person`."""
    return Fit(
        offer_id=offer.id,
        themes=_theme_part(person, offer),
        words=_word_part(person, offer),
        weekdays=_weekday_part(person, offer),
        language=_language_part(person, offer),
        neighbourhood=_neighbourhood_part(person, offer),
        needs_vog=offer.needs_vog,
    )


def rank[K](pairs: Iterable[tuple[K, Fit]], *, limit: int) -> list[tuple[K, Fit]]:
    """The relevant pairs, highest total first, at most `limit`.

    Equal totals keep the order of `pairs` (the sort is stable): the caller passes them in
    the order it prefers among equals, such as the soonest start first.
    """
    relevant = [(key, one) for key, one in pairs if one.is_relevant]
    return sorted(relevant, key=lambda pair: -pair[1].total)[:limit]


def best_first(person: Person, offers: Iterable[Offer], *, limit: int) -> list[Fit]:
    """The offers that fit `person`, ranked as `rank` does."""
    return [one for _offer, one in rank(((o, fit(person, o)) for o in offers), limit=limit)]


# --- Eligibility ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A cohort's dates and whether its project is intensive."""

    starts_on: date
    ends_on: date
    intensive: bool = False

    def overlaps(self, other: "Period") -> bool:
        return self.starts_on <= other.ends_on and self.ends_on >= other.starts_on


def may_join(
    *,
    institution_kind: str,
    allowed_kinds: Iterable[str],
    cohort: Period,
    places: Iterable[Period],
) -> bool:
    """The rules of projects.services.enrolment.eligibility_problem, over plain data.

    `places` are the other cohorts in which the student holds a place (member or applied,
    not cancelled). A student needs a type of education the project is open to, and may not
    take two intensive projects at the same time. The certificate of conduct (VOG) is not a
    reason to leave a project out: the student confirms it when joining, and the
    recommendation says it is needed.
    """
    if not institution_kind or institution_kind not in set(allowed_kinds):
        return False
    if cohort.intensive:
        return not any(place.intensive and place.overlaps(cohort) for place in places)
    return True
