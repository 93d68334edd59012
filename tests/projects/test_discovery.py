"""Discovery: the filtered project list and the project page."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.enums import CslLevel
from projects.enums import AdmissionMode, CohortState, EnrolmentState, ProjectLanguage
from projects.services.next_open import projects_next_open_refresh_all
from tests.factories import NeighbourhoodFactory, ThemeFactory
from tests.partners.factories import OrganisationFactory
from tests.projects.factories import (
    ChallengeFactory,
    CohortFactory,
    EnrolmentFactory,
    ProjectFactory,
    _monday_in,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CARD_TITLE = re.compile(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a></h3>')


def titles(response) -> list[str]:
    """The project titles on the cards, in the order the page shows them."""
    assert response.status_code == 200
    return [html.unescape(t) for t in CARD_TITLE.findall(response.text)]


def text_of(response) -> str:
    """The visible text, with tags removed and white space collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.text)
    return " ".join(html.unescape(body).split())


def discover(client, query: str = "", *, refresh: bool = True):
    # The factories write cohorts directly, not through the services that keep
    # Project.next_open_start (test_next_open_start.py tests those), so the column is
    # brought up to date here, as the benchmark does after its bulk seed.
    if refresh:
        projects_next_open_refresh_all()
    return client.get(reverse("projects:list") + (f"?{query}" if query else ""))


@pytest.fixture
def client(client):
    # Wording is compared in English, the language of the msgids.
    client.cookies["lms_language"] = "en"
    return client


def project_with_open_group(title: str, *, weeks_ahead: int = 3, **fields):
    project = ProjectFactory(title=title, **fields)
    CohortFactory(project=project, starts_on=_monday_in(weeks_ahead))
    return project


# --- Filters ----------------------------------------------------------------------------


def test_list_theme_filter_shows_projects_with_any_chosen_theme(client):
    loneliness = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    literacy = ThemeFactory(slug="laaggeletterdheid", name="Laaggeletterdheid")
    climate = ThemeFactory(slug="klimaat", name="Klimaat")
    project_with_open_group("Aan tafel", themes=[loneliness])
    project_with_open_group("Taalcafé", themes=[literacy])
    project_with_open_group("Groene daken", themes=[climate])
    project_with_open_group("Voorlezen voor ouderen", themes=[literacy, loneliness])

    assert titles(discover(client, "theme=eenzaamheid")) == ["Aan tafel", "Voorlezen voor ouderen"]
    assert titles(discover(client, "theme=eenzaamheid&theme=laaggeletterdheid")) == [
        "Aan tafel",
        "Taalcafé",
        "Voorlezen voor ouderen",
    ]


def test_list_level_filter_shows_only_that_level(client):
    project_with_open_group("Licht project", csl_level=CslLevel.LOW)
    project_with_open_group("Middel project", csl_level=CslLevel.MEDIUM)
    project_with_open_group("Intensief project", csl_level=CslLevel.INTENSIVE)

    assert titles(discover(client, "level=intensive")) == ["Intensief project"]


def test_list_institution_filter_matches_any_chosen_kind(client):
    project_with_open_group("Voor mbo", institution_kinds=["mbo"])
    project_with_open_group("Voor hbo en wo", institution_kinds=["hbo", "wo"])
    project_with_open_group("Voor wo", institution_kinds=["wo"])

    assert titles(discover(client, "institution=mbo")) == ["Voor mbo"]
    assert titles(discover(client, "institution=mbo&institution=hbo")) == [
        "Voor hbo en wo",
        "Voor mbo",
    ]


def test_list_neighbourhood_filter_by_slug(client):
    noord = NeighbourhoodFactory(slug="leiden-noord", name="Leiden-Noord")
    kooi = NeighbourhoodFactory(slug="de-kooi", name="De Kooi")
    project_with_open_group("In Noord", neighbourhood=noord)
    project_with_open_group("In De Kooi", neighbourhood=kooi)
    project_with_open_group("Overal")

    assert titles(discover(client, "neighbourhood=de-kooi")) == ["In De Kooi"]


def test_list_start_filter_shows_projects_with_a_group_starting_that_month(client):
    today = timezone.localdate()
    first_of_month = (today.replace(day=1) + timedelta(days=32 * 3)).replace(day=1)
    later = ProjectFactory(title="Later")
    CohortFactory(project=later, starts_on=first_of_month + timedelta(days=6))
    soon = ProjectFactory(title="Binnenkort")
    CohortFactory(project=soon, starts_on=today + timedelta(days=14))
    cancelled = ProjectFactory(title="Afgelast")
    CohortFactory(
        project=cancelled,
        starts_on=first_of_month + timedelta(days=2),
        state=CohortState.CANCELLED,
    )

    assert titles(discover(client, f"start={first_of_month:%Y-%m}")) == ["Later"]


