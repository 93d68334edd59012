"""The shape every state machine here shares: which action moves which states where."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    """One allowed move. `by_coordinator` says which side may take it (coordinators or the
    people the object belongs to); `needs_message` that it must say why."""

    action: str
    sources: frozenset[str]
    target: str
    by_coordinator: bool = True
    needs_message: bool = False


def transitions_by_action(*transitions: Transition) -> dict[str, Transition]:
    return {transition.action: transition for transition in transitions}
