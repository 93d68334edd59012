"""Partner organisations give feedback on a group once it has finished its work."""

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.enums import CohortState
from projects.models import PartnerFeedback
from projects.services.feedback import FeedbackError, FeedbackText, feedback_give
from tests.factories import PartnerMemberFactory, StudentFactory
from tests.partners.factories import MembershipFactory
from tests.projects import reciprocity_scene as scene
from tests.projects.reciprocity_scene import ended_cohort, in_english, running_cohort
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("english")]

TEXT = FeedbackText(rating=4, went_well="Ze luisterden goed naar bewoners.")

# The shared scene's fixtures; pytest finds them by these names.
partner_member = scene.partner_member
library = scene.library
elsewhere = scene.elsewhere
project = scene.project


@pytest.fixture
def cohort(project):
    return ended_cohort(project)


def _give(cohort, organisation, author, text=TEXT):
    return feedback_give(
        cohort_id=cohort.pk, organisation_id=organisation.pk, author=author, text=text
    )


def test_feedback_give_stores_the_organisations_word(cohort, library, partner_member):
    _give(cohort, library, partner_member, FeedbackText(5, " Goed werk. ", " Eerder beginnen "))

    assert list(
        PartnerFeedback.objects.values_list(
            "cohort_id", "organisation_id", "author_id", "rating", "went_well", "could_improve"
        )
    ) == [(cohort.pk, library.pk, partner_member.pk, 5, "Goed werk.", "Eerder beginnen")]


def test_feedback_give_after_the_group_completed(project, library, partner_member):
    completed = ended_cohort(project, CohortState.COMPLETED)

    assert _give(completed, library, partner_member).rating == 4


def test_feedback_give_once_per_organisation(cohort, library, partner_member):
    colleague = PartnerMemberFactory(name="Carla Collega")
    MembershipFactory(user=colleague, organisation=library)
    _give(cohort, library, partner_member)

    with pytest.raises(FeedbackError) as refused:
        _give(cohort, library, colleague, FeedbackText(1, "Anders"))

    today = timezone.localdate().strftime("%-d %B %Y")
    assert str(refused.value) == (
        f"Bibliotheek Leiden has already given feedback on this group: Paul Partner did, on "
        f"{today}."
    )
    assert list(PartnerFeedback.objects.values_list("author_id", "rating")) == [
        (partner_member.pk, 4)
    ]


def test_feedback_give_each_partner_of_the_project_its_own(
    cohort, project, library, partner_member, elsewhere, other_partner_member
):
    project.organisations.add(elsewhere)

    _give(cohort, library, partner_member)
    _give(cohort, elsewhere, other_partner_member)

    assert sorted(PartnerFeedback.objects.values_list("organisation__name", flat=True)) == [
        "Bibliotheek Leiden",
        "Woonzorg",
    ]


def test_feedback_give_refused_while_the_group_runs(project, library, partner_member):
    running = running_cohort(project, started_days_ago=7)

    with pytest.raises(FeedbackError) as refused:
        _give(running, library, partner_member)

    assert str(refused.value) == "You can give feedback once the group has finished its work."


def test_feedback_give_refused_for_another_organisation(cohort, elsewhere, other_partner_member):
    with pytest.raises(FeedbackError) as refused:
        _give(cohort, elsewhere, other_partner_member)

    assert str(refused.value) == "Woonzorg is not a partner of this project."
    assert PartnerFeedback.objects.count() == 0


@pytest.mark.parametrize("who", ["other_partner_member", "researcher", "student", "coordinator"])
def test_feedback_give_refused_for_non_members(request, cohort, library, elsewhere, who):
    person = request.getfixturevalue(who)

    with pytest.raises(FeedbackError) as refused:
        _give(cohort, library, person)

    assert str(refused.value) == "Only members of Bibliotheek Leiden can give its feedback."
    assert PartnerFeedback.objects.count() == 0


