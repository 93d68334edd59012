"""Predicates about people, shared by every app's rules (the `rules` package)."""

import rules


@rules.predicate
def is_coordinator(user) -> bool:
    """Leren met de Stad staff: staff accounts with the coordinator role, still active."""
    return bool(user.is_authenticated and user.is_active and user.is_coordinator)
