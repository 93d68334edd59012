"""Scores that explain themselves: each part with its facts, the total, and the words."""

from datetime import date

import pytest
from django.utils import translation

from matching.core.scores import (
    MAX_TOTAL,
    Fit,
    LanguagePart,
    Offer,
    Period,
    Person,
    ThemePart,
    WeekdayPart,
    WordPart,
    best_first,
    fit,
    matching_words,
    may_join,
    rank,
    stem,
)
from matching.explain import Audience, explain, join_words, mid_sentence, vog_note

pytestmark = pytest.mark.unit

SANNE = Person(
    themes=frozenset({"Eenzaamheid", "Vergrijzing"}),
    text="Toegepaste Psychologie",
    weekdays=frozenset({2, 3}),
    languages=frozenset({"nl"}),
)
BUURTKAMER = Offer(
    id=1,
    themes=frozenset({"Vergrijzing", "Eenzaamheid", "Wonen"}),
    text="Buurtkamer in de Kooi: psychologie van eenzaamheid",
    weekdays=frozenset({2}),
    languages=frozenset({"nl"}),
)


# --- Parts and total -------------------------------------------------------------------------


def test_fit_keeps_each_part_with_the_facts_that_made_it():
    result = fit(SANNE, BUURTKAMER)

    assert result == Fit(
        offer_id=1,
        themes=ThemePart(shared=("Eenzaamheid", "Vergrijzing"), points=40),
        words=WordPart(words=("psychologie",), points=10),
        weekdays=WeekdayPart(days=(2,), points=20),
        language=LanguagePart(languages=("nl",), points=10),
    )
    assert result.total == 80
    assert result.is_relevant


def test_theme_points_are_twenty_each_at_most_forty_and_ignore_case():
    person = Person(themes=frozenset({"eenzaamheid", "WONEN", "vergrijzing"}))

    result = fit(person, BUURTKAMER)

    assert result.themes == ThemePart(shared=("Eenzaamheid", "Vergrijzing", "Wonen"), points=40)
    assert fit(Person(themes=frozenset({"Wonen"})), BUURTKAMER).themes.points == 20


def test_words_match_on_stems_and_the_start_or_end_of_compounds():
    assert stem("eenzaamheid") == "eenzaam"
    assert stem("ouderen") == "ouder"
    assert stem("psychology") == stem("psychologie") == "psycholog"
    assert matching_words("Eenzaam", "Eenzaamheid onder ouderen") == ("eenzaam",)
    assert matching_words("ouderen, moestuin", "Ouderenzorg in de buurtmoestuin") == (
        "ouderen",
        "moestuin",
    )


def test_words_leave_out_little_and_stop_words():
    # "de", "en", "van" are too short; "studie", "samen" and "leiden" say nothing.
    assert matching_words("studie samen in Leiden, de en van", "Samen studie in Leiden") == ()


def test_short_stems_match_only_exactly():
    # "zorg" is too short to be the start of "zorgvuldig".
    assert matching_words("zorg", "zorgvuldig werken") == ()
    assert matching_words("zorg", "zorgen voor elkaar") == ("zorg",)


def test_word_points_are_ten_each_at_most_twenty_and_show_three_words():
    person = Person(text="wonen armoede taalles buurtkamer")
    offer = Offer(id=1, text="Taalles en armoede: wonen in de buurtkamer")

    result = fit(person, offer)

    assert result.words == WordPart(words=("wonen", "armoede", "taalles"), points=20)


def test_theme_names_count_as_the_offers_words():
    result = fit(Person(text="Vergrijzing"), Offer(id=1, themes=frozenset({"Vergrijzing"})))

    assert result.words == WordPart(words=("vergrijzing",), points=10)


def test_weekday_points_are_the_share_of_the_offers_days_rounded_down():
    person = Person(weekdays=frozenset({1, 2}))

    assert fit(person, Offer(id=1, weekdays=frozenset({2, 4, 5}))).weekdays == WeekdayPart(
        days=(2,), points=6
    )
    assert fit(person, Offer(id=1, weekdays=frozenset({1, 2}))).weekdays.points == 20
    assert fit(person, Offer(id=1, weekdays=frozenset({4}))).weekdays == WeekdayPart()


def test_weekdays_by_agreement_fit_every_week():
    result = fit(Person(weekdays=frozenset({5})), Offer(id=1, weekdays=frozenset()))

    assert result.weekdays == WeekdayPart(by_agreement=True, points=20)


def test_weekdays_say_nothing_when_either_side_has_none():
    assert fit(Person(), Offer(id=1, weekdays=frozenset({2}))).weekdays == WeekdayPart()
    assert fit(Person(weekdays=frozenset({2})), Offer(id=1)).weekdays == WeekdayPart()


