"""Which rows hold whose personal data, declared by the app that owns them.

Each app says in its own `privacy.py`, imported by its AppConfig.ready(), for every link from
one of its models to a person: which fields are personal, what the download shows of the rows,
and what erasure does with them. This module collects the declarations; the download
(`export.py`) and the erasure (`erasure.py`) are built from them alone, and
tests/accounts/test_privacy_registry.py fails for any link to a person that nobody declared.

A row is the person's when a declared link points at them: a foreign key path to their
account, an email field holding an address they have *verified*, or (for the few tables
without either, such as sessions) a declared tie. Nothing else is ever touched.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower


@dataclass(frozen=True)
class Person:
    """Whom a download or an erasure is about: the account and its verified addresses."""

    user_id: int
    verified_addresses: frozenset[str] = frozenset()


# --- What erasure does with the rows of one declaration -----------------------------------


@dataclass(frozen=True)
class Delete:
    """The rows go; the files in the named file fields go after commit."""

    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Blank:
    """The rows stay and the named fields take the given values (the person's own text)."""

    values: dict[str, Any]


@dataclass(frozen=True)
class Anonymise:
    """The rows stay and `apply(rows, context)` replaces what made them the person's."""

    apply: Callable[[QuerySet, "ErasureContext"], None]
    what: str


@dataclass(frozen=True)
class Keep:
    """The rows stay as they are, pointing at the anonymous account, for the reason given."""

    reason: str


Erase = Delete | Blank | Anonymise | Keep


# --- What the download shows of them --------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A part of the download: `rows(queryset)` turns the person's rows into JSON data.

    Several declarations may share a section whose rows are lists: they are joined in the
    order the declarations were made, or by the rows' `sort_key` when the section names one.
    """

    name: str
    rows: Callable[[QuerySet], Any]
    sort_key: str | None = None


@dataclass(frozen=True)
class InSection:
    """Shown as part of another declaration's section, which reads these rows itself."""

    name: str


@dataclass(frozen=True)
class NotInDownload:
    reason: str


Download = Section | InSection | NotInDownload


@dataclass(frozen=True)
class ErasureContext:
    """What an Anonymise step may need: the placeholders, and files to delete after commit."""

    person: Person
    erased_name: str
    erased_email: str
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PersonalData:
    """One link from a model to a person.

    `person` is the lookup from the model to the account's id ("student", "enrolment__student",
    "pk" for the account itself), or None for rows tied only by `address` or `tie`.
    `own` says the rows are the person's own (their enrolment, their address), not someone
    else's record that names them as the one who acted (a decision, a log line); links from
    other models to an own row must be declared too.
    """

    model: str
    person: str | None
    fields: tuple[str, ...]
    download: Download
    erase: Erase
    own: bool = True
    address: str | None = None
    tie: Callable[[QuerySet, Person], QuerySet] | None = None

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def link_field(self) -> str | None:
        """The first step of the path: the field of this model that the link runs through."""
        return self.person.split("__", 1)[0] if self.person else None

    def rows(self, person: Person) -> QuerySet:
        """The rows of this declaration that are the person's, and no others."""
        model = self.model_class
        rows = model._base_manager.all()
        if model._meta.proxy or not model._meta.managed:
            # A view over other tables (pghistory's): its rows are declared where they live.
            return rows.none()
        if self.tie is not None:
            return self.tie(rows, person)
        ties = Q()
        if self.person is not None:
            ties |= Q(**{self.person: person.user_id})
        if self.address is not None and person.verified_addresses:
            rows = rows.annotate(_privacy_address=Lower(self.address))
            ties |= Q(_privacy_address__in=sorted(person.verified_addresses))
        if not ties:
            return rows.none()
        return rows.filter(ties)


_declarations: list[PersonalData] = []


def register(*declarations: PersonalData) -> None:
    """Called from each app's privacy.py; the same declaration twice counts once."""
    for declaration in declarations:
        if declaration.person is None and declaration.address is None and not declaration.tie:
            raise ValueError(f"{declaration.model}: a declaration needs a person, address or tie")
        if declaration not in _declarations:
            _declarations.append(declaration)


def declarations() -> tuple[PersonalData, ...]:
    return tuple(_declarations)


def personal_models() -> set[str]:
    """Labels of the models whose rows are a person's own: links to them count as links
    to the person."""
    return {declaration.model for declaration in _declarations if declaration.own}


def declared_links() -> set[tuple[str, str]]:
    """(model label, field name) of every link the registry covers."""
    return {
        (declaration.model, declaration.link_field)
        for declaration in _declarations
        if declaration.link_field is not None
    }


def undeclared_links(all_models: Iterable[type[models.Model]] | None = None) -> list[str]:
    """Every foreign key and one-to-one field that points at the account or at a personal
    model without a declaration, as "app.Model.field". Many-to-many links are covered through
    their tables' two foreign keys."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415 (needs the app registry)

    targets = personal_models() | {get_user_model()._meta.label}
    covered = declared_links()
    missing = []
    for model in all_models or apps.get_models(include_auto_created=True):
        label = model._meta.label
        for model_field in model._meta.concrete_fields:
            related = model_field.related_model
            if related is None or (not model_field.many_to_one and not model_field.one_to_one):
                continue
            if related._meta.label in targets and (label, model_field.name) not in covered:
                missing.append(f"{label}.{model_field.name}")
    return sorted(missing)
