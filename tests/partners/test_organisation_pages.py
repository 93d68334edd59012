"""The organisation pages: who sees what, what each form does, and what the admin can do."""

import html
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from outbox.models import Message
from partners.enums import ChallengeState, MembershipRole
from partners.models import Challenge, Invitation, JoinRequest, Membership, Organisation, Theme
from partners.services.organisations import INVITATION_SALT, invitation_create
from tests.factories import NeighbourhoodFactory, PartnerMemberFactory
from tests.partners.factories import (
    AdminMembershipFactory,
    JoinRequestFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.support.mail import delivered_text
from tests.support.mfa import sign_in_for_admin

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db,
]

TOKEN_IN_MAIL = re.compile(r"/uitnodiging/([^/\s]+)/")
TAG = re.compile(r"<[^>]+>")


def sign_in(client, user):
    """Log in as `user`, who reads the site in English: the tests assert the msgids."""
    user.language = "en"
    user.save(update_fields=["language"])
    sign_in_for_admin(client, user)
    return client


def shown(response) -> list[str]:
    """The messages (success, error) the page shows."""
    return [str(message) for message in response.context["messages"]]


def text(fragment: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", fragment)).split())


def rows(response) -> list[list[str]]:
    """The body rows of the tables on the page, as the text of their cells."""
    body = "".join(re.findall(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S))
    return [
        [text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def heading(response) -> str:
    return text(re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1))


def page_text(response) -> str:
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    return text(main)


def mails() -> list[tuple[str, str]]:
    return list(Message.objects.order_by("pk").values_list("to_email", "kind"))


@pytest.fixture
def library(partner_member):
    organisation = OrganisationFactory(name="Bibliotheek Leiden-Noord", slug="bibliotheek-noord")
    AdminMembershipFactory(user=partner_member, organisation=organisation)
    return organisation


@pytest.fixture
def colleague(library):
    """A plain member of the library."""
    return MembershipFactory(
        organisation=library, user=PartnerMemberFactory(name="Mo Medewerker")
    ).user


@pytest.fixture
def welfare(other_partner_member):
    """Another organisation, with the other partner member as its administrator."""
    organisation = OrganisationFactory(name="Welzijn Leiden", slug="welzijn-leiden")
    AdminMembershipFactory(user=other_partner_member, organisation=organisation)
    return organisation


def actions(library, colleague):
    """Every organisation page and action, as (method, url, data)."""
    join_request = JoinRequestFactory(organisation=library)
    membership = Membership.objects.get(user=colleague)
    slug = library.slug
    return [
        ("get", reverse("partners:organisation", args=[slug]), {}),
        ("get", reverse("partners:members", args=[slug]), {}),
        (
            "post",
            reverse("partners:invitation-create", args=[slug]),
            {"email": "nieuw@example.org", "role": "admin"},
        ),
        (
            "post",
            reverse("partners:join-request-decide", args=[slug, join_request.pk]),
            {"decision": "approve"},
        ),
        ("post", reverse("partners:membership-remove", args=[slug, membership.pk]), {}),
        (
            "post",
            reverse("partners:membership-role", args=[slug, membership.pk]),
            {"role": "admin"},
        ),
    ]


def state(library) -> tuple:
    return (
        sorted(library.memberships.values_list("user__email", "role")),
        list(JoinRequest.objects.values_list("status", flat=True)),
        Invitation.objects.count(),
        Message.objects.count(),
    )


# --- Who may see what ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, library, colleague, token):
    urls = [
        ("get", reverse("partners:my-organisations"), {}),
        ("get", reverse("partners:organisation-create"), {}),
        ("get", reverse("partners:organisation-search") + "?q=noord", {}),
        ("post", reverse("partners:join-request", args=[library.slug]), {}),
        ("get", reverse("partners:invitation-accept", args=[token]), {}),
        *actions(library, colleague),
    ]
    before = state(library)

    for method, url, data in urls:
        response = getattr(client, method)(url, data)
        path = urllib.parse.urlsplit(url).path
        assert (response.status_code, response["Location"].split("?")[0]) == (
            302,
            reverse("account_login"),
        ), url
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(response["Location"]).query)["next"][
            0
        ].startswith(path)
    assert state(library) == before


@pytest.mark.parametrize("outsider", ["other_partner_member", "student", "researcher"])
def test_outsiders_get_404_on_every_page_and_action(client, request, outsider, library, colleague):
    request.getfixturevalue("welfare")
    sign_in(client, request.getfixturevalue(outsider))
    urls = actions(library, colleague)
    before = state(library)

    statuses = [getattr(client, method)(url, data).status_code for method, url, data in urls]

    assert statuses == [404] * len(urls)
    assert state(library) == before


@pytest.mark.parametrize("outsider", ["student", "researcher"])
def test_students_and_researchers_cannot_register_search_or_join(
    client, request, outsider, library
):
    sign_in(client, request.getfixturevalue(outsider))

    statuses = [
        client.get(reverse("partners:organisation-create")).status_code,
        client.post(reverse("partners:organisation-create"), {"name": "X"}).status_code,
        client.get(reverse("partners:organisation-search"), {"q": "noord"}).status_code,
        client.post(reverse("partners:join-request", args=[library.slug])).status_code,
    ]

    assert statuses == [404, 404, 404, 404]
    assert (Organisation.objects.count(), JoinRequest.objects.count()) == (1, 0)


def test_a_plain_member_sees_the_pages_but_admin_actions_answer_404(client, library, colleague):
    sign_in(client, colleague)
    urls = actions(library, colleague)
    before = state(library)

    statuses = [getattr(client, method)(url, data).status_code for method, url, data in urls]
    members_page = client.get(reverse("partners:members", args=[library.slug]))

    assert statuses == [200, 200, 404, 404, 404, 404]
    assert state(library) == before
    assert "Send invitation" not in page_text(members_page)
    assert "Approve" not in page_text(members_page)
    assert rows(members_page) == [
        ["Paul Partner", "paul@bibliotheekleiden.nl", "Administrator", _today()],
        ["Mo Medewerker", colleague.email, "Member", _today()],
    ]


def _today() -> str:
    with translation.override("en"):
        return dateformat.format(timezone.localdate(), "j F Y")


def test_a_coordinator_sees_the_dashboard_and_may_invite(client, library, coordinator):
    sign_in(client, coordinator)

    dashboard = client.get(reverse("partners:organisation", args=[library.slug]))
    response = client.post(
        reverse("partners:invitation-create", args=[library.slug]),
        {"email": "nieuw@example.org", "role": "admin"},
        follow=True,
    )

    assert heading(dashboard) == "Bibliotheek Leiden-Noord"
    assert shown(response) == ["The invitation has been sent to nieuw@example.org."]
    assert list(Invitation.objects.values_list("email", "role", "invited_by")) == [
        ("nieuw@example.org", "admin", coordinator.pk)
    ]


# --- Mijn organisatie ----------------------------------------------------------------------


def test_my_organisations_with_one_goes_straight_to_it(client, library, partner_member):
    sign_in(client, partner_member)

    response = client.get(reverse("partners:my-organisations"))

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("partners:organisation", args=[library.slug]),
    )


