"""Phonebook CSV files: the columns, reading an import (every row checked) and writing an export.

The columns are the export's: name, mobile, one per custom field (by its name), groups (names
separated by «،» or ","). Titles are recognised in Persian or English whatever the page's
language, so a file exported in one opens in the other. Files come as UTF-8 (with or without
BOM), UTF-16 (Excel's "Unicode text"), or Windows-1256 (what Persian Excel writes as "CSV");
comma, semicolon and tab separate cells. Rows are numbered as a spreadsheet shows them (the
title row is row 1) and every problem is reported with its row and column.

Cells starting with ``= + - @`` are written with a leading apostrophe so Excel shows them
instead of running them as formulas; reading takes the apostrophe off again.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from payamak.errors import DomainError
from payamak.i18n import gettext, localize_digits
from payamak.i18n import lazy_gettext as _
from payamak.messaging.numbers import InvalidNumber, normalise
from payamak_phonebook.fields import FieldValueError, clean_text, parse_value
from payamak_phonebook.search import fold

MAX_UPLOAD = 20 * 1024 * 1024
MAX_REPORTED = 100
BOM = "\ufeff"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_GROUP_SPLIT = re.compile(r"[,،]")

NAME_TITLES = {fold(t) for t in ("name", "full name", "نام", "نام مخاطب", "نام و نام خانوادگی")}
MOBILE_TITLES = {fold(t) for t in ("mobile", "number", "phone", "موبایل", "شماره", "شماره موبایل", "شماره همراه", "تلفن همراه")}
GROUP_TITLES = {fold(t) for t in ("groups", "group", "گروه‌ها", "گروه ها", "گروه")}


@dataclass(frozen=True)
class RowError:
    """A problem of the file: its row (the title row is 1), its column's title, what is wrong."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class FileRefused(DomainError):
    """The file was not imported; ``errors`` lists the first problems, ``error_count`` all of them."""

    def __init__(self, errors: list[RowError], error_count: int | None = None, message: Any = None) -> None:
        count = len(errors) if error_count is None else error_count
        super().__init__("phonebook.import_refused", message or _("Nothing was imported: the file has %(n)s problem(s)."), n=count)
        self.errors = errors
        self.error_count = count


def refuse(message: Any, **params: Any) -> FileRefused:
    """A file-level refusal (not a text file, no mobile column…) shown as one problem on row 1."""
    text = str(message) % params if params else str(message)
    return FileRefused([RowError(1, "", text)], 1, message=text)


@dataclass(frozen=True)
class FieldSpec:
    """What the reader needs of a custom field."""

    id: int
    name: str
    kind: str
    options: tuple[str, ...] = ()


@dataclass
class Layout:
    """Which cell of a row holds what."""

    titles: list[str]
    mobile: int
    name: int | None = None
    groups: int | None = None
    fields: list[tuple[int, FieldSpec]] = field(default_factory=list)


@dataclass
class ImportRow:
    """One checked row: canonical values by field id (only non-empty cells), group names."""

    row: int
    name: str
    number: str
    values: dict[int, str]
    groups: list[str]


@dataclass
class Check:
    """The outcome of checking every row of a file."""

    layout: Layout
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    groups: set[str] = field(default_factory=set)

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(error)


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1256."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise refuse(_("This is an Excel workbook, not a CSV file: in Excel choose “Save as” and the type “CSV”."))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1256")
    if "\x00" in text:
        raise refuse(_("The file is not a text (CSV) file."))
    return text


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of every non-blank row, the title row first."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for row_no, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                yield row_no, cells
    except csv.Error as exc:
        raise refuse(_("The file cannot be read as CSV: %(error)s"), error=str(exc)) from None


def count_rows(text: str) -> int:
    """How many contact rows a file has (its non-blank rows but the title row)."""
    return max(0, sum(1 for _ in records(text)) - 1)