def test_list_weekday_filter_matches_any_chosen_day(client):
    project_with_open_group("Op maandag", weekdays=[1])
    project_with_open_group("Op dinsdag en donderdag", weekdays=[2, 4])
    project_with_open_group("Op vrijdag", weekdays=[5])

    assert titles(discover(client, "weekday=4")) == ["Op dinsdag en donderdag"]
    assert titles(discover(client, "weekday=1&weekday=5")) == ["Op maandag", "Op vrijdag"]


def test_list_language_filter_english_also_shows_projects_in_both(client):
    project_with_open_group("Nederlands", language=ProjectLanguage.DUTCH)
    project_with_open_group("Engels", language=ProjectLanguage.ENGLISH)
    project_with_open_group("Tweetalig", language=ProjectLanguage.BOTH)

    assert titles(discover(client, "language=en")) == ["Engels", "Tweetalig"]
    assert titles(discover(client, "language=nl")) == ["Nederlands", "Tweetalig"]
    assert titles(discover(client, "language=both")) == ["Tweetalig"]


def test_list_open_places_filter_needs_open_registration_and_room(client):
    project_with_open_group("Plaats vrij")
    full = ProjectFactory(title="Vol")
    full_group = CohortFactory(project=full, max_size=2, min_size=1)
    EnrolmentFactory.create_batch(2, cohort=full_group)
    waiting = ProjectFactory(title="Nog niet open")
    CohortFactory(
        project=waiting,
        registration_opens_at=timezone.now() + timedelta(days=1),
        registration_closes_at=timezone.now() + timedelta(days=8),
    )
    planned = ProjectFactory(title="Gepland")
    CohortFactory(project=planned, state=CohortState.PLANNED)
    closed = ProjectFactory(title="Gesloten")
    CohortFactory(
        project=closed,
        registration_opens_at=timezone.now() - timedelta(days=8),
        registration_closes_at=timezone.now() - timedelta(days=1),
    )
    # Waiting or withdrawn students take no place.
    room = ProjectFactory(title="Plaats vrij ondanks wachtlijst")
    room_group = CohortFactory(project=room, max_size=2, min_size=1)
    EnrolmentFactory(cohort=room_group)
    EnrolmentFactory(cohort=room_group, state=EnrolmentState.WITHDRAWN)
    EnrolmentFactory(cohort=room_group, state=EnrolmentState.WAITLISTED)

    assert titles(discover(client, "open_places=on")) == [
        "Plaats vrij",
        "Plaats vrij ondanks wachtlijst",
    ]


def test_list_filters_combine(client):
    noord = NeighbourhoodFactory(slug="leiden-noord", name="Leiden-Noord")
    project_with_open_group("Noord licht", neighbourhood=noord, csl_level=CslLevel.LOW)
    project_with_open_group("Noord middel", neighbourhood=noord)
    project_with_open_group("Elders licht", csl_level=CslLevel.LOW)

    assert titles(discover(client, "neighbourhood=leiden-noord&level=low")) == ["Noord licht"]


def test_list_invalid_filter_value_is_ignored_and_explained(client):
    project_with_open_group("Eén")
    project_with_open_group("Twee")

    response = discover(client, "level=heel-zwaar")

    assert titles(response) == ["Eén", "Twee"]
    assert "Select a valid choice." in text_of(response)


def test_list_form_keeps_what_was_typed_and_ticked(client):
    too_long = "buurt" * 21  # 105 characters; the box takes 100

    response = discover(client, f"q={too_long}&open_places=on&weekday=2&level=low")
    page = response.text

    assert (
        f'<input type="search" name="q" value="{too_long}" maxlength="100" aria-invalid="true"'
        ' aria-describedby="id_q_helptext id_q_error" id="id_q">'
    ) in page
    assert "Ensure this value has at most 100 characters (it has 105)." in text_of(response)
    assert '<input type="checkbox" name="open_places" id="id_open_places" checked>' in page
    assert (
        '<label for="id_weekday_1"><input type="checkbox" name="weekday" value="2"'
        ' id="id_weekday_1" checked> Tuesday</label>'
    ) in page
    assert '<option value="low" selected>Low</option>' in page


# --- Order, count, pages ----------------------------------------------------------------


