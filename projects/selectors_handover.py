"""Reading handover dossiers: their public part, and the links to them from a team's pages.

public_handovers is what anyone may see of an approved dossier (the public summary and the
products marked public) and reads nothing else; the project page shows it, and so will the
public knowledge of completed projects.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse

from accounts.models import User
from projects.enums import DossierState
from projects.models import Cohort, Enrolment, HandoverDossier, HandoverProduct
from projects.rules import HANDOVER_TEAM_STATES
from projects.services.handover import DOSSIER_COHORT_STATES


@dataclass(frozen=True)
class PublicProduct:
    title: str
    href: str
    is_file: bool


@dataclass(frozen=True)
class PublicHandover:
    """The public part of one approved dossier."""

    project_id: int
    cohort_id: int
    cohort_number: int
    starts_on: date
    ends_on: date
    summary: str
    products: list[PublicProduct] = field(default_factory=list)


def product_href(product: HandoverProduct, cohort_id: int) -> str:
    """Where a product opens: its link, or the download view that checks who asks."""
    if product.url:
        return product.url
    return reverse("projects:handover_product_file", args=[cohort_id, product.pk])


def public_handovers(project_ids: Iterable[int]) -> dict[int, list[PublicHandover]]:
    """{project id: the public part of its approved dossiers, latest group first}.

    Two queries whatever the number of projects; dossiers with nothing public are left out.
    """
    dossiers = (
        HandoverDossier.objects.filter(
            cohort__project_id__in=list(project_ids), state=DossierState.APPROVED
        )
        # Only the public columns leave the database.
        .only(
            "pk",
            "public_summary",
            "cohort__id",
            "cohort__project_id",
            "cohort__number",
            "cohort__starts_on",
            "cohort__ends_on",
        )
        .select_related("cohort")
        .prefetch_related(
            Prefetch(
                "products",
                queryset=HandoverProduct.objects.filter(public=True)
                .only("pk", "dossier_id", "title", "url", "file")
                .order_by("added_at", "pk"),
                to_attr="public_products",
            )
        )
        .order_by("cohort__project_id", "-cohort__starts_on", "-cohort_id")
    )
    found: dict[int, list[PublicHandover]] = {}
    for dossier in dossiers:
        if not dossier.public_summary.strip() and not dossier.public_products:
            continue
        cohort = dossier.cohort
        found.setdefault(cohort.project_id, []).append(
            PublicHandover(
                project_id=cohort.project_id,
                cohort_id=cohort.pk,
                cohort_number=cohort.number,
                starts_on=cohort.starts_on,
                ends_on=cohort.ends_on,
                summary=dossier.public_summary,
                products=[
                    PublicProduct(
                        title=product.title,
                        href=product_href(product, cohort.pk),
                        is_file=not product.url,
                    )
                    for product in dossier.public_products
                ],
            )
        )
    return found


@dataclass(frozen=True)
class HandoverLink:
    """A dossier a team member can open: their own group's, or an approved earlier one."""

    cohort_id: int
    project_title: str
    cohort_number: int
    starts_on: date
    state_label: str
    own: bool

    @property
    def url(self) -> str:
        return reverse("projects:handover", args=[self.cohort_id])


def _link(cohort: Cohort, dossier: HandoverDossier | None, *, own: bool) -> HandoverLink:
    return HandoverLink(
        cohort_id=cohort.pk,
        project_title=cohort.project.title,
        cohort_number=cohort.number,
        starts_on=cohort.starts_on,
        state_label=(dossier or HandoverDossier()).get_state_display(),
        own=own,
    )


def handover_links_for_cohort(cohort: Cohort) -> list[HandoverLink]:
    """For a team page: the group's own dossier once it runs, then the approved dossiers of
    earlier groups of the project, latest first. One query.

    Everyone who may see a team page may open these: the team reads earlier approved
    dossiers, and the project's guides read every dossier.
    """
    dossiers = {
        dossier.cohort_id: dossier
        for dossier in HandoverDossier.objects.filter(
            Q(cohort=cohort)
            | Q(
                cohort__project_id=cohort.project_id,
                cohort__starts_on__lt=cohort.starts_on,
                state=DossierState.APPROVED,
            )
        )
        .select_related("cohort__project")
        .order_by("-cohort__starts_on", "-cohort_id")
    }
    links = []
    if cohort.state in DOSSIER_COHORT_STATES:
        links.append(_link(cohort, dossiers.pop(cohort.pk, None), own=True))
    links += [_link(d.cohort, d, own=False) for d in dossiers.values() if d.cohort_id != cohort.pk]
    return links


def handover_links_for_student(student: User) -> list[HandoverLink]:
    """For "My projects": the dossiers of the student's own groups that run or ran, then the
    approved dossiers of groups of the same projects that started before the student's
    latest group there. One query, whatever the number of groups."""
    if not student.is_authenticated:
        return []
    team = Enrolment.objects.filter(student=student, state__in=HANDOVER_TEAM_STATES)
    cohorts = list(
        Cohort.objects.filter(project__in=team.values("cohort__project_id"))
        .annotate(mine=Exists(team.filter(cohort_id=OuterRef("pk"))))
        .filter(Q(mine=True) | Q(handover__state=DossierState.APPROVED))
        .select_related("project", "handover")
        .order_by("-starts_on", "-pk")
    )
    latest_start: dict[int, date] = {}
    for cohort in cohorts:
        if cohort.mine:
            latest_start[cohort.project_id] = max(
                latest_start.get(cohort.project_id, cohort.starts_on), cohort.starts_on
            )
    own = [
        _link(cohort, _dossier_of(cohort), own=True)
        for cohort in cohorts
        if cohort.mine and cohort.state in DOSSIER_COHORT_STATES
    ]
    inherited = [
        _link(cohort, _dossier_of(cohort), own=False)
        for cohort in cohorts
        if not cohort.mine and cohort.starts_on < latest_start[cohort.project_id]
    ]
    return own + inherited


def _dossier_of(cohort: Cohort) -> HandoverDossier | None:
    try:
        return cohort.handover
    except HandoverDossier.DoesNotExist:
        return None
