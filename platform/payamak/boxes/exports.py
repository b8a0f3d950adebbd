"""Excel (.xlsx) exports of the inbox (4-1) and the outbox (5): constant memory, whatever the row count.

Rows are read a chunk at a time (paged by id) and appended to an openpyxl *write-only*
workbook, which streams each row to a temporary file as it is appended (inline strings: no
shared-string table growing with the rows). The finished file is then streamed to the client
and deleted. Workbook work runs in a thread so the event loop keeps serving other requests.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jdatetime
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from payamak.i18n import get_locale, latin_digits
from payamak.i18n import gettext as _
from payamak.tables import User
from payamak.web.formatting import TEHRAN, jalali

from . import outbox, services
from .services import Criteria

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def status_labels() -> dict[str, str]:
    """Recipient statuses as the panel names them (the same words as the outbox page)."""
    return {
        "scheduled": _("Scheduled"),
        "queued": _("Queued"),
        "claimed": _("Queued"),
        "submitting": _("Sending"),
        "submitted": _("Sent to operator"),
        "delivered": _("Delivered"),
        "undelivered": _("Not delivered"),
        "failed": _("Failed"),
        "expired": _("Expired"),
        "cancelled": _("Cancelled"),
        "blocked": _("Blocked (opted out)"),
    }


def plain_time(value: datetime | None) -> str:
    """A time for a spreadsheet: Jalali (Persian locale) or Gregorian, Tehran time, Latin digits."""
    return _minute_text(value.replace(second=0, microsecond=0), get_locale()) if value else ""


@lru_cache(maxsize=4096)
def _minute_text(minute: datetime, _locale: str) -> str:
    # Rows of a send share their minutes: converting each minute to Jalali once saves a third of the export's time.
    return latin_digits(jalali(minute))


class XlsxWriter:
    """One sheet written row by row to a temporary .xlsx file (openpyxl write-only mode)."""

    def __init__(self, title: str, headers: list[str], widths: list[int]) -> None:
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=title[:31])
        self.sheet.sheet_view.rightToLeft = get_locale() == "fa"
        for index, width in enumerate(widths):
            self.sheet.column_dimensions[chr(ord("A") + index)].width = width
        bold = Font(bold=True)
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(self.sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        self.sheet.append(header_cells)
        self.rows = 0

    def _cell(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            # A text that looks like a formula stays a text (no formula injection from an SMS).
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

    def append_many(self, rows: list[list[Any]]) -> None:
        for row in rows:
            self.sheet.append([self._cell(v) for v in row])
        self.rows += len(rows)

    def save(self) -> Path:
        handle, name = tempfile.mkstemp(prefix="payamak-export-", suffix=".xlsx")
        os.close(handle)
        try:
            self.workbook.save(name)
        except BaseException:
            os.unlink(name)
            raise
        return Path(name)


async def write_xlsx(
    title: str,
    headers: list[str],
    widths: list[int],
    chunks: AsyncIterator[list[dict[str, Any]]],
    shape: Callable[[dict[str, Any]], list[Any]],
) -> tuple[Path, int]:
    """Write every chunk's rows (through ``shape``) into a temporary .xlsx; returns its path and the row count."""
    writer = XlsxWriter(title, headers, widths)
    async for chunk in chunks:
        await asyncio.to_thread(writer.append_many, [shape(row) for row in chunk])
    return await asyncio.to_thread(writer.save), writer.rows


def file_name(kind: str) -> str:
    """``inbox-14030512-1430.xlsx``: the box and the (Jalali, Tehran) time of the export."""
    stamp = jdatetime.datetime.now(TEHRAN).strftime("%Y%m%d-%H%M")
    return f"{kind}-{stamp}.xlsx"


async def export_inbox(user: User, criteria: Criteria, chunk: int = services.EXPORT_CHUNK) -> tuple[Path, int]:
    """The inbox messages matching ``criteria`` as an .xlsx file: sender, line, text, received time."""
    headers = [_("Sender"), _("Line"), _("Text"), _("Received")]

    def shape(row: dict[str, Any]) -> list[Any]:
        return [row["sender"], row["line_number"], row["text"], plain_time(row["received_at"])]

    return await write_xlsx(_("Inbox"), headers, [18, 18, 70, 20], services.inbox_chunks(user, criteria, chunk), shape)


async def export_outbox(user: User, criteria: Criteria, chunk: int = services.EXPORT_CHUNK) -> tuple[Path, int]:
    """The outbox rows matching ``criteria`` as an .xlsx file: recipient, line, text, status and times."""
    labels = status_labels()
    headers = [_("Recipient"), _("Sender line"), _("Text"), _("Status"), _("Send time"), _("Sent to operator"), _("Status time")]

    def shape(row: dict[str, Any]) -> list[Any]:
        return [
            row["number"],
            row["line_number"],
            row["text"],
            labels.get(row["status"], row["status"]),
            plain_time(row["sent_at"]),
            plain_time(row["submitted_at"]),
            plain_time(row["done_at"]),
        ]

    return await write_xlsx(_("Outbox"), headers, [16, 16, 70, 18, 18, 18, 18], outbox.outbox_chunks(user, criteria, chunk), shape)
