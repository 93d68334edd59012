"""Who may see a team and decide on applications (django-rules predicates)."""

import rules

from accounts.rules import is_coordinator
from projects.enums import EnrolmentState
from projects.services.enrolment import can_decide


@rules.predicate
def is_team_member(user, cohort) -> bool:
    if cohort is None or not user.is_authenticated:
        return False
    return cohort.enrolments.filter(student=user, state=EnrolmentState.MEMBER).exists()


@rules.predicate
def decides_for(user, cohort) -> bool:
    return cohort is not None and can_decide(user, cohort)


rules.add_perm("projects.view_team", is_team_member | decides_for | is_coordinator)
rules.add_perm("projects.decide_applications", decides_for)
