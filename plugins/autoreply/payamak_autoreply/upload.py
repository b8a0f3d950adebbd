"""Group responders (6-2): many keyword responders from one .xlsx, .xls or .csv file, and the sample file.

Columns, in this order: keywords (several separated by «,» or «،»), reply text, line number
(empty: all lines), and optionally matching («exact»/«دقیق» or «contains»/«شامل»; empty: exact).
A first row naming the columns is skipped. Every row is checked first; if any row is bad, the
errors are reported with their row numbers (as the spreadsheet numbers them) and nothing is
created: all or nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from payamak.db import writing
from payamak.errors import DomainError
from payamak.i18n import get_locale, lazy_gettext, localize_digits
from payamak.i18n import gettext as _
from payamak.messaging.lines import clean_line_number
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_autoreply.matching import keyword_form
from payamak_autoreply.services import CheckedResponder, check_keywords, check_reply, owned_lines
from payamak_autoreply.tables import Responder, ResponderKeyword

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5_000
FORMATS = ("xlsx", "xls", "csv")
HEADER_WORDS = {keyword_form(w) for w in ("keywords", "keyword", "کلمات کلیدی", "کلمه کلیدی", "کلمه یا کلمات کلیدی", "کلیدواژه")}
MODE_WORDS = {"": "exact", "exact": "exact", "دقیق": "exact", "contains": "contains", "شامل": "contains"}
INSERT_CHUNK = 500


@dataclass(frozen=True)
class RowError:
    """One problem of an uploaded file: its row (0 for the file as a whole), column and message.

    ``column`` is a stable key (keywords, reply, line, match; empty for the whole file)."""

    row: int
    column: str
    message: str

    @property
    def column_label(self) -> str:
        """The column's name in the current language."""
        return column_labels().get(self.column, "")


def column_labels() -> dict[str, str]:
    """The columns' names in the current language (the sample file's header row)."""
    return {"keywords": _("Keywords"), "reply": _("Reply"), "line": _("Line number"), "match": _("Matching")}


class GroupUploadError(DomainError):
    """Some rows of an upload are bad; nothing was created."""

    def __init__(self, errors: list[RowError]) -> None:
        rows = len({e.row for e in errors})
        super().__init__("autoreply.upload_invalid", lazy_gettext("%(n)s rows of the file have errors. Nothing was created."), n=rows)
        self.errors = errors


# --- reading ---------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(data: bytes) -> str:
    # Excel on Persian Windows saves "CSV" in Windows-1256 when not asked for UTF-8.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1256", errors="replace")


