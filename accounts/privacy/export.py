"""Everything the platform holds about one person, as data that json.dumps takes as it is."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.db.models import Prefetch

from accounts.models import ResearcherProfile, StudentProfile, User
from events.models import FollowUp, Registration
from matching.models import Placement
from outbox.models import Message
from partners.models import ChallengeMessage, JoinRequest, Membership
from projects.models import (
    ApplicantRank,
    CohortPreference,
    Enrolment,
    HandoverDossierVersion,
    HoursEntry,
)

# Raised when an item is added or its shape changes, so a reader can tell downloads apart.
# 2: the institution accounts one can log in with.
FORMAT_VERSION = 2


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal) -> str:
    # A string keeps 1.5 hours exactly 1.5 in every JSON reader.
    return str(value)


def personal_data(user: User) -> dict[str, Any]:
    """The person's account, profile and everything they did or that was recorded about them.

    Reads only; a fixed number of queries whatever the amount of data.
    """
    person = User.objects.select_related(
        "student_profile__institution", "researcher_profile__institution"
    ).get(pk=user.pk)
    return {
        "format_version": FORMAT_VERSION,
        "account": {
            "name": person.name,
            "email": person.email,
            "role": person.role,
            "language": person.language,
            "date_joined": _when(person.date_joined),
            "last_login": _when(person.last_login),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=person).order_by("pk")
            ],
            # What the person logs in with at their institution, and what it told us when the
            # account was made. Never tokens: none are stored (settings.py).
            "institution_accounts": [
                {
                    "provider": account.provider,
                    "uid": account.uid,
                    "linked_at": _when(account.date_joined),
                    "last_login": _when(account.last_login),
                    "claims_kept": account.extra_data,
                }
                for account in SocialAccount.objects.filter(user=person).order_by("pk")
            ],
        },
        "profile": _profile(person),
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "role": membership.role,
                "since": _when(membership.created_at),
            }
            for membership in Membership.objects.filter(user=person).select_related("organisation")
        ],
        "join_requests": [
            {
                "organisation": request.organisation.name,
                "message": request.message,
                "status": request.status,
                "asked_at": _when(request.created_at),
            }
            for request in JoinRequest.objects.filter(user=person).select_related("organisation")
        ],
        "enrolments": _enrolments(person),
        "preferences": [
            {
                "project": preference.cohort.project.title,
                "group": preference.cohort.number,
                "rank": preference.rank,
                "given_at": _when(preference.created_at),
            }
            for preference in CohortPreference.objects.filter(student=person).select_related(
                "cohort__project"
            )
        ],
        "applicant_rankings": [
            {"project": rank.project.title, "rank": rank.rank, "ranked_at": _when(rank.ranked_at)}
            for rank in ApplicantRank.objects.filter(student=person).select_related("project")
        ],
        "event_registrations": _registrations(person),
        "messages": [
            {
                "subject": message.subject,
                "kind": message.kind,
                "status": message.status,
                "created_at": _when(message.created_at),
                "sent_at": _when(message.sent_at),
            }
            for message in Message.objects.filter(recipient=person).order_by("created_at", "pk")
        ],
        "allocation_placements": [
            {
                "allocation": _when(placement.run.created_at),
                "project": placement.cohort.project.title if placement.cohort else None,
                "group": placement.cohort.number if placement.cohort else None,
                "choice": placement.rank,
                "why_no_place": placement.unplaced_reason,
            }
            for placement in Placement.objects.filter(student=person)
            .select_related("run", "cohort__project")
            .order_by("run__created_at", "pk")
        ],
        "handover_versions_saved": [
            {
                "project": version.dossier.cohort.project.title,
                "group": version.dossier.cohort.number,
                "version": version.number,
                "saved_at": _when(version.saved_at),
                "content": version.content,
            }
            for version in HandoverDossierVersion.objects.filter(saved_by=person)
            .select_related("dossier__cohort__project")
            .order_by("saved_at", "pk")
        ],
        "challenge_messages": [
            {
                "challenge": message.challenge.title,
                "message": message.body,
                "sent_at": _when(message.created_at),
            }
            for message in ChallengeMessage.objects.filter(author=person).select_related(
                "challenge"
            )
        ],
    }


def _profile(person: User) -> dict[str, Any] | None:
    # Both profile themes are read every time, so the number of queries never depends on role.
    student_themes = [
        row.theme.name
        for row in StudentProfile.themes.through.objects.filter(studentprofile_id=person.pk)
        .select_related("theme")
        .order_by("theme__name")
    ]
    researcher_themes = [
        row.theme.name
        for row in ResearcherProfile.themes.through.objects.filter(researcherprofile_id=person.pk)
        .select_related("theme")
        .order_by("theme__name")
    ]
    student = getattr(person, "student_profile", None)
    if student is not None:
        return {
            "kind": "student",
            "institution": student.institution.name if student.institution else None,
            "programme": student.programme,
            "level": student.level,
            "study_year": student.study_year,
            "themes": student_themes,
            "languages": student.languages,
            "weekdays": student.weekdays,
        }
    researcher = getattr(person, "researcher_profile", None)
    if researcher is not None:
        return {
            "kind": "researcher",
            "institution": researcher.institution.name if researcher.institution else None,
            "position": researcher.position,
            "expertise": researcher.expertise,
            "themes": researcher_themes,
        }
    return None


def _enrolments(person: User) -> list[dict[str, Any]]:
    enrolments = (
        Enrolment.objects.filter(student=person)
        .select_related("cohort__project", "reflection")
        .prefetch_related(Prefetch("hours", HoursEntry.objects.order_by("worked_on", "pk")))
        .order_by("created_at", "pk")
    )
    rows = []
    for enrolment in enrolments:
        reflection = getattr(enrolment, "reflection", None)
        rows.append(
            {
                "project": enrolment.cohort.project.title,
                "group": enrolment.cohort.number,
                "starts_on": _when(enrolment.cohort.starts_on),
                "ends_on": _when(enrolment.cohort.ends_on),
                "state": enrolment.state,
                "motivation": enrolment.motivation,
                "vog_confirmed": enrolment.vog_confirmed,
                "enrolled_at": _when(enrolment.created_at),
                "reflection": {
                    "learned": reflection.learned,
                    "contribution": reflection.contribution,
                    "next_time": reflection.next_time,
                    "written_at": _when(reflection.submitted_at),
                }
                if reflection is not None
                else None,
                "hours": [
                    {
                        "date": _when(entry.worked_on),
                        "hours": _number(entry.hours),
                        "description": entry.description,
                        "state": entry.state,
                        "why_disputed": entry.dispute_note,
                    }
                    for entry in enrolment.hours.all()
                ],
            }
        )
    return rows


def _registrations(person: User) -> list[dict[str, Any]]:
    wished = Registration.objects.select_related("person").order_by("pk")
    registrations = (
        Registration.objects.filter(person=person)
        .select_related("event")
        .prefetch_related(
            "themes",
            Prefetch("wants_to_meet", wished),
            Prefetch("rather_not_meet", wished),
            Prefetch(
                "follow_ups",
                FollowUp.objects.select_related(
                    "with_person", "challenge", "project", "meeting"
                ).order_by("created_at", "pk"),
            ),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "event": registration.event.title,
            "starts_at": _when(registration.event.starts_at),
            "came_as": registration.role_at_event,
            "state": registration.state,
            "brings": registration.brings,
            "seeks": registration.seeks,
            "themes": sorted(theme.name for theme in registration.themes.all()),
            "listed": registration.listed,
            "wants_to_meet": [other.person.name for other in registration.wants_to_meet.all()],
            "rather_not_meet": [other.person.name for other in registration.rather_not_meet.all()],
            "checked_in_at": _when(registration.checked_in_at),
            "follow_ups": [
                {
                    "round": follow_up.meeting.round,
                    "with": follow_up.with_person.name if follow_up.with_person else None,
                    "planned_on": _when(follow_up.planned_on),
                    "note": follow_up.note,
                    "challenge": follow_up.challenge.title if follow_up.challenge else None,
                    "project": follow_up.project.title if follow_up.project else None,
                }
                for follow_up in registration.follow_ups.all()
            ],
        }
        for registration in registrations
    ]