def test_language_scores_when_the_person_works_in_it():
    both = Offer(id=1, languages=frozenset({"nl", "en"}))

    assert fit(Person(languages=frozenset({"en"})), both).language == LanguagePart(
        languages=("en",), points=10
    )
    assert fit(Person(languages=frozenset({"en"})), BUURTKAMER).language == LanguagePart()
    assert fit(Person(), both).language == LanguagePart()


def test_neighbourhood_scores_when_the_person_knows_it():
    person = Person(neighbourhoods=frozenset({"De Kooi"}))

    assert (
        fit(person, Offer(id=1, neighbourhoods=frozenset({"De Kooi"}))).neighbourhood.points == 10
    )
    assert (
        fit(person, Offer(id=1, neighbourhoods=frozenset({"Merenwijk"}))).neighbourhood.points == 0
    )


def test_weights_add_up_to_one_hundred():
    everything = Person(
        themes=frozenset({"A", "B"}),
        text="moestuin armoede",
        weekdays=frozenset({2}),
        languages=frozenset({"nl"}),
        neighbourhoods=frozenset({"De Kooi"}),
    )
    offer = Offer(
        id=1,
        themes=frozenset({"A", "B"}),
        text="moestuin armoede",
        weekdays=frozenset({2}),
        languages=frozenset({"nl"}),
        neighbourhoods=frozenset({"De Kooi"}),
    )

    assert fit(everything, offer).total == MAX_TOTAL == 100


def test_practical_parts_alone_do_not_make_an_offer_relevant():
    person = Person(weekdays=frozenset({2}), languages=frozenset({"nl"}))

    result = fit(person, BUURTKAMER)

    assert result.total == 30
    assert not result.is_relevant


# --- Ranking ---------------------------------------------------------------------------------


def test_best_first_ranks_by_total_and_leaves_out_irrelevant_offers():
    person = Person(themes=frozenset({"Wonen", "Armoede"}), weekdays=frozenset({2}))
    one_theme = Offer(id=1, themes=frozenset({"Wonen"}), weekdays=frozenset({4}))
    one_theme_on_tuesday = Offer(id=2, themes=frozenset({"Wonen"}), weekdays=frozenset({2}))
    two_themes = Offer(id=3, themes=frozenset({"Wonen", "Armoede"}))
    unrelated = Offer(id=4, themes=frozenset({"Sport"}), weekdays=frozenset({2}))

    ranked = best_first(person, [one_theme, one_theme_on_tuesday, two_themes, unrelated], limit=5)

    assert [(one.offer_id, one.total) for one in ranked] == [(2, 40), (3, 40), (1, 20)]


def test_rank_keeps_the_callers_order_among_equals_and_stops_at_the_limit():
    person = Person(themes=frozenset({"Wonen"}))
    offers = [Offer(id=n, themes=frozenset({"Wonen"})) for n in (7, 3, 5)]

    ranked = rank(((offer.id, fit(person, offer)) for offer in offers), limit=2)

    assert [key for key, _fit in ranked] == [7, 3]


# --- Eligibility -----------------------------------------------------------------------------

SPRING = Period(starts_on=date(2026, 3, 2), ends_on=date(2026, 4, 24), intensive=True)
OVERLAPPING = Period(starts_on=date(2026, 4, 20), ends_on=date(2026, 6, 5), intensive=True)
LATER = Period(starts_on=date(2026, 4, 27), ends_on=date(2026, 6, 5), intensive=True)


def test_may_join_needs_a_type_of_education_the_project_is_open_to():
    assert may_join(institution_kind="hbo", allowed_kinds=["hbo", "wo"], cohort=LATER, places=[])
    assert not may_join(institution_kind="mbo", allowed_kinds=["hbo"], cohort=LATER, places=[])
    assert not may_join(institution_kind="", allowed_kinds=["hbo"], cohort=LATER, places=[])


def test_may_join_refuses_two_intensive_projects_at_once():
    assert not may_join(
        institution_kind="hbo", allowed_kinds=["hbo"], cohort=OVERLAPPING, places=[SPRING]
    )
    assert may_join(institution_kind="hbo", allowed_kinds=["hbo"], cohort=LATER, places=[SPRING])


def test_may_join_lets_a_lighter_project_overlap_an_intensive_one():
    light = Period(starts_on=OVERLAPPING.starts_on, ends_on=OVERLAPPING.ends_on)
    light_place = Period(starts_on=SPRING.starts_on, ends_on=SPRING.ends_on)

    assert may_join(institution_kind="hbo", allowed_kinds=["hbo"], cohort=light, places=[SPRING])
    assert may_join(
        institution_kind="hbo", allowed_kinds=["hbo"], cohort=OVERLAPPING, places=[light_place]
    )


# --- Explanations ----------------------------------------------------------------------------


