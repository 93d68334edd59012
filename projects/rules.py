"""Who may see a team and decide on applications (django-rules predicates)."""

import rules

from accounts.enums import Role
from accounts.rules import is_coordinator
from projects.enums import DOSSIER_EDITABLE_STATES, DossierState, EnrolmentState


@rules.predicate
def is_team_member(user, cohort) -> bool:
    if cohort is None or not user.is_authenticated:
        return False
    return cohort.enrolments.filter(student=user, state=EnrolmentState.MEMBER).exists()


@rules.predicate
def decides_for(user, cohort) -> bool:
    return cohort is not None and decides_for_project(user, cohort.project)


@rules.predicate
def decides_for_project(user, project) -> bool:
    """Lecturers of the project, members of its partner organisations, and coordinators: they
    decide on applications and rank applicants, for every cohort of the project."""
    if project is None or not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    return (
        project.lecturers.filter(pk=user.pk).exists()
        or project.organisations.filter(memberships__user=user).exists()
    )


rules.add_perm("projects.view_team", is_team_member | decides_for | is_coordinator)
rules.add_perm("projects.decide_applications", decides_for)
rules.add_perm("projects.rank_applicants", decides_for_project)


# --- Reciprocity: reflections, hours, partner feedback and the to-do list ---------------------


@rules.predicate
def is_student_account(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == "student")


@rules.predicate
def has_todo_list(user) -> bool:
    """Partner members, researchers (who lecture projects) and coordinators."""
    roles = ("partner", "researcher", "coordinator")
    return bool(user.is_authenticated and user.is_active and user.role in roles)


rules.add_perm("projects.view_todo", has_todo_list)
rules.add_perm("projects.view_csl_record", is_student_account)


# --- Handover dossiers ------------------------------------------------------------------------
# The object is a HandoverDossier (saved or not yet) whose cohort and project are loaded with it.
# The team wrote it; those who guide the project (its lecturers, the members of its partner
# organisations, coordinators) read it and decide on it; the students of a later group of the
# same project read it once it is approved, so they start where the last group stopped.

# A group's students once it is under way: members, and members whose group has completed.
HANDOVER_TEAM_STATES = (EnrolmentState.MEMBER, EnrolmentState.COMPLETED)


@rules.predicate
def is_dossier_team_member(user, dossier) -> bool:
    if dossier is None or not user.is_authenticated:
        return False
    return user.enrolments.filter(
        cohort_id=dossier.cohort_id, state__in=HANDOVER_TEAM_STATES
    ).exists()


@rules.predicate
def guides_dossier(user, dossier) -> bool:
    return dossier is not None and decides_for_project(user, dossier.cohort.project)


@rules.predicate
def is_later_team_member(user, dossier) -> bool:
    """A student of a group of the same project that starts after this one, once approved."""
    if dossier is None or not user.is_authenticated or dossier.state != DossierState.APPROVED:
        return False
    cohort = dossier.cohort
    return user.enrolments.filter(
        cohort__project_id=cohort.project_id,
        cohort__starts_on__gt=cohort.starts_on,
        state__in=HANDOVER_TEAM_STATES,
    ).exists()


@rules.predicate
def is_dossier_editable(user, dossier) -> bool:
    return dossier is not None and dossier.state in DOSSIER_EDITABLE_STATES


@rules.predicate
def is_student(user) -> bool:
    return bool(user.is_authenticated and user.role == Role.STUDENT)


# Never the team itself, nor any student: the approval is the other side's word on the work.
may_decide_handover = ~is_student & guides_dossier & ~is_dossier_team_member
may_view_handover = is_dossier_team_member | guides_dossier | is_later_team_member


@rules.predicate
def may_download_product(user, product) -> bool:
    """A public product of an approved dossier is anyone's; the rest, the dossier's readers'."""
    if product is None:
        return False
    dossier = product.dossier
    if product.public and dossier.state == DossierState.APPROVED:
        return True
    return may_view_handover(user, dossier)


rules.add_perm("projects.view_handover", may_view_handover)
# Drafts before approval may hold what a reviewer asked to take out: not for later groups.
rules.add_perm("projects.view_handover_history", is_dossier_team_member | guides_dossier)
rules.add_perm("projects.edit_handover", is_dossier_team_member & is_dossier_editable)
rules.add_perm("projects.decide_handover", may_decide_handover)
rules.add_perm("projects.download_handover_product", may_download_product)