def test_list_without_search_orders_by_soonest_open_group(client):
    project_with_open_group("Over zes weken", weeks_ahead=6)
    project_with_open_group("Over twee weken", weeks_ahead=2)
    ProjectFactory(title="Aa zonder groep")
    project_with_open_group("Over vier weken", weeks_ahead=4)

    assert titles(discover(client)) == [
        "Over twee weken",
        "Over vier weken",
        "Over zes weken",
        "Aa zonder groep",
    ]


def test_list_counts_and_pages_keep_the_filters(client):
    for n in range(23):
        project_with_open_group(f"Project {n:02}", csl_level=CslLevel.LOW)
    project_with_open_group("Ander niveau", csl_level=CslLevel.INTENSIVE)

    first = discover(client, "level=low")

    assert "23 projects" in text_of(first)
    assert titles(first) == [f"Project {n:02}" for n in range(20)]
    assert 'href="?level=low&amp;page=2"' in first.text

    second = discover(client, "level=low&page=2")

    assert titles(second) == ["Project 20", "Project 21", "Project 22"]
    assert 'href="?level=low&amp;page=1"' in second.text
    assert "Page 2 of 2" in text_of(second)


def test_list_page_past_the_end_shows_the_last_page(client):
    for n in range(21):
        project_with_open_group(f"Project {n:02}")

    response = discover(client, "page=7")

    assert titles(response) == ["Project 20"]
    assert "Page 2 of 2" in text_of(response)
    assert titles(discover(client, "page=nul")) == [f"Project {n:02}" for n in range(20)]


def test_filtered_list_page_past_the_end_shows_its_last_page(client):
    for n in range(22):
        project_with_open_group(f"Project {n:02}", csl_level=CslLevel.LOW)
    project_with_open_group("Ander niveau", csl_level=CslLevel.INTENSIVE)

    response = discover(client, "level=low&page=9")

    assert titles(response) == ["Project 20", "Project 21"]
    assert "22 projects" in text_of(response)
    assert "Page 2 of 2" in text_of(response)


def test_filter_that_fits_nothing_says_so_on_any_page(client):
    project_with_open_group("Alleen laag", csl_level=CslLevel.LOW)

    for query in ("level=intensive", "level=intensive&page=3"):
        response = discover(client, query)

        assert titles(response) == []
        assert "0 projects" in text_of(response)
        assert "No project fits all your choices." in text_of(response)


def test_list_card_shows_the_facts_a_student_scans_for(client):
    organisation = OrganisationFactory(name="Bibliotheek Leiden", address="Nieuwstraat 4")
    project = ProjectFactory(
        title="Voorlezen",
        challenge=ChallengeFactory(organisation=organisation),
        themes=[ThemeFactory(slug="taal", name="Taal")],
        weekdays=[2, 4],
        location_kind="partner",
        csl_level=CslLevel.LOW,
    )
    start = _monday_in(2)
    cohort = CohortFactory(
        project=project, starts_on=start, ends_on=start + timedelta(weeks=6), max_size=5
    )
    EnrolmentFactory.create_batch(2, cohort=cohort)
    EnrolmentFactory(cohort=cohort, state=EnrolmentState.WAITLISTED)

    text = text_of(discover(client))

    assert (
        "Bibliotheek Leiden Voorlezen Samen met bewoners werken aan een vraag uit de wijk. "
        "Taal Level Low Days Tuesday, Thursday Place Nieuwstraat 4 "
        f"Next group Starts {start.day} {start:%B %Y}, 6 weeks Places 3 places left"
    ) in text


def test_list_card_of_full_group_offers_the_waiting_list(client):
    cohort = CohortFactory(project__title="Vol", max_size=1, min_size=1)
    EnrolmentFactory(cohort=cohort)

    assert "Places Full: you can join the waiting list" in text_of(discover(client))


def test_list_card_of_an_open_group_whose_registration_has_passed_says_so(client):
    # The group stays open until a coordinator closes it, so it is still the next group.
    CohortFactory(
        project__title="Laat",
        registration_opens_at=timezone.now() - timedelta(days=8),
        registration_closes_at=timezone.now() - timedelta(days=1),
    )

    assert "Places Registration closed" in text_of(discover(client))


def test_list_partial_renders_only_the_results(client):
    project_with_open_group("Alleen de resultaten")

    response = discover(client, "partial=1")

    assert titles(response) == ["Alleen de resultaten"]
    assert "<html" not in response.text
    assert "Show projects" not in response.text
    htmx = client.get(reverse("projects:list"), headers={"HX-Request": "true"})
    assert "<html" not in htmx.text
    assert "HX-Request" in htmx["Vary"]


