"""The challenge state machine: the one place that allows or refuses a transition.

Every transition locks the challenge row, checks its guard against the locked state,
saves with update_fields, writes a log entry and queues one mail per person concerned
in the same transaction, so a transition and its mails exist together or not at all.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import is_coordinator
from lerenmetdestad.locking import lock_rows, race_window
from lerenmetdestad.transitions import Transition, transitions_by_action
from partners.enums import ChallengeAction, ChallengeState
from partners.load import challenge_budget_check
from partners.models import Challenge, ChallengeLogEntry, ChallengeMessage
from partners.rules import is_challenge_member
from partners.services.errors import BudgetExceededError, ChallengeError
from partners.services.notifications import challenge_notify

S = ChallengeState
A = ChallengeAction


# No transition leads out of these, so nothing more is done with the question.
ENDED_STATES = frozenset({S.CLOSED, S.DECLINED})
RESIDENT_FIELDS = ("resident_name", "resident_phone", "resident_email")

TRANSITIONS: dict[str, Transition] = transitions_by_action(
    Transition(A.SUBMIT, frozenset({S.DRAFT}), S.SUBMITTED, by_coordinator=False),
    Transition(A.RESUBMIT, frozenset({S.NEEDS_INFO}), S.SUBMITTED, by_coordinator=False),
    Transition(A.TAKE_IN_REVIEW, frozenset({S.SUBMITTED}), S.IN_REVIEW, by_coordinator=True),
    Transition(A.ACCEPT, frozenset({S.SUBMITTED, S.IN_REVIEW}), S.ACCEPTED, by_coordinator=True),
    Transition(
        A.DECLINE,
        frozenset({S.SUBMITTED, S.IN_REVIEW}),
        S.DECLINED,
        by_coordinator=True,
        needs_message=True,
    ),
    Transition(
        A.ASK_INFO,
        frozenset({S.SUBMITTED, S.IN_REVIEW}),
        S.NEEDS_INFO,
        by_coordinator=True,
        needs_message=True,
    ),
    Transition(A.START, frozenset({S.ACCEPTED}), S.IN_PROGRESS, by_coordinator=True),
    Transition(A.CLOSE, frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.CLOSED, by_coordinator=True),
)


def allowed_actions(challenge: Challenge, *, coordinator: bool) -> list[ChallengeAction]:
    """The transitions this side may take from the challenge's current state."""
    return [
        t.action
        for t in TRANSITIONS.values()
        if challenge.state in t.sources and t.by_coordinator == coordinator
    ]


def challenge_transition(
    *,
    challenge_id: int,
    action: ChallengeAction,
    actor: User,
    message: str = "",
    override_reason: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Challenge:
    """Move a challenge through one transition, or raise ChallengeError saying why not.

    `expected_version` comes from the form the person saw: if the challenge changed since,
    the transition is refused instead of acting on a state they did not see.
    Side effects: a log entry (two when a budget is overridden), the message in the
    conversation for decline and ask-info, and after commit one mail per person concerned.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ChallengeError(_("This action does not exist."))
    message = message.strip()
    override_reason = override_reason.strip()
    if transition.needs_message and not message:
        raise ChallengeError(_("Please write a message to the organisation: it is required here."))
    now = now or timezone.now()

    with transaction.atomic():
        challenge = lock_rows(Challenge.objects.select_related("organisation")).get(pk=challenge_id)
        _check_actor(challenge, transition, actor)
        if expected_version is not None and challenge.version != expected_version:
            raise ChallengeError(
                _(
                    "Someone else changed this challenge in the meantime. It is now: "
                    "%(state)s. Look at it again before you go on."
                )
                % {"state": challenge.get_state_display()}
            )
        if challenge.state not in transition.sources:
            raise ChallengeError(
                _("This cannot be done now: the challenge is %(state)s.")
                % {"state": challenge.get_state_display()}
            )
        if action in (A.SUBMIT, A.RESUBMIT):
            _check_complete(challenge)
        over: list[str] = []
        if action == A.ACCEPT:
            over = _check_acceptable(challenge, override_reason=override_reason, today=now.date())
        race_window()

        from_state = challenge.state
        challenge.state = transition.target
        challenge.state_changed_at = now
        challenge.version += 1
        fields = ["state", "state_changed_at", "version"]
        if challenge.submitted_at is None and transition.target == S.SUBMITTED:
            challenge.submitted_at = now
            fields.append("submitted_at")
        if action in (A.DECLINE, A.ACCEPT):
            challenge.decision_reason = message
            fields.append("decision_reason")
        if transition.target in ENDED_STATES:
            # A resident's details are kept only while their question is being worked on.
            fields += _forget_resident(challenge)
        challenge.save(update_fields=fields)

        entry = ChallengeLogEntry.objects.create(
            challenge=challenge,
            actor=actor,
            action=action,
            from_state=from_state,
            to_state=challenge.state,
            message=message,
            created_at=now,
        )
        if over:
            ChallengeLogEntry.objects.create(
                challenge=challenge,
                actor=actor,
                action=A.BUDGET_OVERRIDE,
                from_state=from_state,
                to_state=challenge.state,
                message=override_reason,
                data={"over": over},
                created_at=now,
            )
        if message and action in (A.DECLINE, A.ASK_INFO):
            ChallengeMessage.objects.create(
                challenge=challenge, author=actor, body=message, created_at=now
            )
        challenge_notify(challenge=challenge, entry=entry)
    return challenge


def _forget_resident(challenge: Challenge) -> list[str]:
    for name in RESIDENT_FIELDS:
        setattr(challenge, name, "")
    return list(RESIDENT_FIELDS)


def _check_actor(challenge: Challenge, transition: Transition, actor: User) -> None:
    if transition.by_coordinator:
        if not is_coordinator(actor):
            raise ChallengeError(_("Only coordinators can do this."))
    elif not is_challenge_member(actor, challenge):
        raise ChallengeError(_("Only members of the organisation can do this."))


def _check_complete(challenge: Challenge) -> None:
    missing = []
    if not (
        challenge.is_societal and challenge.is_non_commercial and challenge.has_no_consultant_budget
    ):
        missing.append(_("confirm all three points of the checklist"))
    if not challenge.question.strip():
        missing.append(_("write the question"))
    if not challenge.themes.exists():
        missing.append(_("choose at least one theme"))
    if not (challenge.contact_name and challenge.contact_email):
        missing.append(_("name a contact person with an email address"))
    if missing:
        raise ChallengeError(
            _("Before you submit, please: %(todo)s.") % {"todo": "; ".join(str(m) for m in missing)}
        )


def _check_acceptable(challenge: Challenge, *, override_reason: str, today) -> list[str]:
    if not challenge.organisation.is_verified:
        raise ChallengeError(
            _("Verify the organisation %(name)s first.") % {"name": challenge.organisation.name}
        )
    over = challenge_budget_check(challenge, today=today).exceeded
    if over and not override_reason:
        raise BudgetExceededError(
            _("Accepting goes over a budget (%(over)s). Give a reason to accept anyway.")
            % {"over": ", ".join(over)},
            over=over,
        )
    return over
