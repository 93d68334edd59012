"""Finding a project: the filtered, searchable list and the project page.

Both pages are public. They read only; joining is a POST to the join view, which calls the
enrolment service.
"""

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from accounts.enums import InstitutionKind, Role, Weekday
from partners.enums import CslLevel
from projects import selectors
from projects.cards import Card
from projects.enums import CohortState, EnrolmentState, LocationKind
from projects.filters import DiscoveryFilter, filter_fields
from projects.models import Cohort, Project

PER_PAGE = 20

# Groups that are still to come or under way, shown with their dates and places.
CURRENT_STATES = frozenset(
    {
        CohortState.PLANNED,
        CohortState.OPEN,
        CohortState.CLOSED,
        CohortState.RUNNING,
        CohortState.HANDOVER,
    }
)


def _weeks(cohort: Cohort) -> int:
    # 32 to 70 days by the model's constraint: a start on Monday and an end on the Friday of
    # week five counts as five weeks.
    return round((cohort.ends_on - cohort.starts_on).days / 7)


def _place(project: Project | Card) -> str:
    """Where students work: Op Locatie, the partner's address, or the address given."""
    if project.location_kind == LocationKind.OP_LOCATIE:
        return str(LocationKind.OP_LOCATIE.label)
    if project.location:
        return project.location
    if project.location_kind == LocationKind.PARTNER:
        addresses = [o.address for o in project.public_organisations if o.address]
        if addresses:
            return addresses[0]
    return str(LocationKind(project.location_kind).label)


def _weekday_names(project: Project) -> list[str]:
    return [str(Weekday(day).label) for day in sorted(project.weekdays)]


class _CardWords:
    """The words of a card in the language of the request, translated once for the twenty
    cards of a page instead of once per card."""

    def __init__(self) -> None:
        self.level = _("Level")
        self.days = _("Days")
        self.place = _("Place")
        self.neighbourhood = _("Neighbourhood")
        self.next_group = _("Next group")
        self.places = _("Places")
        self.by_agreement = _("By agreement")
        self.no_group = _("No group open right now")
        self.closed = _("Registration closed")
        self.full = _("Full: you can join the waiting list")
        self.levels = {value: str(label) for value, label in CslLevel.choices}
        self.weekdays = {value: str(label) for value, label in Weekday.choices}


def _next_group_facts(card: Card, words: _CardWords, *, now: datetime) -> list[tuple[str, str]]:
    """The soonest open group: when it starts, how long it runs, and whether there is room."""
    if card.next_start is None:
        return [(words.next_group, words.no_group)]
    weeks = round((card.next_end - card.next_start).days / 7)
    starts = ngettext(
        "Starts %(day)s, %(weeks)s week", "Starts %(day)s, %(weeks)s weeks", weeks
    ) % {"day": date_format(card.next_start, "j F Y"), "weeks": weeks}
    if card.next_registration_closes_at <= now:
        # Still open until a coordinator closes it (see projects.services.next_open).
        places = words.closed
    elif card.next_registration_opens_at > now:
        opens = timezone.localtime(card.next_registration_opens_at)
        places = _("Registration opens %(day)s") % {"day": date_format(opens, "j F")}
    elif card.next_places_left:
        places = ngettext("%(left)s place left", "%(left)s places left", card.next_places_left) % {
            "left": card.next_places_left
        }
    else:
        places = words.full
    return [(words.next_group, starts), (words.places, places)]


def _with_card_facts(card: Card, words: _CardWords, *, now: datetime) -> Card:
    """Adds the facts a card shows, as (label, value) pairs: built here rather than in the
    template because a page has twenty cards and Python is much cheaper than template tags."""
    days = ", ".join(words.weekdays[day] for day in sorted(card.weekdays))
    card.facts = [
        (words.level, words.levels[card.csl_level]),
        (words.days, days or words.by_agreement),
        (words.place, _place(card)),
    ]
    if card.neighbourhood_name:
        card.facts.append((words.neighbourhood, card.neighbourhood_name))
    card.facts += _next_group_facts(card, words, now=now)
    return card


# Past the end a page shows the last one; beyond this no list goes, and the offset of
# this page still fits PostgreSQL's integers (a bigger number once gave a 500).
LAST_POSSIBLE_PAGE = 1_000_000


def _page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), LAST_POSSIBLE_PAGE)
    except ValueError:
        return 1


def _wants_results_only(request) -> bool:
    return request.headers.get("HX-Request") == "true" or request.GET.get("partial") == "1"


@require_safe
def project_list_view(request):
    """The discovery page: filters on the side, a page of cards, and the number found.

    With `HX-Request` or `?partial=1` only the results block is rendered (a template partial),
    for a client that swaps it in; without JavaScript the whole page reloads.
    """
    now = timezone.now()
    filterset = DiscoveryFilter(request.GET, queryset=selectors.projects_for_discovery(), now=now)
    is_filtered = any(
        value for key, value in request.GET.lists() if key not in {"page", "order", "partial"}
    )
    page = selectors.discovery_page(
        filterset.qs,
        ordering=filterset.ordering,
        number=_page_number(request.GET.get("page")),
        per_page=PER_PAGE,
        filtered=is_filtered,
        ranked=filterset.ranked,
    )
    words = _CardWords()
    projects = [_with_card_facts(card, words, now=now) for card in page.object_list]
    context = {
        "filter": filterset,
        "form": filterset.form,
        "filter_fields": filter_fields(filterset.form),
        "page_obj": page,
        "projects": projects,
        "search_text": filterset.search_text,
        "is_filtered": is_filtered,
    }
    template = "projects/discovery/list.html"
    if _wants_results_only(request):
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass
class CohortRow:
    """One group on the project page, with what the person looking can do."""

    cohort: Cohort
    weeks: int
    enrolment_state: str = ""
    waitlist_position: int | None = None


def _cohort_rows(cohorts: list[Cohort], user) -> list[CohortRow]:
    rows = [CohortRow(cohort=c, weeks=_weeks(c)) for c in cohorts]
    if user.is_authenticated and user.role == Role.STUDENT:
        mine = selectors.enrolments_of_student(
            student=user, cohort_ids=[row.cohort.pk for row in rows]
        )
        for row in rows:
            enrolment = mine.get(row.cohort.pk)
            if enrolment is not None:
                row.enrolment_state = enrolment.state
                if enrolment.state == EnrolmentState.WAITLISTED:
                    row.waitlist_position = enrolment.ahead + 1
    return rows


@require_safe
def project_detail_view(request, slug: str):
    """A project's page: what, where, when, for whom, its groups and how to join them."""
    try:
        project = selectors.project_for_page(slug=slug, now=timezone.now())
    except Project.DoesNotExist:
        raise Http404 from None
    current = [c for c in project.listed_cohorts if c.state in CURRENT_STATES]
    earlier = [c for c in project.listed_cohorts if c.state == CohortState.COMPLETED]
    context = {
        "project": project,
        "place": _place(project),
        "weekday_names": _weekday_names(project),
        "institution_kinds": [
            str(InstitutionKind(kind).label) for kind in project.institution_kinds
        ],
        "cohort_rows": _cohort_rows(current, request.user),
        "earlier_cohorts": earlier,
        "can_join": request.user.is_authenticated and request.user.role == Role.STUDENT,
    }
    return render(request, "projects/discovery/detail.html", context)