def test_list_labels_every_filter_and_has_a_visible_button(client):
    response = discover(client)
    page = response.text

    for name in ("q", "level", "neighbourhood", "start", "language", "open_places", "order"):
        assert f'<label class="field__label" for="id_{name}"' in page or (
            f'<label for="id_{name}"' in page
        ), name
    for name in ("Theme", "Type of education", "Days you can work"):
        assert f'<legend class="field__label">{name}</legend>' in page
    assert '<button type="submit" class="button">Show projects</button>' in page
    assert "<style" not in page
    assert 'style="' not in page
    assert "<script" not in page


# --- Queries ----------------------------------------------------------------------------


def seed_projects(count: int) -> None:
    theme = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    hood = NeighbourhoodFactory(slug="leiden-noord", name="Leiden-Noord")
    for n in range(count):
        project = ProjectFactory(
            title=f"Samen tegen eenzaamheid {n}", themes=[theme], neighbourhood=hood
        )
        cohort = CohortFactory(project=project)
        EnrolmentFactory(cohort=cohort)
    projects_next_open_refresh_all()


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # The theme and neighbourhood choices of the form; the number of projects found;
        # the keys of the page; their cards (projects.cards).
        ("", 4),
        # A search or a filter counts with the keys of the page, in one query.
        ("q=eenzaamheid", 3),
        ("q=eenzaam&theme=eenzaamheid&level=medium", 3),
    ],
)
def test_list_query_count_does_not_grow_with_projects(
    client, count, query, queries, django_assert_num_queries
):
    seed_projects(count)

    with django_assert_num_queries(queries):
        response = discover(client, query, refresh=False)

    assert len(titles(response)) == min(count, 20)


def test_detail_query_count_does_not_grow_with_groups(client, django_assert_num_queries):
    project = ProjectFactory(title="Veel groepen")
    for n in range(6):
        cohort = CohortFactory(project=project, starts_on=_monday_in(n + 1))
        EnrolmentFactory(cohort=cohort)

    # Project, themes, organisations, lecturers who agreed to be named, groups.
    with django_assert_num_queries(5):
        response = client.get(project.get_absolute_url())

    assert response.status_code == 200


# --- Project page -------------------------------------------------------------------------


def test_detail_shows_what_where_when_and_who(client, researcher):
    # A lecturer is named on this public page only with their consent
    # (tests/accounts/test_public_name.py has the page without it).
    researcher.name_public = True
    researcher.save(update_fields=["name_public"])
    organisation = OrganisationFactory(name="Bibliotheek Leiden", address="Nieuwstraat 4")
    project = ProjectFactory(
        title="Voorlezen voor ouderen",
        description="We lezen voor in de bibliotheek.",
        challenge=ChallengeFactory(organisation=organisation),
        neighbourhood=NeighbourhoodFactory(slug="leiden-noord", name="Leiden-Noord"),
        weekdays=[3],
        hours_per_week=8,
        language=ProjectLanguage.BOTH,
        institution_kinds=["mbo", "hbo"],
    )
    project.lecturers.set([researcher])

    text = text_of(client.get(project.get_absolute_url()))

    assert (
        "We lezen voor in de bibliotheek. Place Op Locatie, Leiden-Noord "
        "Neighbourhood Leiden-Noord Days Wednesday Hours 8 hours a week CSL level Medium "
        "Language Dutch and English "
        "For students of mbo (vocational college), hbo (university of applied sciences) "
        "Partner Bibliotheek Leiden, Nieuwstraat 4 Lecturer Rachid Onderzoeker"
    ) in text


def test_detail_shows_places_left_per_group(client):
    project = ProjectFactory(title="Buurtmoestuin")
    cohort = CohortFactory(project=project, max_size=6)
    EnrolmentFactory.create_batch(4, cohort=cohort)
    EnrolmentFactory(cohort=cohort, state=EnrolmentState.APPLIED)
    EnrolmentFactory(cohort=cohort, state=EnrolmentState.WITHDRAWN)

    text = text_of(client.get(project.get_absolute_url()))

    assert "Places 2 of 6 places left" in text
    assert "How you join First come, first served" in text
    assert "Status Open for registration" in text


def test_detail_lists_completed_groups_by_date_and_hides_cancelled(client):
    project = ProjectFactory(title="Buurtmoestuin")
    start = timezone.localdate() - timedelta(weeks=30)
    CohortFactory(
        project=project,
        number=1,
        starts_on=start,
        ends_on=start + timedelta(weeks=8),
        state=CohortState.COMPLETED,
    )
    CohortFactory(project=project, number=2, state=CohortState.CANCELLED)
    CohortFactory(project=project, number=3)

    text = text_of(client.get(project.get_absolute_url()))
    end = start + timedelta(weeks=8)

    dash = "\N{EN DASH}"
    assert f"Earlier groups Group 1: {start.day} {start:%B %Y} {dash} {end.day} {end:%B %Y}" in text
    assert "Group 2" not in text
    assert "Group 3" in text