def test_my_organisations_with_none_explains_and_links_to_search_and_register(
    client, partner_member
):
    sign_in(client, partner_member)

    response = client.get(reverse("partners:my-organisations"))

    assert heading(response) == "My organisation"
    assert "You are not a member of an organisation yet." in page_text(response)
    content = response.content.decode()
    assert f'href="{reverse("partners:organisation-search")}"' in content
    assert f'href="{reverse("partners:organisation-create")}"' in content


def test_my_organisations_with_two_lists_both(client, library, partner_member, welfare):
    MembershipFactory(user=partner_member, organisation=welfare)
    sign_in(client, partner_member)

    response = client.get(reverse("partners:my-organisations"))

    titles = re.findall(r'<h2 class="card__title"><a href="([^"]+)">([^<]+)</a>', response.text)
    assert titles == [
        (reverse("partners:organisation", args=["bibliotheek-noord"]), "Bibliotheek Leiden-Noord"),
        (reverse("partners:organisation", args=["welzijn-leiden"]), "Welzijn Leiden"),
    ]


def test_my_organisations_for_a_student_has_no_links_to_join(client, student):
    sign_in(client, student)

    response = client.get(reverse("partners:my-organisations"))

    assert reverse("partners:organisation-search") not in response.content.decode()
    assert "Only people who work for a partner organisation can join one." in page_text(response)


# --- Registering ---------------------------------------------------------------------------


