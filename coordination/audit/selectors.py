"""Reading the audit trail: which rows, and how to say them in plain words."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pghistory.models import MiddlewareEvents

from accounts.models import User
from coordination.audit.models import (
    TRACKED_FIELDS,
    ChallengeAudit,
    CohortAudit,
    EnrolmentAudit,
    EventAudit,
    RegistrationAudit,
)
from projects.models import Cohort


@dataclass(frozen=True)
class AuditKind:
    """One kind of object in the audit trail."""

    key: str
    label: Promise
    event_model: type[models.Model]

    @property
    def tracked(self) -> type[models.Model]:
        return self.event_model.pgh_tracked_model


# The keys appear in the page's address (?soort=groep), so they are Dutch like our URLs.
KINDS: dict[str, AuditKind] = {
    kind.key: kind
    for kind in (
        AuditKind("vraagstuk", _("Challenge"), ChallengeAudit),
        AuditKind("groep", _("Group"), CohortAudit),
        AuditKind("inschrijving", _("Enrolment"), EnrolmentAudit),
        AuditKind("meet-and-match", _("Meet & Match"), EventAudit),
        AuditKind("aanmelding", _("Registration for a Meet & Match"), RegistrationAudit),
    )
}
_KIND_BY_LABEL = {kind.event_model._meta.label: kind for kind in KINDS.values()}

ACTIONS = {
    "insert": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
}


@dataclass
class Change:
    """One field of one object, from one value to another, in words."""

    label: str
    old: str
    new: str


@dataclass
class AuditLine:
    """One row of the audit page: when, who, what object, what changed."""

    when: datetime
    actor: User | None
    # A change made outside a web request: a Celery job, the lifecycle, a management command.
    by_platform: bool
    kind: AuditKind
    object_id: int
    object_name: str
    object_admin_url: str
    action: str
    changes: list[Change] = field(default_factory=list)


def audit_events(
    *, kind: str = "", object_id: int | None = None, person: str = ""
) -> QuerySet[MiddlewareEvents]:
    """Every recorded change, newest first, narrowed by kind, object number and actor.

    `person` matches part of the actor's name or e-mail address.
    """
    chosen = [KINDS[kind]] if kind in KINDS else list(KINDS.values())
    events = MiddlewareEvents.objects.across(*(k.event_model for k in chosen))
    if object_id is not None:
        events = events.filter(pgh_obj_id=str(object_id))
    if person:
        actors = User.objects.filter(Q(name__icontains=person) | Q(email__icontains=person))
        events = events.filter(user__in=actors.values("pk"))
    # One transaction writes many events with the same time; the event id keeps their order.
    return events.order_by("-pgh_created_at", "-pgh_id")


def audit_lines(events: list[MiddlewareEvents]) -> list[AuditLine]:
    """Turn recorded events into lines, with one query per kind of related object named."""
    names = _Names()
    for event in events:
        kind = _KIND_BY_LABEL[event.pgh_model]
        names.want(User, event.user_id)
        for name in TRACKED_FIELDS[kind.tracked]:
            model_field = kind.tracked._meta.get_field(name)
            if model_field.is_relation:
                names.want(
                    model_field.related_model, (event.pgh_data or {}).get(model_field.column)
                )
                for value in (event.pgh_diff or {}).get(model_field.column, []):
                    names.want(model_field.related_model, value)
    names.load()

    lines = []
    for event in events:
        kind = _KIND_BY_LABEL[event.pgh_model]
        data = event.pgh_data or {}
        object_id = int(event.pgh_obj_id)
        lines.append(
            AuditLine(
                when=event.pgh_created_at,
                actor=names.get(User, event.user_id),
                by_platform=event.pgh_context is None,
                kind=kind,
                object_id=object_id,
                object_name=_object_name(kind, data, object_id, names),
                object_admin_url=_admin_url(kind, object_id, event.pgh_label),
                action=str(ACTIONS.get(event.pgh_label, event.pgh_label)),
                changes=_changes(kind, event, names),
            )
        )
    return lines


class _Names:
    """Related objects named on one page, fetched with one query per model."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        self._found: dict[type[models.Model], dict[int, models.Model]] = {}

    def want(self, model: type[models.Model], pk: Any) -> None:
        if pk is not None:
            self._wanted[model].add(int(pk))

    def load(self) -> None:
        for model, pks in self._wanted.items():
            queryset = model._default_manager.all()
            if model is Cohort:
                queryset = queryset.select_related("project")
            self._found[model] = queryset.in_bulk(pks)

    def get(self, model: type[models.Model], pk: Any) -> Any:
        if pk is None:
            return None
        return self._found.get(model, {}).get(int(pk))

    def name(self, model: type[models.Model], pk: Any) -> str:
        if pk is None:
            return "—"
        found = self.get(model, pk)
        # A deleted object keeps its number in the history, not its name.
        return str(found) if found is not None else f"#{pk}"


def _object_name(kind: AuditKind, data: dict, object_id: int, names: _Names) -> str:
    tracked = kind.tracked
    if tracked is Cohort:
        project = names.get(Cohort._meta.get_field("project").related_model, data.get("project_id"))
        title = project.title if project is not None else f"#{data.get('project_id')}"
        return f"{title} · {data.get('number')}"
    if "title" in data:
        return str(data["title"])
    parts = [
        names.name(tracked._meta.get_field(name).related_model, data.get(f"{name}_id"))
        for name in ("student", "cohort", "person", "event")
        if f"{name}_id" in data
    ]
    return " · ".join(parts) if parts else f"#{object_id}"


def _admin_url(kind: AuditKind, object_id: int, label: str) -> str:
    if label == "delete":
        return ""
    meta = kind.tracked._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[object_id])
    except NoReverseMatch:
        return ""


def _changes(kind: AuditKind, event: MiddlewareEvents, names: _Names) -> list[Change]:
    """What changed; a new object shows its state, a deleted one nothing."""
    fields = [kind.tracked._meta.get_field(name) for name in TRACKED_FIELDS[kind.tracked]]
    if event.pgh_label == "insert":
        data = event.pgh_data or {}
        return [
            Change(label=_label(f), old="", new=_plain(f, data.get(f.column), names))
            for f in fields
            if f.name == "state" and f.column in data
        ]
    diff = event.pgh_diff or {}
    return [
        Change(
            label=_label(f),
            old=_plain(f, diff[f.column][0], names),
            new=_plain(f, diff[f.column][1], names),
        )
        for f in fields
        if f.column in diff and event.pgh_label == "update"
    ]


def _label(model_field: models.Field) -> str:
    text = str(model_field.verbose_name)
    return text[:1].upper() + text[1:]


def _plain(model_field: models.Field, value: Any, names: _Names) -> str:
    """A stored value as a person would say it."""
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return names.name(model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    return _moment(model_field, str(value))


def _moment(model_field: models.Field, value: str) -> str:
    """Dates and times as the reader's language writes them; anything else as stored."""
    if isinstance(model_field, models.DateTimeField):
        moment = parse_datetime(value)
        if moment is not None:
            return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    elif isinstance(model_field, models.DateField):
        day = parse_date(value)
        if day is not None:
            return formats.date_format(day, "DATE_FORMAT")
    return value
