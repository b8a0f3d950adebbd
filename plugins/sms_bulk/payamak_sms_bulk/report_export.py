"""The bulk report (8-3) as an .xlsx workbook (write-only: rows stream to a temporary file)."""

from __future__ import annotations

import asyncio
import tempfile

from openpyxl import Workbook

from payamak.i18n import gettext as _
from payamak.web.formatting import jalali
from payamak_sms_bulk.services import ReportRow, mode_labels

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def status_labels() -> dict[str, str]:
    """A bulk send's statuses as the panel names them."""
    return {"pending": _("Queued"), "selecting": _("Selecting numbers"), "accepted": _("Accepted"), "failed": _("Failed")}


def _build(rows: list[ReportRow], headers: list[str], modes: dict[str, str], statuses: dict[str, str]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for r in rows:
        b = r.bulk
        sheet.append(
            [
                b.id,
                jalali(b.created_at),
                r.description,
                modes.get(b.mode, b.mode),
                b.seed or "",
                b.selected,
                b.skipped_opt_out,
                b.skipped_blacklist,
                b.cost,
                r.delivered,
                r.undelivered,
                r.pending,
                statuses.get(b.status, b.status),
            ]
        )
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        book.save(fh.name)
        fh.seek(0)
        return fh.read()


async def workbook(rows: list[ReportRow]) -> bytes:
    """The report's rows as an .xlsx file (built in a thread)."""
    headers = [
        _("Number"),
        _("Date"),
        _("Segment"),
        _("Mode"),
        _("Seed"),
        _("Selected"),
        _("Skipped (opted out)"),
        _("Skipped (blacklist)"),
        _("Cost (Rials)"),
        _("Delivered"),
        _("Not delivered"),
        _("Waiting"),
        _("Status"),
    ]
    return await asyncio.to_thread(_build, rows, headers, mode_labels(), status_labels())