def test_organisation_create_registers_and_opens_the_dashboard(client, partner_member, coordinator):
    kooi = NeighbourhoodFactory(slug="de-kooi", name="De Kooi")
    sign_in(client, partner_member)

    response = client.post(
        reverse("partners:organisation-create"),
        {
            "name": "Buurthuis De Kooi",
            "kind": "residents",
            "description": "Koffie, klussen en koken.",
            "website": "buurthuisdekooi.example.nl",
            "address": "",
            "neighbourhoods": [kooi.pk],
        },
        follow=True,
    )

    organisation = Organisation.objects.get()
    assert response.redirect_chain == [
        (reverse("partners:organisation", args=["buurthuis-de-kooi"]), 302)
    ]
    assert shown(response) == [
        (
            "Buurthuis De Kooi is registered and you are its administrator. A coordinator will "
            "check it soon. You will get an email when that is done."
        )
    ]
    assert (organisation.website, organisation.is_verified) == (
        "https://buurthuisdekooi.example.nl",
        False,
    )
    assert "A coordinator of Leren met de Stad still has to check this organisation." in (
        page_text(response)
    )
    assert mails() == [("cora@lerenmetdestad.nl", "challenge_updates")]


def test_organisation_create_with_a_taken_name_marks_the_field_and_keeps_the_input(
    client, partner_member, library
):
    sign_in(client, partner_member)

    response = client.post(
        reverse("partners:organisation-create"),
        {"name": "bibliotheek leiden-noord", "kind": "library", "description": "Boeken."},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": [
            (
                "There is already an organisation called bibliotheek leiden-noord. Search for it "
                "and ask to join, or choose a name that makes the difference clear."
            )
        ]
    }
    assert 'value="bibliotheek leiden-noord"' in response.text
    assert "Boeken.</textarea>" in response.text
    assert Organisation.objects.count() == 1


def test_organisation_create_with_missing_fields_says_what_to_fill_in(client, partner_member):
    sign_in(client, partner_member)

    response = client.post(
        reverse("partners:organisation-create"),
        {"name": "", "kind": "", "description": "Wij doen veel.", "website": "geen site"},
    )

    assert shown(response) == ["Not registered yet: please check the fields marked below."]
    # Form errors are translated when read; read them in the page's language.
    with translation.override("en"):
        errors = {
            field: list(messages) for field, messages in response.context["form"].errors.items()
        }
    assert errors == {
        "name": ["Please fill in the name of the organisation."],
        "kind": ["Please choose what kind of organisation it is."],
        "website": ["This website address is not correct. Write it like www.example.nl."],
    }
    assert "Wij doen veel.</textarea>" in response.text
    assert 'value="geen site"' in response.text


# --- Search and join -----------------------------------------------------------------------


def test_organisation_search_finds_by_part_of_the_name_and_shows_verified(
    client, other_partner_member, library
):
    OrganisationFactory(name="Buurthuis Noorderkwartier", slug="buurthuis-nk", is_verified=False)
    OrganisationFactory(name="Verborgen Noord", slug="verborgen", is_public=False)
    OrganisationFactory(name="Welzijn Zuid", slug="welzijn-zuid")
    sign_in(client, other_partner_member)

    response = client.get(reverse("partners:organisation-search"), {"q": "NOORD"})

    cards = [text(card) for card in re.findall(r'<li class="card">(.*?)</li>', response.text, re.S)]
    assert [card.split(" Message to the administrators")[0] for card in cards] == [
        "Bibliotheek Leiden-Noord Welfare organisation Verified",
        "Buurthuis Noorderkwartier Welfare organisation Not verified yet",
    ]
    assert re.findall(r'action="([^"]+/aansluiten/)"', response.text) == [
        reverse("partners:join-request", args=["bibliotheek-noord"]),
        reverse("partners:join-request", args=["buurthuis-nk"]),
    ]


