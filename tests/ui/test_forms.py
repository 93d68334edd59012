"""Forms show label, help text and errors, tied to the field for screen readers."""

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_signup_field_has_label_and_help_text_tied_to_it(client):
    page = parse(client.get(reverse("account_signup")).content)

    name = page.find("input", name="name")
    assert page.find("label", for_=name.attrs["id"]).text == "Je naam"
    help_text = page.find(id=name.attrs["aria-describedby"])
    assert help_text.text == "Je voor- en achternaam, zoals anderen op het platform die zien."


def test_signup_role_is_a_group_of_radio_buttons_with_a_legend(client):
    page = parse(client.get(reverse("account_signup")).content)

    fieldset = page.find("fieldset", class_="field--choices")
    assert fieldset.find("legend").text == "Wie ben je?"
    assert page.find(id=fieldset.attrs["aria-describedby"]).text == (
        "Hiermee bepaal je wat je hier kunt doen. Coördinatoren worden toegevoegd door het team."
    )
    radios = fieldset.find_all("input", type="radio")
    labels = [page.find("label", for_=radio.attrs["id"]).text for radio in radios]
    assert labels == [
        "Student",
        "Lid van een maatschappelijke organisatie",
        "Onderzoeker of docent",
    ]


def test_signup_errors_are_shown_at_and_tied_to_their_field(client):
    response = client.post(reverse("account_signup"), {"email": "iemand@example.org"})

    page = parse(response.content)
    name = page.find("input", name="name")
    assert name.attrs["aria-invalid"] == "true"
    assert name.attrs["aria-describedby"] == "id_name_helptext id_name_error"
    assert page.find("ul", id="id_name_error").text == "Fout: Dit veld is verplicht."
    field = page.find("label", for_="id_name")
    assert field.text == "Je naam"


def test_login_remember_box_has_its_label_after_it(client):
    page = parse(client.get(reverse("account_login")).content)

    field = page.find("div", class_="field--checkbox")
    box, label = [child for child in field.children if not isinstance(child, str)][:2]
    assert (box.tag, box.attrs["type"]) == ("input", "checkbox")
    assert (label.tag, label.attrs["for"], label.text) == ("label", box.attrs["id"], "Onthouden")


class _ExampleForm(forms.Form):
    title = forms.CharField(label="Titel")
    note = forms.CharField(label="Opmerking", required=False, help_text="Kort graag.")

    def clean(self):
        raise forms.ValidationError("Dit past niet bij elkaar.")


@pytest.mark.unit
def test_optional_field_says_so_and_required_field_does_not():
    with translation.override("nl"):
        page = parse(str(_ExampleForm()))

    assert page.find("label", for_="id_title").text == "Titel"
    assert page.find("label", for_="id_note").text == "Opmerking (niet verplicht)"
    assert page.find("input", name="note").attrs["aria-describedby"] == "id_note_helptext"


@pytest.mark.unit
def test_form_wide_error_is_announced_before_the_fields():
    form = _ExampleForm({"title": "Iets"})
    form.is_valid()

    page = parse(str(form))

    first = next(page.iter())
    assert (first.attrs["class"], first.attrs["role"], first.text) == (
        "errorlist nonfield",
        "alert",
        "Dit past niet bij elkaar.",
    )


@pytest.mark.unit
def test_form_wide_error_takes_focus_when_the_page_loads():
    form = _ExampleForm({"title": "Iets"})
    form.is_valid()

    error = parse(str(form)).find("div", class_="nonfield")

    # Focusable by the page, not a Tab stop of its own; autofocus needs no script.
    assert (error.attrs["tabindex"], "autofocus" in error.attrs) == ("-1", True)


def test_signup_password_rules_and_errors_speak_plain_dutch(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "nieuw@example.org",
            "name": "Nina Nieuw",
            "role": "student",
            "password1": "kort",
            "password2": "kort",
        },
    )

    page = parse(response.content)
    assert page.find("ul", id="id_password1_error").text == (
        "Fout: Dit wachtwoord is te kort. Het moet minstens 12 tekens hebben."
    )
    rules = [li.text for li in page.find(id="id_password1_helptext").find_all("li")]
    assert rules[1] == "Je wachtwoord moet minstens 12 tekens hebben."
