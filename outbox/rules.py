"""Who may do what with mail, as predicates (the `rules` package, checked via has_perm)."""

import rules


@rules.predicate
def is_coordinator(user) -> bool:
    return bool(user.is_active and getattr(user, "is_coordinator", False))


# The Coordinators group only gets view permission on the outbox, because nobody edits a
# mail (accounts/roles.py). Resending is not editing: coordinators may, and a superuser can
# grant the model permission to other staff.
rules.add_perm("outbox.resend_message", is_coordinator)