def test_list_joining_follows_the_language():
    with translation.override("en"):
        assert join_words(["a"]) == "a"
        assert join_words(["a", "b", "c"]) == "a, b and c"
    with translation.override("nl"):
        assert join_words(["a", "b"]) == "a en b"
        assert join_words(["a", "b", "c"]) == "a, b en c"


def test_names_read_lowercase_inside_a_sentence_except_abbreviations():
    assert mid_sentence("Eenzaamheid") == "eenzaamheid"
    assert mid_sentence("LHBTI+ inclusie") == "LHBTI+ inclusie"


def test_student_explanation_names_every_part_that_scored():
    result = fit(SANNE, BUURTKAMER)

    with translation.override("en"):
        assert explain(result, audience=Audience.STUDENT) == (
            "Fits your themes eenzaamheid and vergrijzing; about psychologie, like your "
            "programme; on Tuesday; in Dutch"
        )
    with translation.override("nl"):
        assert explain(result, audience=Audience.STUDENT) == (
            "Past bij je thema's eenzaamheid en vergrijzing; over psychologie, net als je "
            "opleiding; op dinsdag; in het Nederlands"
        )


def test_student_explanation_counts_one_theme_and_lists_days():
    person = Person(
        themes=frozenset({"Wonen"}),
        weekdays=frozenset({2, 4, 5}),
        languages=frozenset({"nl", "en"}),
        neighbourhoods=frozenset({"De Kooi"}),
    )
    offer = Offer(
        id=1,
        themes=frozenset({"Wonen"}),
        weekdays=frozenset({2, 4, 5}),
        languages=frozenset({"nl", "en"}),
        neighbourhoods=frozenset({"De Kooi"}),
    )

    result = fit(person, offer)

    with translation.override("en"):
        assert explain(result, audience=Audience.STUDENT) == (
            "Fits your theme wonen; on Tuesday, Thursday and Friday; in Dutch or English; "
            "in De Kooi, which you already know"
        )
    with translation.override("nl"):
        assert explain(result, audience=Audience.STUDENT) == (
            "Past bij je thema wonen; op dinsdag, donderdag en vrijdag; in het Nederlands of "
            "Engels; in De Kooi, die je al kent"
        )


def test_explanation_of_days_by_agreement_and_english():
    result = fit(
        Person(text="armoede", weekdays=frozenset({1}), languages=frozenset({"en"})),
        Offer(id=1, text="Armoede", weekdays=frozenset(), languages=frozenset({"en"})),
    )

    with translation.override("en"):
        assert explain(result, audience=Audience.STUDENT) == (
            "About armoede, like your programme; days by agreement; in English"
        )
    with translation.override("nl"):
        assert explain(result, audience=Audience.STUDENT) == (
            "Over armoede, net als je opleiding; dagen in overleg; in het Engels"
        )


def test_researcher_explanations_for_the_coordinator_and_for_themselves():
    researcher = Person(themes=frozenset({"Eenzaamheid"}), text="Eenzaamheid onder ouderen")
    challenge = Offer(
        id=1,
        themes=frozenset({"Eenzaamheid", "Vergrijzing"}),
        text="Hoe bereiken we ouderen die alleen wonen?",
    )

    result = fit(researcher, challenge)

    assert result.words.words == ("eenzaamheid", "ouderen")
    with translation.override("en"):
        assert explain(result, audience=Audience.COORDINATOR) == (
            "Shares the theme eenzaamheid; expertise in eenzaamheid and ouderen"
        )
        assert explain(result, audience=Audience.RESEARCHER) == (
            "Fits your theme eenzaamheid; about eenzaamheid and ouderen, like your expertise"
        )
    with translation.override("nl"):
        assert explain(result, audience=Audience.COORDINATOR) == (
            "Deelt het thema eenzaamheid; expertise in eenzaamheid en ouderen"
        )
        assert explain(result, audience=Audience.RESEARCHER) == (
            "Past bij je thema eenzaamheid; over eenzaamheid en ouderen, net als je expertise"
        )


def test_coordinator_explanation_counts_themes():
    themes = frozenset({"Wonen", "Armoede"})

    result = fit(Person(themes=themes), Offer(id=1, themes=themes))

    with translation.override("en"):
        assert explain(result, audience=Audience.COORDINATOR) == (
            "Shares the themes armoede and wonen"
        )
    with translation.override("nl"):
        assert explain(result, audience=Audience.COORDINATOR) == (
            "Deelt de thema's armoede en wonen"
        )


def test_vog_note_only_when_the_project_needs_one():
    needs = fit(SANNE, Offer(id=1, themes=frozenset({"Wonen"}), needs_vog=True))

    with translation.override("en"):
        assert vog_note(needs) == (
            "Good to know: for this project you need a certificate of conduct (VOG)."
        )
    with translation.override("nl"):
        assert vog_note(needs) == "Goed om te weten: voor dit project heb je een VOG nodig."
    assert vog_note(fit(SANNE, BUURTKAMER)) == ""
