"""Discovery search: Dutch full text with stemming, partial and compound words in titles,
and ordering by relevance."""

import pytest

from partners.enums import CslLevel
from projects.models import Project, TitleWord
from tests.projects.factories import CohortFactory, ProjectFactory, _monday_in
from tests.projects.test_discovery import discover, text_of, titles

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NEUTRAL = "Samen met bewoners aan de slag."


@pytest.fixture
def client(client):
    client.cookies["lms_language"] = "en"
    return client


def project(title: str, *, summary: str = NEUTRAL, description: str = "", weeks_ahead=3, **kw):
    made = ProjectFactory(title=title, summary=summary, description=description, **kw)
    CohortFactory(project=made, starts_on=_monday_in(weeks_ahead))
    return made


def test_search_dutch_stem_finds_longer_word_in_description(client):
    project("Aan tafel", description="Veel ouderen in De Kooi kampen met eenzaamheid.")
    project("Groene daken", description="Meer planten op de daken van Leiden-Noord.")

    assert titles(discover(client, "q=eenzaam")) == ["Aan tafel"]


def test_search_plural_finds_singular(client):
    project("Koffie met buren", summary="Een oudere buurvrouw krijgt bezoek.")
    project("Taalcafé", summary="Nederlands oefenen met nieuwkomers.")

    assert titles(discover(client, "q=ouderen")) == ["Koffie met buren"]


def test_search_start_of_a_compound_title_word(client):
    project("Buurtmoestuin Noord")
    project("Taalcafé")

    assert titles(discover(client, "q=buurt")) == ["Buurtmoestuin Noord"]


def test_search_end_of_a_compound_title_word(client):
    project("Buurtmoestuin Noord")
    project("Taalcafé")

    assert titles(discover(client, "q=moestuin")) == ["Buurtmoestuin Noord"]


def test_search_is_not_case_sensitive(client):
    project("Buurtmoestuin Noord")

    assert titles(discover(client, "q=BUURTMOESTUIN")) == ["Buurtmoestuin Noord"]


def test_search_finds_summary_words(client):
    project("Aan tafel", summary="Samen koken en eten met buurtgenoten.")
    project("Groene daken")

    assert titles(discover(client, "q=koken")) == ["Aan tafel"]


def test_search_title_match_comes_before_description_match(client):
    # The description match starts sooner, so without a search term it would come first.
    project(
        "Groen in de wijk",
        description="Bewoners zorgen samen voor een moestuin achter het buurthuis.",
        weeks_ahead=1,
    )
    project("Buurtmoestuin Noord", weeks_ahead=5)

    assert titles(discover(client, "q=moestuin")) == ["Buurtmoestuin Noord", "Groen in de wijk"]
    assert titles(discover(client, "q=moestuin&order=date")) == [
        "Groen in de wijk",
        "Buurtmoestuin Noord",
    ]


def test_search_title_outranks_summary_outranks_description(client):
    project("Tegen eenzaamheid", weeks_ahead=6)
    project("Koffieochtend", summary="Tegen eenzaamheid onder ouderen.", weeks_ahead=4)
    project("Wandelclub", description="Wandelen helpt tegen eenzaamheid.", weeks_ahead=1)

    assert titles(discover(client, "q=eenzaamheid")) == [
        "Tegen eenzaamheid",
        "Koffieochtend",
        "Wandelclub",
    ]


def test_search_unrelated_word_finds_nothing(client):
    project("Buurtmoestuin Noord", description="Groente kweken met bewoners.")

    response = discover(client, "q=voetbal")

    assert titles(response) == []
    assert "0 projects for “voetbal”" in text_of(response)
    assert "No project fits all your choices." in text_of(response)


def test_search_combines_with_filters(client):
    project("Eenzaamheid licht", csl_level=CslLevel.LOW)
    project("Eenzaamheid intensief", csl_level=CslLevel.INTENSIVE)
    project("Moestuin licht", csl_level=CslLevel.LOW)

    assert titles(discover(client, "q=eenzaamheid&level=low")) == ["Eenzaamheid licht"]


def test_search_with_websearch_syntax_does_not_break(client):
    project("Buurtmoestuin Noord", description="Groente en fruit.")

    assert titles(discover(client, 'q="groente en fruit"')) == ["Buurtmoestuin Noord"]
    assert discover(client, "q=%26%7C%21%28").status_code == 200  # &|!( as plain text


def test_search_term_survives_in_the_form_and_the_page_links(client):
    for n in range(21):
        project(f"Moestuin {n:02}")

    first = discover(client, "q=moestuin")

    assert 'name="q" value="moestuin"' in first.text
    assert 'href="?q=moestuin&amp;page=2"' in first.text
    assert titles(discover(client, "q=moestuin&page=2")) == ["Moestuin 20"]


def test_search_counts_every_match_and_pages_in_relevance_order(client):
    for n in range(22):
        project(f"Moestuin {n:02}", weeks_ahead=n + 1)
    project("Samen koken", description="Met groente uit de moestuin.")
    project("Groene daken")

    first = discover(client, "q=moestuin")
    second = discover(client, "q=moestuin&page=2")

    assert "23 projects for “moestuin”" in text_of(first)
    assert titles(first) == [f"Moestuin {n:02}" for n in range(20)]
    assert titles(second) == ["Moestuin 20", "Moestuin 21", "Samen koken"]
    assert "Page 2 of 2" in text_of(second)


def test_search_page_past_the_end_shows_the_last_page(client):
    for n in range(21):
        project(f"Moestuin {n:02}", weeks_ahead=n + 1)

    response = discover(client, "q=moestuin&page=9")

    assert titles(response) == ["Moestuin 20"]
    assert "21 projects for “moestuin”" in text_of(response)
    assert "Page 2 of 2" in text_of(response)


def test_search_without_matches_past_page_one_shows_nothing_found(client):
    project("Groene daken")

    response = discover(client, "q=voetbal&page=3")

    assert titles(response) == []
    assert "0 projects for “voetbal”" in text_of(response)


def _title_words() -> set[str]:
    return set(TitleWord.objects.values_list("word", flat=True))


def test_title_words_follow_every_title_change_and_deletion():
    ProjectFactory(title="Buurtmoestuin Noord")
    renamed = ProjectFactory(title="Koffie bij Jansen")

    Project.objects.filter(pk=renamed.pk).update(title="Koffie in de Kooi")

    # "bij", "in" and "de" are Dutch stop words: no search can ask for them.
    assert _title_words() == {"buurtmoestuin", "noord", "koffie", "kooi"}

    renamed.delete()

    assert _title_words() == {"buurtmoestuin", "noord"}


def test_title_word_shared_by_two_titles_stays_while_one_has_it():
    ProjectFactory(title="Buurtmoestuin Noord")
    other = ProjectFactory(title="Buurtmoestuin Zuid")

    other.delete()

    assert _title_words() == {"buurtmoestuin", "noord"}


def test_search_finds_part_of_a_word_in_a_renamed_title_and_not_the_old_title(client):
    renamed = project("Taalcafé")
    Project.objects.filter(pk=renamed.pk).update(title="Buurtmoestuin Noord")

    assert titles(discover(client, "q=moestuin")) == ["Buurtmoestuin Noord"]
    assert titles(discover(client, "q=taalcaf")) == []
