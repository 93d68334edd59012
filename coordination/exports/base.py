"""The building blocks of an export: its columns, its filters and the definition itself."""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext

from partners.models import Neighbourhood, Theme
from projects.models import AcademicPeriod

# What a cell may hold: tablib writes these as text to CSV and as typed cells to Excel.
type Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Column:
    heading: Promise
    value: Callable[[Any], Cell]


@dataclass(frozen=True)
class ExportFilters:
    """What to export: the rows selected in the admin (ids), or the dashboard's filters.

    Each is optional; the dashboard's period, theme and neighbourhood mean for each export
    what they mean for the dashboard's figures (coordination/selectors.py).
    """

    ids: frozenset[int] | None = None
    period: AcademicPeriod | None = None
    theme: Theme | None = None
    neighbourhood: Neighbourhood | None = None


class Export(ABC):
    """One export: the model it reads, its columns, and how the dashboard's filters apply.

    `records` turns the queryset into what the columns read, one record per row of the
    file; most exports have one row per object, the groups one per student on the roster.
    """

    kind: str  # the Dutch name in the URL: /coordinatie/export/<kind>.csv
    title: Promise
    columns: tuple[Column, ...]
    theme_lookup: str | None = None
    neighbourhood_lookup: str | None = None

    @abstractmethod
    def queryset(self) -> QuerySet:
        """Every row this export can hold, with what its columns read joined in."""

    @abstractmethod
    def in_period(self, queryset: QuerySet, period: AcademicPeriod) -> QuerySet:
        """The rows that belong to an academic period, as the dashboard counts them."""

    def records(self, queryset: QuerySet) -> Iterable[Any]:
        return queryset

    def narrow(self, queryset: QuerySet, filters: ExportFilters) -> QuerySet:
        if filters.ids is not None:
            queryset = queryset.filter(pk__in=filters.ids)
        if filters.period is not None:
            queryset = self.in_period(queryset, filters.period)
        if filters.theme is not None and self.theme_lookup:
            queryset = queryset.filter(**{self.theme_lookup: filters.theme})
        if filters.neighbourhood is not None and self.neighbourhood_lookup:
            queryset = queryset.filter(**{self.neighbourhood_lookup: filters.neighbourhood})
        return queryset


def names(objects: Iterable[Model]) -> str:
    return ", ".join(str(item) for item in objects)


def yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")
