"""Reading peer-to-peer files (.xlsx, .xls, .csv) with the row numbers a spreadsheet shows, and
writing the sample file in each of those formats. Nothing in a file is executed or evaluated:
calamine reads cached cell values, never formulas' code, and CSV is plain text."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import PurePath
from typing import Any

from payamak.errors import DomainError
from payamak.i18n import get_locale
from payamak.i18n import lazy_gettext as _

FORMATS = ("xlsx", "xls", "csv")
MAX_FILE_BYTES = 50 * 1024 * 1024
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "csv": "text/csv; charset=utf-8",
}


def file_format(filename: str) -> str:
    """``xlsx``, ``xls`` or ``csv`` from a file name; anything else is a clear error."""
    suffix = PurePath(filename or "").suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise DomainError("p2p.format", _("Upload an .xlsx, .xls or .csv file."))
    return suffix


def text_cell(value: Any) -> str:
    """A cell as text: whole numbers without ``.0`` (Excel stores typed numbers as floats), trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return str(value).strip()


def _decode(data: bytes) -> str:
    # Excel on Persian Windows saves "CSV" in Windows-1256 unless asked for UTF-8.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1256", errors="replace")


def read_rows(filename: str, data: bytes) -> list[tuple[int, list[Any]]]:
    """Every row of the first sheet with its row number as the spreadsheet shows it (1-based);
    cells are text, or ``datetime`` where a spreadsheet holds a date and time."""
    fmt = file_format(filename)
    if len(data) > MAX_FILE_BYTES:
        raise DomainError("p2p.too_large", _("The file may be at most %(n)s MB."), n=MAX_FILE_BYTES // (1024 * 1024))
    if fmt == "csv":
        text = _decode(data)
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        raw: list[list[Any]] = list(csv.reader(io.StringIO(text, newline=""), dialect))
    else:
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            # calamine's default skips leading empty rows and columns; keeping them keeps the
            # spreadsheet's own row numbers (and its columns A, B, C where they are).
            raw = book.get_sheet_by_index(0).to_python(skip_empty_area=False) if book.sheet_names else []
        except (CalamineError, ValueError, IndexError, OSError):
            raise DomainError("p2p.unreadable", _("The file could not be read as a spreadsheet.")) from None
    return [(number, list(row)) for number, row in enumerate(raw, start=1)]


def sample_file(rows: list[list[str]], fmt: str) -> bytes:
    """The sample as ``fmt``: xlsx (openpyxl), xls (xlwt) or csv (UTF-8 with a BOM, so Excel shows Persian)."""
    rtl = get_locale() == "fa"
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("p2p")
        sheet.sheet_view.rightToLeft = rtl
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    if fmt == "xls":
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("p2p")
        sheet.cols_right_to_left = rtl
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise DomainError("p2p.format", _("Upload an .xlsx, .xls or .csv file."), status_code=404)