def read_layout(titles: list[str], fields: Iterable[FieldSpec]) -> Layout:
    """Map the title row to columns; unknown, repeated or missing columns refuse the file."""
    by_name = {fold(f.name): f for f in fields}
    errors: list[RowError] = []
    mobile = name = groups = None
    columns: list[tuple[int, FieldSpec]] = []
    seen: set[str] = set()
    for index, title in enumerate(titles):
        title = clean_text(title.replace(BOM, ""), 200)
        key = fold(title)
        if not key:
            continue
        if key in seen:
            errors.append(RowError(1, title, gettext("The column “%(title)s” appears twice.", title=title)))
            continue
        seen.add(key)
        if key in MOBILE_TITLES:
            mobile = index
        elif key in NAME_TITLES:
            name = index
        elif key in GROUP_TITLES:
            groups = index
        elif key in by_name:
            columns.append((index, by_name[key]))
        else:
            errors.append(
                RowError(
                    1, title, gettext("“%(title)s” is not a column of your phonebook: define a field with this name first.", title=title)
                )
            )
    if mobile is None:
        errors.append(RowError(1, "", gettext("The file has no mobile column (its title row must name one, as the export does).")))
    if errors:
        raise FileRefused(errors)
    return Layout([clean_text(t.replace(BOM, ""), 200) for t in titles], mobile, name, groups, columns)


def unguard(cell: str) -> str:
    """A cell as written before the export's formula guard."""
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA else cell


def guard(cell: str) -> str:
    """A cell Excel shows as text, never runs as a formula."""
    return "'" + cell if cell.startswith(_FORMULA) else cell


def parse_row(layout: Layout, row_no: int, cells: list[str]) -> tuple[ImportRow | None, list[RowError]]:
    """Check one row: the number, every custom value; the row or its problems."""

    def cell(index: int | None) -> str:
        return unguard(cells[index]) if index is not None and index < len(cells) else ""

    errors: list[RowError] = []
    title = layout.titles[layout.mobile]
    number = ""
    try:
        number = normalise(cell(layout.mobile))
    except InvalidNumber as exc:
        errors.append(RowError(row_no, title, exc.message))
    values: dict[int, str] = {}
    for index, spec in layout.fields:
        try:
            value = parse_value(spec.name, spec.kind, list(spec.options), cell(index))
        except FieldValueError as exc:
            errors.append(RowError(row_no, layout.titles[index], exc.message))
            continue
        if value is not None:
            values[spec.id] = value
    groups: list[str] = []
    for raw in _GROUP_SPLIT.split(cell(layout.groups)):
        group = clean_text(raw, 100)
        if group and group not in groups:
            groups.append(group)
    if errors:
        return None, errors
    return ImportRow(row_no, clean_text(cell(layout.name), 200), number, values, groups), []


class Checker:
    """Checks rows one at a time (so a caller can report progress between them)."""

    def __init__(self, titles: list[str], fields: Iterable[FieldSpec]) -> None:
        self.result = Check(read_layout(titles, fields))
        self._first_row: dict[int, int] = {}

    def feed(self, row_no: int, cells: list[str]) -> None:
        """Check one row: its cells, and that its number was not on an earlier row."""
        result = self.result
        result.total += 1
        parsed, errors = parse_row(result.layout, row_no, cells)
        for error in errors:
            result.add(error)
        if parsed is not None:
            result.groups.update(parsed.groups)
            key = int(parsed.number)
            if key in self._first_row:
                message = gettext("This number is also on row %(row)s.", row=localize_digits(self._first_row[key]))
                result.add(RowError(row_no, result.layout.titles[result.layout.mobile], message))
            else:
                self._first_row[key] = row_no

    def finish(self) -> Check:
        if self.result.total == 0:
            raise refuse(_("The file has a title row but no contacts."))
        return self.result


def start_check(text: str, fields: Iterable[FieldSpec]) -> tuple[Checker, Iterator[tuple[int, list[str]]]]:
    """A checker for a file's title row, and the file's remaining rows to feed it."""
    rows = records(text)
    first = next(rows, None)
    if first is None:
        raise refuse(_("The file is empty."))
    return Checker(first[1], fields), rows


def check(text: str, fields: Iterable[FieldSpec]) -> Check:
    """Check every row of a file (numbers, values, a number twice in the file); nothing is written."""
    checker, rows = start_check(text, fields)
    for row_no, cells in rows:
        checker.feed(row_no, cells)
    return checker.finish()


def checked_rows(text: str, layout: Layout) -> Iterator[ImportRow]:
    """The rows of a file that :func:`check` passed, read again (a second pass keeps memory flat)."""
    rows = records(text)
    next(rows, None)
    for row_no, cells in rows:
        parsed, _errors = parse_row(layout, row_no, cells)
        if parsed is not None:
            yield parsed


def csv_line(cells: Iterable[str]) -> str:
    """One CSV row with CRLF, every cell guarded against formulas."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([guard(c) for c in cells])
    return buffer.getvalue()
