"""A project's card on the discovery page: everything it shows, read in one query.

The discovery page is the busiest page of the site and shows twenty cards. Read through the
ORM, a page of cards took a query with two correlated subqueries plus one query each for
themes and partners, and building and compiling those querysets cost more time in Python
than PostgreSQL took to run them. This query is written once, in SQL, and gives plain
rows. It reads public fields only: a partner organisation that is not public never
appears on a card.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.urls import reverse

from projects.enums import CohortState, EnrolmentState


@dataclass(frozen=True, slots=True)
class CardPartner:
    """A public partner organisation as a card shows it: its name (and where it is)."""

    name: str
    address: str

    def __str__(self) -> str:
        return self.name


@dataclass(slots=True)
class Card:
    """One project as its card shows it. The `next_*` facts are those of its soonest group
    in state open (see projects.services.next_open), None when it has none."""

    pk: int
    title: str
    slug: str
    summary: str
    location_kind: str
    location: str
    csl_level: str
    weekdays: list[int]
    neighbourhood_name: str | None
    theme_names: list[str]
    public_organisations: list[CardPartner]
    next_start: date | None
    next_end: date | None
    next_registration_opens_at: datetime | None
    next_registration_closes_at: datetime | None
    next_places_left: int | None
    # (label, value) pairs, added by the view in the language of the request.
    facts: list[tuple[str, str]] = field(default_factory=list)

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.slug])


# The tables are those of the models; tests/projects/test_cards.py checks the cards against
# the ORM, so a renamed table or column fails there.
CARDS_SQL = """
        SELECT p.id, p.title, p.slug, p.summary, p.location_kind, p.location, p.csl_level,
               p.weekdays, n.name,
               ARRAY(
                   SELECT t.name
                   FROM projects_project_themes pt JOIN partners_theme t ON t.id = pt.theme_id
                   WHERE pt.project_id = p.id
                   ORDER BY t.name
               ),
               (
                   SELECT json_agg(json_build_array(o.name, o.address) ORDER BY o.name)
                   FROM projects_project_organisations po JOIN partners_organisation o
                       ON o.id = po.organisation_id
                   WHERE po.project_id = p.id AND o.is_public
               ),
               g.starts_on, g.ends_on, g.registration_opens_at, g.registration_closes_at,
               g.places_left
        FROM projects_project p
        LEFT JOIN partners_neighbourhood n ON n.id = p.neighbourhood_id
        LEFT JOIN LATERAL (
            SELECT c.starts_on, c.ends_on, c.registration_opens_at, c.registration_closes_at,
                   GREATEST(c.max_size - (
                       SELECT count(*) FROM projects_enrolment e
                       WHERE e.cohort_id = c.id AND e.state = %(member)s
                   ), 0) AS places_left
            FROM projects_cohort c
            WHERE c.project_id = p.id AND c.state = %(open)s
            ORDER BY c.starts_on, c.id
            LIMIT 1
        ) g ON true
        WHERE p.id = ANY(%(ids)s)
    """


def cards(ids: list[int]) -> list[Card]:
    """The cards of the projects with these keys, in the order of `ids`: one query."""
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            CARDS_SQL,
            {
                "ids": ids,
                "open": CohortState.OPEN.value,
                "member": EnrolmentState.MEMBER.value,
            },
        )
        rows = cursor.fetchall()
    position = {pk: index for index, pk in enumerate(ids)}
    rows.sort(key=lambda row: position[row[0]])
    return [
        Card(
            *row[:9],
            theme_names=row[9],
            public_organisations=[CardPartner(name, address) for name, address in row[10] or ()],
            next_start=row[11],
            next_end=row[12],
            next_registration_opens_at=row[13],
            next_registration_closes_at=row[14],
            next_places_left=row[15],
        )
        for row in rows
    ]