@pytest.mark.parametrize("rating", [0, 6])
def test_feedback_give_refuses_a_rating_outside_one_to_five(
    cohort, library, partner_member, rating
):
    with pytest.raises(FeedbackError):
        _give(cohort, library, partner_member, FeedbackText(rating, "Goed"))

    assert PartnerFeedback.objects.count() == 0


# --- The page -----------------------------------------------------------------------------


def _url(cohort, organisation):
    return reverse("projects:feedback", args=[cohort.pk, organisation.pk])


def test_feedback_page_saves_and_goes_to_the_to_do_list(client, cohort, library, partner_member):
    client.force_login(partner_member)

    response = client.post(
        _url(cohort, library),
        {"rating": "3", "went_well": "Mooie posters.", "could_improve": ""},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("projects:todo"), 302)]
    assert "Thank you! Your feedback has been saved." in response.content.decode()
    assert list(PartnerFeedback.objects.values_list("rating", "went_well")) == [
        (3, "Mooie posters.")
    ]


def test_feedback_page_bad_input_keeps_what_was_typed(client, cohort, library, partner_member):
    client.force_login(partner_member)

    response = client.post(
        _url(cohort, library), {"rating": "9", "went_well": "De buurtkaart is bruikbaar."}
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "De buurtkaart is bruikbaar." in text
    assert "Select a valid choice. 9 is not one of the available choices." in text
    assert PartnerFeedback.objects.count() == 0


def test_feedback_page_shows_what_a_colleague_gave(client, cohort, library, partner_member):
    colleague = in_english(PartnerMemberFactory(name="Carla Collega"))
    MembershipFactory(user=colleague, organisation=library)
    _give(cohort, library, partner_member)
    client.force_login(colleague)

    page = client.get(_url(cohort, library))
    again = client.post(_url(cohort, library), {"rating": "1", "went_well": "Anders"})

    assert "Bibliotheek Leiden has already given feedback on this group" in page.content.decode()
    assert "Ze luisterden goed naar bewoners." in page.content.decode()
    assert again.status_code == 400
    assert PartnerFeedback.objects.get().author == partner_member


def test_feedback_page_before_the_end_says_when(client, project, library, partner_member):
    running = running_cohort(project, started_days_ago=7)
    client.force_login(partner_member)

    page = client.get(_url(running, library))

    assert "You can give feedback once the group has finished its work." in page.content.decode()
    assert 'name="went_well"' not in page.content.decode()


def test_feedback_page_is_only_for_the_organisations_members(
    client, cohort, library, elsewhere, other_partner_member, researcher, coordinator
):
    data = {"rating": "1", "went_well": "Niet van ons"}
    anonymous = client.post(_url(cohort, library), data)
    statuses = []
    for person in (other_partner_member, researcher, StudentFactory(), coordinator):
        sign_in_for_admin(client, person)
        statuses.append(client.post(_url(cohort, library), data).status_code)
    # An organisation that is no partner of the project has no page for it either.
    statuses.append(client.get(_url(cohort, elsewhere)).status_code)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    assert statuses == [404] * 5
    assert PartnerFeedback.objects.count() == 0


def test_feedback_admin_is_read_only_for_coordinators(
    client, cohort, library, partner_member, coordinator
):
    feedback = _give(cohort, library, partner_member)
    change_url = reverse("admin:projects_partnerfeedback_change", args=[feedback.pk])
    sign_in_for_admin(client, coordinator)

    listing = client.get(reverse("admin:projects_partnerfeedback_changelist"))
    add = client.get(reverse("admin:projects_partnerfeedback_add"))
    edit = client.post(change_url, {"rating": "1"})
    client.force_login(partner_member)
    outsider = client.get(reverse("admin:projects_partnerfeedback_changelist"))

    assert "Bibliotheek Leiden" in listing.content.decode()
    assert (add.status_code, edit.status_code, outsider.status_code) == (403, 403, 302)
    assert PartnerFeedback.objects.get().rating == 4
