"""Who may do what with mail, as predicates (the `rules` package, checked via has_perm)."""

import rules

from accounts.rules import is_coordinator

# The Coordinators group only gets view permission on the outbox, because nobody edits a
# mail (accounts/roles.py). Resending is not editing: coordinators may, and a superuser can
# grant the model permission to other staff.
rules.add_perm("outbox.resend_message", is_coordinator)