def read_rows(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    """The rows of an uploaded file with their spreadsheet row numbers (1-based), as text cells
    (empty cells at the end of a row left out)."""
    suffix = PurePath(filename or "").suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise DomainError("autoreply.upload_format", lazy_gettext("Upload an .xlsx, .xls or .csv file."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(
            "autoreply.upload_too_large", lazy_gettext("The file may be at most %(n)s MB."), n=MAX_UPLOAD_BYTES // (1024 * 1024)
        )
    if suffix == "csv":
        text = _decode(data)
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        raw = list(csv.reader(io.StringIO(text), dialect))
    else:
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            # skip_empty_area=False keeps leading empty rows, so row numbers match the spreadsheet's.
            raw = book.get_sheet_by_index(0).to_python(skip_empty_area=False) if book.sheet_names else []
        except (CalamineError, ValueError, IndexError):
            raise DomainError("autoreply.upload_unreadable", lazy_gettext("The file could not be read as a spreadsheet.")) from None
    rows = []
    for number, row in enumerate(raw, start=1):
        cells = [_cell(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        rows.append((number, cells))
    return rows


# --- checking --------------------------------------------------------------------------------


async def check_rows(user: User, rows: list[tuple[int, list[str]]]) -> tuple[list[CheckedResponder], list[RowError]]:
    """Every row as a responder ready to save, and every problem found (all rows are checked)."""
    lines = {line.number: line.id for line in await owned_lines(user)}
    existing = {
        (row["line"], row["normalised"])
        for row in await scoped(ResponderKeyword, user.tenant)
        .select(ResponderKeyword.normalised, ResponderKeyword.responder.line.as_alias("line"))
        .where((ResponderKeyword.responder.owner == user.id) & (ResponderKeyword.responder.kind == "keyword"))
    }
    seen: dict[tuple[int | None, str], int] = {}
    checked: list[CheckedResponder] = []
    errors: list[RowError] = []
    content = [(n, cells) for n, cells in rows if any(cells)]
    if content and keyword_form(content[0][1][0]) in HEADER_WORDS:
        content = content[1:]
    if not content:
        return [], [RowError(0, "", _("The file has no rows."))]
    if len(content) > MAX_ROWS:
        return [], [RowError(0, "", _("A file may have at most %(n)s rows.", n=localize_digits(f"{MAX_ROWS:,}")))]
    for number, cells in content:
        keywords, reply, line_raw, mode_raw = [*cells, "", "", "", ""][:4]
        row_errors: list[RowError] = []
        words: list[str] = []
        forms: list[str] = []
        try:
            words, forms = check_keywords([keywords])
        except DomainError as exc:
            row_errors.append(RowError(number, "keywords", exc.message))
        try:
            reply = check_reply(reply)
        except DomainError as exc:
            row_errors.append(RowError(number, "reply", exc.message))
        line_id: int | None = None
        line_ok = True
        if line_raw:
            try:
                line_id = lines.get(clean_line_number(line_raw))
            except DomainError:
                line_id = None
            if line_id is None:
                line_ok = False
                row_errors.append(RowError(number, "line", _("%(number)s is not one of your lines.", number=line_raw)))
        mode = MODE_WORDS.get(keyword_form(mode_raw))
        if mode is None:
            row_errors.append(RowError(number, "match", _("Matching must be “exact” or “contains”.")))
        if line_ok:
            for word, form in zip(words, forms, strict=True):
                key = (line_id, form)
                if key in existing:
                    message = _(
                        "The keyword «%(keyword)s» is already answered by another of your responders on the same line.", keyword=word
                    )
                    row_errors.append(RowError(number, "keywords", message))
                elif key in seen:
                    message = _(
                        "The keyword «%(keyword)s» repeats row %(row)s for the same line.", keyword=word, row=localize_digits(seen[key])
                    )
                    row_errors.append(RowError(number, "keywords", message))
                else:
                    seen[key] = number
        if row_errors:
            errors.extend(row_errors)
        else:
            checked.append(CheckedResponder(words, forms, reply, line_id, mode or "exact", True))
    return checked, errors


async def create_group(user: User, filename: str, data: bytes) -> list[int]:
    """Create one keyword responder per row of the file, or none: raises :class:`GroupUploadError`."""
    checked, errors = await check_rows(user, read_rows(filename, data))
    if errors:
        raise GroupUploadError(errors)
    ids: list[int] = []
    async with writing():
        for start in range(0, len(checked), INSERT_CHUNK):
            chunk = checked[start : start + INSERT_CHUNK]
            rows = [
                scoped(Responder, user.tenant).new(
                    owner=user.id,
                    kind="keyword",
                    line=c.line_id,
                    match_mode=c.match_mode,
                    keywords="\n".join(c.words),
                    reply_text=c.reply_text,
                    enabled=True,
                )
                for c in chunk
            ]
            # One statement per chunk: its new ids come back in the order of its rows.
            new_ids = sorted(r["id"] for r in await Responder.insert(*rows).returning(Responder.id))
            keywords = [
                ResponderKeyword(tenant=user.tenant, responder=rid, word=word, normalised=form)
                for rid, c in zip(new_ids, chunk, strict=True)
                for word, form in zip(c.words, c.forms, strict=True)
            ]
            for k in range(0, len(keywords), INSERT_CHUNK):
                await ResponderKeyword.insert(*keywords[k : k + INSERT_CHUNK])
            ids.extend(new_ids)
    return ids


# --- the sample file -------------------------------------------------------------------------


async def sample_rows(user: User) -> list[list[str]]:
    """The sample's rows: the column names and two examples (one on all lines, one on the user's first line)."""
    lines = await owned_lines(user)
    return [
        list(column_labels().values()),
        [_("price, prices"), _("Our price list: example.com/prices"), "", _("exact")],
        [_("opening hours"), _("We answer from 9 to 17, Saturday to Wednesday."), lines[0].number if lines else "", _("contains")],
    ]


def sample_file(rows: list[list[str]], fmt: str) -> tuple[bytes, str]:
    """The sample as ``fmt`` (xlsx, xls or csv): its bytes and media type."""
    rtl = get_locale() == "fa"
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("autoreply")
        sheet.sheet_view.rightToLeft = rtl
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if fmt == "xls":
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("autoreply")
        sheet.cols_right_to_left = rtl
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue(), "application/vnd.ms-excel"
    raise DomainError("autoreply.upload_format", lazy_gettext("Upload an .xlsx, .xls or .csv file."), status_code=404)