def test_join_request_page_sends_the_request_and_mails_the_admins(
    client, other_partner_member, library
):
    sign_in(client, other_partner_member)

    response = client.post(
        reverse("partners:join-request", args=[library.slug]),
        {"message": "Ik ben de nieuwe taalcoach."},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("partners:my-organisations")
    assert shown(response) == [
        (
            "Your request has been sent to the administrators of Bibliotheek Leiden-Noord. You "
            "will get an email when they decide."
        )
    ]
    assert list(JoinRequest.objects.values_list("user__email", "message", "status")) == [
        ("olga@woonzorg.example.org", "Ik ben de nieuwe taalcoach.", "pending")
    ]
    assert mails() == [("paul@bibliotheekleiden.nl", "challenge_updates")]


def test_join_request_page_twice_says_you_already_asked(client, other_partner_member, library):
    sign_in(client, other_partner_member)
    url = reverse("partners:join-request", args=[library.slug])
    client.post(url, {"message": ""}, follow=True)

    response = client.post(url, {"message": "Nog een keer"}, follow=True)

    assert shown(response) == [
        (
            "You already asked to join Bibliotheek Leiden-Noord. The administrators have not "
            "decided yet. You will get an email when they do."
        )
    ]
    assert "You asked to join. The administrators have not decided yet." in page_text(response)
    assert JoinRequest.objects.count() == 1


def test_join_request_page_with_a_too_long_message_keeps_it(client, other_partner_member, library):
    sign_in(client, other_partner_member)
    long_message = "Hallo! " * 200

    response = client.post(
        reverse("partners:join-request", args=[library.slug]), {"message": long_message}
    )

    assert response.status_code == 200
    assert shown(response) == ["Not sent yet: please check your message."]
    assert "Your message is too long. Please keep it under 1000 characters." in page_text(response)
    assert long_message.strip() in html.unescape(response.text)
    assert JoinRequest.objects.count() == 0


# --- Dashboard -----------------------------------------------------------------------------


def add_challenges(organisation, count: int) -> None:
    themes = [
        Theme.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in [("eenzaamheid", "Eenzaamheid"), ("vergrijzing", "Vergrijzing")]
    ]
    for number in range(count):
        challenge = Challenge.objects.create(
            organisation=organisation,
            title=f"Vraagstuk {number:02d}",
            question="Hoe zorgen we dat ouderen elkaar vaker zien?",
            state=ChallengeState.DRAFT,
        )
        challenge.themes.set(themes)


@pytest.mark.parametrize("count", [1, 30])
def test_dashboard_lists_the_challenges_in_a_fixed_number_of_queries(
    client, partner_member, library, count, django_assert_num_queries
):
    library.neighbourhoods.add(NeighbourhoodFactory(name="De Kooi", slug="de-kooi"))
    add_challenges(library, count)
    sign_in(client, partner_member)
    url = reverse("partners:organisation", args=[library.slug])

    # session, user, organisation, membership, challenges, their themes, neighbourhoods,
    # the organisation's own load, the cohorts' load (projects' source), the admin check.
    with django_assert_num_queries(10):
        response = client.get(url)

    table = rows(response)
    assert len(table) == count
    assert table[0][1:3] == ["Draft", "Eenzaamheid, Vergrijzing"]
    assert sorted(row[0] for row in table) == [f"Vraagstuk {n:02d}" for n in range(count)]


def test_dashboard_shows_the_details_budget_and_a_link_per_challenge(
    client, partner_member, library
):
    library.team_budget = 3
    library.save()
    add_challenges(library, 1)
    challenge = Challenge.objects.get()
    sign_in(client, partner_member)

    response = client.get(reverse("partners:organisation", args=[library.slug]))

    content = response.content.decode()
    assert f'href="{reverse("partners:challenge", args=[challenge.pk])}"' in content
    assert f'href="{reverse("partners:challenge-create", args=[library.slug])}"' in content
    assert "Student teams 0 of at most 3 teams at the same time" in page_text(response)
    assert "All of Leiden" in page_text(response)
    assert "still has to check" not in page_text(response)


def test_dashboard_of_an_unverified_organisation_explains_what_that_means(
    client, partner_member, library
):
    library.is_verified, library.verified_at = False, None
    library.save()
    sign_in(client, partner_member)

    response = client.get(reverse("partners:organisation", args=[library.slug]))

    assert (
        "A coordinator of Leren met de Stad still has to check this organisation. This usually "
        "takes a few working days. You will get an email when it is done. You can already "
        "write challenges and submit them. A challenge can only be accepted after the check."
    ) in page_text(response)


# --- Members page: approve, decline, invite, remove ----------------------------------------


def test_admin_approves_a_request_and_the_requester_is_mailed(
    client, partner_member, library, other_partner_member
):
    join_request = JoinRequestFactory(user=other_partner_member, organisation=library)
    sign_in(client, partner_member)

    response = client.post(
        reverse("partners:join-request-decide", args=[library.slug, join_request.pk]),
        {"decision": "approve"},
        follow=True,
    )

    assert shown(response) == ["Olga Ander is now a member of Bibliotheek Leiden-Noord."]
    assert Membership.objects.get(user=other_partner_member).organisation == library
    assert mails() == [("olga@woonzorg.example.org", "account")]
    assert [row[0] for row in rows(response)] == ["Paul Partner", "Olga Ander"]


def test_admin_declines_a_request_and_no_membership_is_made(
    client, partner_member, library, other_partner_member
):
    join_request = JoinRequestFactory(user=other_partner_member, organisation=library)
    sign_in(client, partner_member)

    response = client.post(
        reverse("partners:join-request-decide", args=[library.slug, join_request.pk]),
        {"decision": "decline"},
        follow=True,
    )

    assert shown(response) == ["You declined the request of Olga Ander. We let them know."]
    assert not Membership.objects.filter(user=other_partner_member).exists()
    assert mails() == [("olga@woonzorg.example.org", "account")]


def test_deciding_a_request_of_another_organisation_answers_404(
    client, partner_member, library, welfare
):
    foreign = JoinRequestFactory(organisation=welfare)
    sign_in(client, partner_member)

    response = client.post(
        reverse("partners:join-request-decide", args=[library.slug, foreign.pk]),
        {"decision": "approve"},
    )

    assert response.status_code == 404
    assert JoinRequest.objects.get().status == "pending"


def test_admin_invites_a_colleague_who_gets_a_mail_with_the_link(client, partner_member, library):
    sign_in(client, partner_member)

    response = client.post(
        reverse("partners:invitation-create", args=[library.slug]),
        {"email": "nieuw@bibliotheekleiden.nl", "role": "member"},
        follow=True,
    )

    assert shown(response) == ["The invitation has been sent to nieuw@bibliotheekleiden.nl."]
    assert mails() == [("nieuw@bibliotheekleiden.nl", "account")]
    assert TOKEN_IN_MAIL.search(delivered_text(Message.objects.get()))
    assert "nieuw@bibliotheekleiden.nl as Member, valid until" in page_text(response)


def test_invite_with_a_wrong_address_keeps_what_was_typed(client, partner_member, library):
    sign_in(client, partner_member)

    response = client.post(
        reverse("partners:invitation-create", args=[library.slug]),
        {"email": "nieuw@bibliotheek", "role": "admin"},
    )

    assert shown(response) == ["Not sent yet: please check the fields marked below."]
    with translation.override("en"):
        errors = {
            field: list(messages)
            for field, messages in response.context["invitation_form"].errors.items()
        }
    assert errors == {
        "email": ["This is not a correct email address. Please check it for typing errors."]
    }
    assert 'value="nieuw@bibliotheek"' in response.text
    assert response.context["invitation_form"]["role"].value() == "admin"
    assert Invitation.objects.count() == 0


def test_invite_twice_shows_why_at_the_field(client, partner_member, library):
    sign_in(client, partner_member)
    url = reverse("partners:invitation-create", args=[library.slug])
    client.post(url, {"email": "nieuw@example.org", "role": "member"}, follow=True)

    response = client.post(url, {"email": "Nieuw@example.org", "role": "member"})

    reason = (
        "Nieuw@example.org has already been invited and has not answered yet. Ask them to look "
        "for the email from Leren met de Stad, also in their spam folder."
    )
    assert shown(response) == [reason]
    assert response.context["invitation_form"].errors == {"email": [reason]}
    assert Invitation.objects.count() == 1


def test_removing_the_last_admin_is_refused_with_a_message(client, partner_member, library):
    sign_in(client, partner_member)
    own = Membership.objects.get(user=partner_member)

    response = client.post(
        reverse("partners:membership-remove", args=[library.slug, own.pk]), follow=True
    )

    assert shown(response) == [
        (
            "Paul Partner is the only administrator of Bibliotheek Leiden-Noord. Make someone else "
            "administrator first."
        )
    ]
    assert Membership.objects.filter(pk=own.pk).exists()


def test_admin_removes_a_member(client, partner_member, library, colleague):
    sign_in(client, partner_member)
    membership = Membership.objects.get(user=colleague)

    response = client.post(
        reverse("partners:membership-remove", args=[library.slug, membership.pk]), follow=True
    )

    assert shown(response) == ["Mo Medewerker is no longer a member of Bibliotheek Leiden-Noord."]
    assert list(library.memberships.values_list("user__name", flat=True)) == ["Paul Partner"]


def test_admin_makes_a_member_admin(client, partner_member, library, colleague):
    sign_in(client, partner_member)
    membership = Membership.objects.get(user=colleague)

    response = client.post(
        reverse("partners:membership-role", args=[library.slug, membership.pk]),
        {"role": "admin"},
        follow=True,
    )

    assert shown(response) == ["Mo Medewerker is now: Administrator."]
    assert Membership.objects.get(pk=membership.pk).role == "admin"


# --- Accepting an invitation ---------------------------------------------------------------


@pytest.fixture
def token(library, partner_member):
    invitation_create(
        organisation=library,
        email="nieuw@bibliotheekleiden.nl",
        role=MembershipRole.MEMBER,
        invited_by=partner_member,
    )
    return TOKEN_IN_MAIL.search(delivered_text(Message.objects.latest("pk"))).group(1)


@pytest.fixture
def invitee():
    return PartnerMemberFactory(name="Nina Nieuw", email="nieuw@bibliotheekleiden.nl")


def test_invitation_page_shows_what_you_join_and_accepting_makes_you_a_member(
    client, token, invitee, library
):
    sign_in(client, invitee)
    url = reverse("partners:invitation-accept", args=[token])

    page = client.get(url)
    response = client.post(url, follow=True)

    assert heading(page) == "Invitation to join Bibliotheek Leiden-Noord"
    assert page["X-Robots-Tag"] == "noindex"
    assert "Accept the invitation" in page_text(page)
    assert response.redirect_chain == [(reverse("partners:organisation", args=[library.slug]), 302)]
    assert shown(response) == ["Welcome! You are now a member of Bibliotheek Leiden-Noord."]
    assert Membership.objects.get(user=invitee).role == "member"


def test_invitation_page_for_someone_else_says_so_and_accepting_is_refused(
    client, token, other_partner_member
):
    sign_in(client, other_partner_member)
    url = reverse("partners:invitation-accept", args=[token])
    reason = (
        "This invitation was sent to nieuw@bibliotheekleiden.nl, but you are logged in as "
        "olga@woonzorg.example.org. Log out, then log in or create an account with "
        "nieuw@bibliotheekleiden.nl."
    )

    page = client.get(url)
    response = client.post(url)

    assert reason in page_text(page)
    assert "Accept the invitation" not in page_text(page)
    assert (response.status_code, reason in page_text(response)) == (200, True)
    assert not Membership.objects.filter(user=other_partner_member).exists()
    assert Invitation.objects.get().accepted_at is None


def test_invitation_page_with_a_changed_token_answers_400(client, token, invitee):
    sign_in(client, invitee)
    changed = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    page = client.get(reverse("partners:invitation-accept", args=[changed]))
    response = client.post(reverse("partners:invitation-accept", args=[changed]))

    assert (page.status_code, response.status_code) == (400, 400)
    assert heading(page) == "This invitation cannot be used"
    assert "This invitation link does not work." in page_text(response)
    assert not Membership.objects.filter(user=invitee).exists()


class SignerFromTheFortnightBefore(signing.TimestampSigner):
    """Signs as if it were 15 days ago, as a link from an old mail would be."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 15 * 24 * 60 * 60)


def test_invitation_page_after_it_expired_answers_400(client, library, invitee, settings):
    settings.PARTNER_INVITATION_MAX_AGE_DAYS = 14
    invitation = Invitation.objects.create(
        organisation=library, email=invitee.email, role=MembershipRole.MEMBER
    )
    old = SignerFromTheFortnightBefore(salt=INVITATION_SALT).sign(str(invitation.pk))
    sign_in(client, invitee)

    response = client.post(reverse("partners:invitation-accept", args=[old]))

    assert response.status_code == 400
    assert (
        "This invitation has expired. Ask the organisation to send you a new one, or ask to "
        "join it yourself."
    ) in page_text(response)
    assert not Membership.objects.filter(user=invitee).exists()


def test_invitation_page_once_used_says_so(client, token, invitee):
    sign_in(client, invitee)
    url = reverse("partners:invitation-accept", args=[token])
    client.post(url)

    page = client.get(url)

    assert page.status_code == 400
    assert "This invitation has already been used." in page_text(page)


# --- Admin ---------------------------------------------------------------------------------


def test_admin_verify_action_verifies_and_mails_the_admins(client, coordinator, partner_member):
    waiting = [
        OrganisationFactory(name=f"Nieuw {n}", slug=f"nieuw-{n}", is_verified=False)
        for n in range(2)
    ]
    AdminMembershipFactory(user=partner_member, organisation=waiting[0])
    already = OrganisationFactory(name="Al gecontroleerd", slug="al")
    sign_in(client, coordinator)

    response = client.post(
        reverse("admin:partners_organisation_changelist"),
        {
            "action": "verify_selected",
            "_selected_action": [o.pk for o in [*waiting, already]],
        },
        follow=True,
    )

    assert shown(response) == [
        "2 organisations verified. Their administrators get an email.",
        "Al gecontroleerd is already verified.",
    ]
    assert list(
        Organisation.objects.filter(slug__startswith="nieuw-")
        .order_by("slug")
        .values_list("is_verified", "verified_by")
    ) == [(True, coordinator.pk), (True, coordinator.pk)]
    assert mails() == [("paul@bibliotheekleiden.nl", "challenge_updates")]


def test_admin_verify_action_needs_the_change_permission(client, library):
    from django.contrib.auth.models import Permission  # noqa: PLC0415

    viewer = PartnerMemberFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    waiting = OrganisationFactory(name="Nieuw", slug="nieuw-1", is_verified=False)
    sign_in(client, viewer)

    client.post(
        reverse("admin:partners_organisation_changelist"),
        {"action": "verify_selected", "_selected_action": [waiting.pk]},
    )

    waiting.refresh_from_db()
    assert waiting.is_verified is False
    assert mails() == []


@pytest.mark.parametrize("count", [1, 30])
def test_admin_organisation_list_takes_a_fixed_number_of_queries(
    client, coordinator, count, django_assert_num_queries
):
    kooi = NeighbourhoodFactory(name="De Kooi", slug="de-kooi")
    for number in range(count):
        organisation = OrganisationFactory(name=f"Organisatie {number:02d}", slug=f"org-{number}")
        organisation.neighbourhoods.add(kooi)
        AdminMembershipFactory(organisation=organisation)
        MembershipFactory(organisation=organisation)
    sign_in(client, coordinator)

    with django_assert_num_queries(11):
        response = client.get(reverse("admin:partners_organisation_changelist"))

    assert response.context["cl"].result_count == count


# --- Two administrators remove each other at the same moment --------------------------------

CSRF = "c" * 32  # Django accepts the unmasked 32-character secret in form and cookie


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _session(user) -> str:
    client = Client()
    sign_in_for_admin(client, user)
    return client.cookies["sessionid"].value


def _remove(base_url: str, session: str, path: str) -> int:
    request = urllib.request.Request(  # noqa: S310 (our own live server)
        base_url + path,
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF}).encode(),
        headers={"Cookie": f"sessionid={session}; csrftoken={CSRF}", "Referer": base_url + path},
    )
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


def _admins_remove_each_other(live_server, library, partner_member) -> list[int]:
    second = AdminMembershipFactory(organisation=library)
    first = Membership.objects.get(user=partner_member)
    plan = [
        (
            _session(partner_member),
            reverse("partners:membership-remove", args=[library.slug, second.pk]),
        ),
        (
            _session(second.user),
            reverse("partners:membership-remove", args=[library.slug, first.pk]),
        ),
    ]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def act(session, path):
        start.wait()
        statuses.append(_remove(live_server.url, session, path))

    threads = [threading.Thread(target=act, args=step) for step in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_admins_removing_each_other_at_once_leave_one_admin(
    live_server, settings, library, partner_member
):
    settings.RACE_WINDOW_SECONDS = 0.5

    statuses = _admins_remove_each_other(live_server, library, partner_member)

    # Both requests were answered (a redirect back), and one of them was refused.
    assert statuses == [302, 302]
    assert library.memberships.filter(role="admin").count() == 1


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_without_the_lock_two_admins_removing_each_other_leave_none(
    live_server, settings, library, partner_member
):
    settings.ROW_LOCKS_ENABLED = False
    settings.RACE_WINDOW_SECONDS = 0.5

    statuses = _admins_remove_each_other(live_server, library, partner_member)

    assert statuses == [302, 302]
    assert library.memberships.filter(role="admin").count() == 0
