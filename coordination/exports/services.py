"""Who may export what, and the files themselves."""

import re
from dataclasses import dataclass

import tablib
from django.utils.translation import gettext

from accounts.rules import is_coordinator
from coordination.exports.base import Cell, ExportFilters
from coordination.exports.definitions import EXPORTS

# The formats a coordinator can choose, with their content type.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Control characters other than tab, newline and carriage return: Excel files cannot hold
# them (openpyxl refuses the cell), and in a CSV file they only confuse.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """An export cannot be made; the message says why, for the user."""


class ExportRefusedError(ExportError):
    """The person asking may not export (everyone but coordinators)."""


class UnknownExportError(ExportError):
    """No export has this name."""


@dataclass(frozen=True)
class ExportTable:
    kind: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def export_rows(kind: str, *, actor, filters: ExportFilters | None = None) -> ExportTable:
    """The heading row and the rows of one export, in the active language.

    Coordinators only (ExportRefusedError for anyone else); every coordinator sees every row, as
    in the admin. Raises UnknownExportError for a kind that does not exist. Reads the rows in a
    fixed number of queries, however many there are.
    """
    if not is_coordinator(actor):
        raise ExportRefusedError(gettext("Only coordinators can export."))
    export = EXPORTS.get(kind)
    if export is None:
        raise UnknownExportError(gettext("There is no such export."))
    queryset = export.narrow(export.queryset(), filters or ExportFilters())
    return ExportTable(
        kind=kind,
        title=str(export.title),
        headers=[str(column.heading) for column in export.columns],
        rows=[
            [defuse(column.value(record)) for column in export.columns]
            for record in export.records(queryset)
        ],
    )


def export_file(table: ExportTable, *, file_format: str) -> bytes:
    """The table as a CSV file (UTF-8 with a byte order mark, so spreadsheet programs read
    accents right) or as an Excel workbook with one sheet."""
    if file_format not in CONTENT_TYPES:
        raise UnknownExportError(gettext("There is no such export."))
    dataset = tablib.Dataset(*table.rows, headers=table.headers, title=table.title)
    if file_format == "csv":
        return ("\ufeff" + dataset.export("csv")).encode("utf-8")
    return dataset.export("xlsx")


def defuse(cell: Cell) -> Cell:
    """Text typed by people that starts with = + - @ (or a tab or carriage return) would run
    as a formula in a spreadsheet, so it gets a leading apostrophe, in both formats
    (OWASP's advice on CSV injection; the admin's roster export does the same)."""
    if not isinstance(cell, str):
        return cell
    cell = CONTROL_CHARACTERS.sub("", cell)
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
