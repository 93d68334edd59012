import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outbox.models import Message
from partners.enums import ChallengeState
from partners.models import Challenge, ChallengeAttachment, ChallengeMessage, Theme
from tests.partners.challenge_setup import challenge_in, organisation_with_member, speaks_english
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def partner_member(partner_member):
    return speaks_english(partner_member)


@pytest.fixture
def coordinator(coordinator):
    return speaks_english(coordinator)


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def organisation(partner_member):
    return organisation_with_member(partner_member, budget=5)


@pytest.fixture
def draft(organisation):
    return challenge_in(ChallengeState.DRAFT, organisation, eligible=True)


@pytest.fixture
def attachment(draft, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return ChallengeAttachment.objects.create(
        challenge=draft,
        file=SimpleUploadedFile("plan.pdf", PDF),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )


def form_data(**overrides):
    data = {
        "title": "Samen koken in De Kooi",
        "question": "Hoe krijgen we buren aan tafel? Veel mensen eten alleen.",
        "background": "",
        "target_group": "Alleenstaande ouderen",
        "contact_name": "Paul Bakker",
        "contact_email": "paul@example.org",
        "resident_involvement": "medium",
        "resident_contacts_per_month": "6",
        "is_societal": "on",
        "is_non_commercial": "on",
        "has_no_consultant_budget": "on",
    }
    return data | overrides


def test_partner_saves_a_draft_then_submits_it(client, partner_member, organisation):
    theme = Theme.objects.create(name="Eenzaamheid", slug="eenzaamheid")
    client.force_login(partner_member)

    response = client.post(
        reverse("partners:challenge-create", args=[organisation.slug]),
        form_data(themes=[theme.pk], intent="draft"),
    )

    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("partners:challenge", args=[challenge.pk])
    assert (challenge.state, challenge.title, challenge.resident_contacts_per_month) == (
        "draft",
        "Samen koken in De Kooi",
        6,
    )

    page = client.get(reverse("partners:challenge", args=[challenge.pk]))
    assert "Samen koken in De Kooi" in page.content.decode()
    client.post(
        reverse("partners:challenge-submit", args=[challenge.pk]),
        {"action": "submit", "version": challenge.version},
    )

    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.SUBMITTED


def test_new_challenge_shows_readability_and_an_example(client, partner_member, organisation):
    client.force_login(partner_member)

    response = client.post(
        reverse("partners:challenge-create", args=[organisation.slug]),
        form_data(
            title="",
            question=(
                "De implementatie van intersectorale samenwerkingsverbanden vereist "
                "een multidimensionale benadering."
            ),
        ),
    )

    assert response.status_code == 200
    assert response.context["readability"].score == 0
    assert response.context["form"]["question"].value().startswith("De implementatie")
    assert "Veel ouderen in De Kooi" in response.content.decode()
    assert Challenge.objects.count() == 0


def test_bad_dates_are_refused_and_the_text_kept(client, partner_member, organisation):
    client.force_login(partner_member)

    response = client.post(
        reverse("partners:challenge-create", args=[organisation.slug]),
        form_data(desired_start="2027-05-01", desired_end="2027-04-01"),
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["desired_end"]
    assert "The end date must be on or after the start date." in response.content.decode()
    assert response.context["form"]["title"].value() == "Samen koken in De Kooi"


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("virus.exe", b"MZ\x90\x00", "virus.exe is not a file type we accept."),
        ("nep.pdf", b"MZ\x90\x00not a pdf", "nep.pdf does not look like a real pdf file."),
        (
            "groot.pdf",
            b"%PDF" + b"0" * 2048,
            "groot.pdf is too large (2.0\xa0KB). The limit is 1.0\xa0KB per file.",
        ),
    ],
)
def test_refused_uploads_say_why(
    client, partner_member, organisation, settings, name, content, error
):
    settings.CHALLENGE_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(partner_member)

    response = client.post(
        reverse("partners:challenge-create", args=[organisation.slug]),
        form_data(attachments=[SimpleUploadedFile(name, content)]),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["attachments"][0].startswith(error)
    assert Challenge.objects.count() == 0


def test_accepted_upload_is_downloaded_by_members_only(
    client, partner_member, organisation, settings, tmp_path, other_partner_member
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(partner_member)
    client.post(
        reverse("partners:challenge-create", args=[organisation.slug]),
        form_data(
            attachments=[SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")]
        ),
    )
    attachment = ChallengeAttachment.objects.get()
    url = reverse("partners:challenge-attachment", args=[attachment.challenge_id, attachment.pk])

    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="plan.pdf"'

    client.force_login(other_partner_member)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("claimed", ["text/html", "application/" + "x" * 300])
def test_upload_is_stored_and_served_with_the_type_the_server_determined(
    client, partner_member, organisation, settings, tmp_path, claimed
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(partner_member)

    response = client.post(
        reverse("partners:challenge-create", args=[organisation.slug]),
        form_data(attachments=[SimpleUploadedFile("plan.pdf", PDF, content_type=claimed)]),
    )

    assert response.status_code == 302
    attachment = ChallengeAttachment.objects.get()
    assert attachment.content_type == "application/pdf"
    url = reverse("partners:challenge-attachment", args=[attachment.challenge_id, attachment.pk])
    assert client.get(url)["Content-Type"] == "application/pdf"


def test_upload_stored_earlier_with_a_browsers_claim_is_served_as_its_real_type(
    client, partner_member, organisation, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(partner_member)
    client.post(
        reverse("partners:challenge-create", args=[organisation.slug]),
        form_data(attachments=[SimpleUploadedFile("plan.pdf", PDF)]),
    )
    attachment = ChallengeAttachment.objects.get()
    ChallengeAttachment.objects.filter(pk=attachment.pk).update(content_type="text/html")
    url = reverse("partners:challenge-attachment", args=[attachment.challenge_id, attachment.pk])

    assert client.get(url)["Content-Type"] == "application/pdf"


def test_stale_edit_is_refused_and_the_typed_text_kept(client, partner_member, draft):
    client.force_login(partner_member)
    Challenge.objects.filter(pk=draft.pk).update(version=2)  # a colleague saved meanwhile

    response = client.post(
        reverse("partners:challenge-edit", args=[draft.pk]),
        form_data(title="Mijn nieuwe titel", version="1"),
    )

    assert response.status_code == 200
    assert response.context["form"]["title"].value() == "Mijn nieuwe titel"
    assert "Someone else saved this challenge while you were editing." in response.content.decode()
    assert Challenge.objects.get(pk=draft.pk).title == "Ouderen ontmoeten elkaar"


def test_submitted_challenge_cannot_be_edited(client, partner_member, organisation):
    challenge = challenge_in(ChallengeState.SUBMITTED, organisation)
    client.force_login(partner_member)

    response = client.get(reverse("partners:challenge-edit", args=[challenge.pk]))

    assert response.status_code == 302
    assert response.url == reverse("partners:challenge", args=[challenge.pk])


def test_second_submit_click_says_what_happened(client, partner_member, draft):
    client.force_login(partner_member)
    url = reverse("partners:challenge-submit", args=[draft.pk])

    client.post(url, {"action": "submit", "version": "1"})
    response = client.post(url, {"action": "submit", "version": "1"}, follow=True)

    text = response.content.decode()
    assert "Someone else changed this challenge in the meantime. It is now: Submitted." in text
    assert Challenge.objects.get(pk=draft.pk).version == 2


def test_conversation_internal_notes_are_for_coordinators_only(
    client, partner_member, coordinator, organisation
):
    challenge = challenge_in(ChallengeState.IN_REVIEW, organisation)
    client.force_login(coordinator)
    client.post(
        reverse("partners:challenge-message", args=[challenge.pk]),
        {"body": "Intern: lijkt goed", "is_internal": "on"},
    )
    client.post(
        reverse("partners:challenge-message", args=[challenge.pk]), {"body": "Welke dag past u?"}
    )

    client.force_login(partner_member)
    page = client.get(reverse("partners:challenge", args=[challenge.pk])).content.decode()
    client.post(
        reverse("partners:challenge-message", args=[challenge.pk]),
        {"body": "Dinsdag", "is_internal": "on"},
    )

    assert "Welke dag past u?" in page
    assert "Intern: lijkt goed" not in page
    assert list(ChallengeMessage.objects.values_list("body", "is_internal")) == [
        ("Intern: lijkt goed", True),
        ("Welke dag past u?", False),
    ]
    assert list(Message.objects.values_list("to_email", flat=True)) == [partner_member.email]


@pytest.fixture
def private_urls(draft, attachment):
    return [
        ("get", reverse("partners:challenge", args=[draft.pk])),
        ("get", reverse("partners:challenge-edit", args=[draft.pk])),
        ("post", reverse("partners:challenge-edit", args=[draft.pk])),
        ("post", reverse("partners:challenge-submit", args=[draft.pk])),
        ("post", reverse("partners:challenge-message", args=[draft.pk])),
        ("get", reverse("partners:challenge-attachment", args=[draft.pk, attachment.pk])),
        ("get", reverse("partners:challenge-create", args=[draft.organisation.slug])),
        ("post", reverse("partners:challenge-create", args=[draft.organisation.slug])),
    ]


@pytest.mark.parametrize("outsider", ["other_partner_member", "student", "researcher"])
def test_outsiders_get_404_on_every_challenge_page_and_action(
    client, request, private_urls, draft, outsider
):
    client.force_login(request.getfixturevalue(outsider))

    answers = {
        (method, url): getattr(client, method)(url, {"action": "submit", "body": "x"}).status_code
        for method, url in private_urls
    }

    assert set(answers.values()) == {404}
    draft.refresh_from_db()
    assert (draft.state, draft.version) == ("draft", 1)
    assert ChallengeMessage.objects.count() == 0


def test_anonymous_visitors_are_sent_to_login(client, private_urls):
    for method, url in private_urls:
        response = getattr(client, method)(url)
        assert (url, response.status_code) == (url, 302)
        assert re.match(r"^/account/inloggen/\?next=", response.url)


def test_public_theme_page_shows_only_public_accepted_challenges(client, organisation):
    shown = challenge_in(ChallengeState.ACCEPTED, organisation, title="Zichtbaar", is_public=True)
    challenge_in(ChallengeState.ACCEPTED, organisation, title="Niet openbaar", is_public=False)
    challenge_in(ChallengeState.SUBMITTED, organisation, title="Nog in behandeling", is_public=True)

    response = client.get(reverse("partners:theme", args=["eenzaamheid"]))

    assert response.status_code == 200
    assert [c.title for c in response.context["challenges"]] == [shown.title]


def test_theme_page_of_unknown_theme_is_404(client):
    assert client.get(reverse("partners:theme", args=["bestaat-niet"])).status_code == 404


def test_conversation_region_is_named_by_its_heading(client, partner_member, organisation):
    # The section once pointed aria-labelledby at itself, so a screen reader named the
    # region after all of its text: every message and the form.
    challenge = challenge_in(ChallengeState.IN_REVIEW, organisation)
    client.force_login(partner_member)

    page = parse(client.get(reverse("partners:challenge", args=[challenge.pk])).content)

    section = page.find("section", id="gesprek")
    heading = page.find(id=section.attrs["aria-labelledby"])
    assert (heading.tag, heading.text) == ("h2", "Conversation")
