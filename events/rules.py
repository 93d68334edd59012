"""Who may see and do what with Meet & Match events (django-rules predicates).

Not named view_* or change_*: those are Django's own model permissions, which the admin grants
to staff, and a rule must not be widened by them.
"""

import rules

from accounts.rules import is_coordinator
from events.enums import EventState
from events.selectors import ACTIVE_REGISTRATION_STATES


@rules.predicate
def is_registrant(user, event) -> bool:
    """Registered or on the waiting list: the people who may see the participant list."""
    if event is None or not user.is_authenticated:
        return False
    return event.registrations.filter(person=user, state__in=ACTIVE_REGISTRATION_STATES).exists()


@rules.predicate
def is_public(user, event) -> bool:
    return event is not None and event.state != EventState.DRAFT


rules.add_perm("events.see_event", is_public | is_coordinator)
rules.add_perm("events.see_participants", is_registrant | is_coordinator)
rules.add_perm("events.check_in", is_coordinator)
rules.add_perm("events.manage_event", is_coordinator)
