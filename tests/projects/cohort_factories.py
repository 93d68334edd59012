"""Builders for the coordination tests: periods, cohorts in any state, a project's partners.

Plain ORM writes through factories on purpose: the tests set up a state and then drive the
services and the admin.
"""

from datetime import date
from html.parser import HTMLParser

import factory

from partners.models import Organisation
from projects.enums import CohortState
from projects.models import AcademicPeriod, Cohort
from tests.factories import NeighbourhoodFactory
from tests.partners.factories import OrganisationFactory
from tests.projects.factories import ChallengeFactory, CohortFactory, ProjectFactory


class AcademicPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicPeriod
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Periode {n}")
    starts_on = date(2026, 9, 1)
    ends_on = date(2027, 1, 31)


def cohort_in(state: CohortState, **fields) -> Cohort:
    return CohortFactory(state=state, **fields)


def project_of(organisation: Organisation, *, contacts: int = 0, neighbourhood=None, **fields):
    """A project of one organisation, from a challenge with these resident contacts a month."""
    challenge = ChallengeFactory(organisation=organisation, resident_contacts_per_month=contacts)
    return ProjectFactory(
        challenge=challenge, neighbourhood=neighbourhood, organisations=[organisation], **fields
    )


def organisation(*, budget: int = 2, name: str | None = None) -> Organisation:
    return OrganisationFactory(team_budget=budget, **({"name": name} if name else {}))


def neighbourhood(*, budget: int = 30, name: str = "De Kooi"):
    return NeighbourhoodFactory(
        name=name, slug=name.lower().replace(" ", "-"), resident_contact_budget=budget
    )


class _FormReader(HTMLParser):
    """Collects what a browser would submit from one form on a page."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self._select: dict | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "input":
            name, kind = attributes.get("name"), attributes.get("type", "text")
            if not name or kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self.pairs.append((name, attributes.get("value", "on")))
        elif tag == "select":
            self._select = {
                "name": attributes.get("name"),
                "multiple": "multiple" in attributes,
                "first": None,
                "chosen": False,
            }
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attributes:
                self.pairs.append((self._select["name"], value))
                self._select["chosen"] = True
        elif tag == "textarea":
            self._textarea, self._text = attributes.get("name"), ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            select = self._select
            if not select["multiple"] and not select["chosen"] and select["first"] is not None:
                self.pairs.append((select["name"], select["first"]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that follows <textarea>.
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self.pairs.append((self._textarea, text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data


def admin_form_data(html: str, form_id: str) -> dict[str, list[str]]:
    """The fields of an admin change form as a browser would post them with "Save"."""
    reader = _FormReader(form_id)
    reader.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in reader.pairs:
        if name.startswith("CHANGE_FORM-") or name in {"_selected_action", "index"}:
            continue
        data.setdefault(name, []).append(value)
    data["_save"] = ["Save"]
    return data