def test_detail_anonymous_visitor_is_asked_to_log_in(client):
    project = ProjectFactory(title="Buurtmoestuin", slug="buurtmoestuin")
    CohortFactory(project=project)

    response = client.get(project.get_absolute_url())

    login = reverse("account_login")
    assert f'href="{login}?next=/projecten/buurtmoestuin/"' in response.text
    assert "Log in to join" in text_of(response)
    assert 'name="motivation"' not in response.text


@pytest.fixture
def english_student(student):
    student.language = "en"
    student.save(update_fields=["language"])
    return student


def test_detail_first_come_group_has_a_join_form_with_the_rule(client, english_student):
    project = ProjectFactory(title="Buurtmoestuin")
    cohort = CohortFactory(project=project)
    client.force_login(english_student)

    response = client.get(project.get_absolute_url())

    join = reverse("projects:join", args=[cohort.pk])
    assert f'<form method="post" action="{join}" class="form">' in response.text
    assert (
        "Join: you get a place straight away while there is room. "
        "After that you go on the waiting list."
    ) in text_of(response)
    assert "Join this group" in text_of(response)
    assert 'name="vog_confirmed"' not in response.text


def test_detail_application_group_asks_for_motivation_and_vog(client, english_student):
    project = ProjectFactory(title="Bij ouderen thuis", works_with_vulnerable_residents=True)
    cohort = CohortFactory(project=project, admission_mode=AdmissionMode.APPLICATION)
    client.force_login(english_student)

    response = client.get(project.get_absolute_url())

    assert f'<textarea name="motivation" id="motivation-{cohort.pk}"' in response.text
    assert f'<input type="checkbox" name="vog_confirmed" id="vog-{cohort.pk}"' in response.text
    assert "certificate of conduct (VOG)" in text_of(response)
    assert "Send my application" in text_of(response)


def test_detail_preference_group_links_to_ranking(client, english_student):
    project = ProjectFactory(title="Buurtmoestuin")
    CohortFactory(project=project, admission_mode=AdmissionMode.PREFERENCE)
    client.force_login(english_student)

    response = client.get(project.get_absolute_url())

    assert f'href="{reverse("projects:rank")}"' in response.text
    assert 'name="motivation"' not in response.text


def test_detail_student_with_a_place_sees_it_instead_of_the_form(client, english_student):
    project = ProjectFactory(title="Buurtmoestuin")
    cohort = CohortFactory(project=project)
    EnrolmentFactory(cohort=cohort, student=english_student)
    client.force_login(english_student)

    response = client.get(project.get_absolute_url())

    assert "You have a place in this group." in text_of(response)
    assert reverse("projects:join", args=[cohort.pk]) not in response.text


def test_detail_waitlisted_student_sees_their_position(client, english_student):
    project = ProjectFactory(title="Buurtmoestuin")
    cohort = CohortFactory(project=project, max_size=1, min_size=1)
    EnrolmentFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort, state=EnrolmentState.WAITLISTED)
    EnrolmentFactory(cohort=cohort, student=english_student, state=EnrolmentState.WAITLISTED)
    client.force_login(english_student)

    text = text_of(client.get(project.get_absolute_url()))

    assert "Places 0 of 1 places left" in text
    assert "You are on the waiting list, number 2." in text


def test_detail_partner_member_cannot_join(client, partner_member):
    partner_member.language = "en"
    partner_member.save(update_fields=["language"])
    project = ProjectFactory(title="Buurtmoestuin")
    CohortFactory(project=project)
    client.force_login(partner_member)

    text = text_of(client.get(project.get_absolute_url()))

    assert "Only students can join a project." in text


def test_detail_group_not_yet_open_has_no_action(client, english_student):
    project = ProjectFactory(title="Buurtmoestuin")
    CohortFactory(project=project, state=CohortState.PLANNED)
    client.force_login(english_student)

    response = client.get(project.get_absolute_url())

    assert "Status Planned" in text_of(response)
    assert '<form method="post" action="/projecten/groep/' not in response.text


def test_detail_unknown_slug_is_404(client):
    assert client.get(reverse("projects:detail", args=["bestaat-niet"])).status_code == 404
