"""Report downloads as .xlsx in constant memory: rows are read a chunk at a time (paged by id)
and streamed into the core's write-only workbook (see :mod:`payamak.boxes.exports`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from payamak.boxes.exports import plain_time, status_labels, write_xlsx
from payamak.i18n import gettext as _
from payamak.messaging.tables import InboundMessage, Recipient
from payamak.tables import User
from payamak_reports.services import Criteria, day_start, received_query, sent_query

CHUNK = 2000


async def sent_chunks(user: User, criteria: Criteria, chunk: int = CHUNK) -> AsyncIterator[list[dict[str, Any]]]:
    condition = sent_query(user, criteria, day_start(criteria.first), day_start(criteria.last + timedelta(days=1)))
    after = 0
    while True:
        rows = await (
            Recipient.select(
                Recipient.id,
                Recipient.number,
                Recipient.job.line.number.as_alias("line_number"),
                Recipient.text,
                Recipient.job.text.as_alias("job_text"),
                Recipient.status,
                Recipient.parts,
                Recipient.price,
                Recipient.job.created_at.as_alias("sent_at"),
                Recipient.done_at,
            )
            .where(condition & (Recipient.id > after))
            .order_by(Recipient.id)
            .limit(chunk)
        )
        if not rows:
            return
        yield rows
        after = rows[-1]["id"]


async def received_chunks(user: User, criteria: Criteria, chunk: int = CHUNK) -> AsyncIterator[list[dict[str, Any]]]:
    condition = received_query(user, criteria, day_start(criteria.first), day_start(criteria.last + timedelta(days=1)))
    after = 0
    while True:
        rows = await (
            InboundMessage.select(
                InboundMessage.id,
                InboundMessage.sender,
                InboundMessage.line.number.as_alias("line_number"),
                InboundMessage.text,
                InboundMessage.received_at,
            )
            .where(condition & (InboundMessage.id > after))
            .order_by(InboundMessage.id)
            .limit(chunk)
        )
        if not rows:
            return
        yield rows
        after = rows[-1]["id"]


async def export_sent(user: User, criteria: Criteria, chunk: int = CHUNK) -> tuple[Path, int]:
    """8-1 as a spreadsheet: recipient, line, text, status, parts, cost, send and status times."""
    labels = status_labels()
    headers = [_("Recipient"), _("Line"), _("Text"), _("Status"), _("Parts"), _("Cost (Rials)"), _("Send time"), _("Status time")]

    def shape(row: dict[str, Any]) -> list[Any]:
        return [
            row["number"],
            row["line_number"],
            row["text"] or row["job_text"],
            labels.get(row["status"], row["status"]),
            row["parts"],
            row["price"],
            plain_time(row["sent_at"]),
            plain_time(row["done_at"]),
        ]

    return await write_xlsx(_("Sent messages"), headers, [16, 16, 60, 18, 8, 12, 18, 18], sent_chunks(user, criteria, chunk), shape)


async def export_received(user: User, criteria: Criteria, chunk: int = CHUNK) -> tuple[Path, int]:
    """8-2 as a spreadsheet: sender, line, text, received time."""
    headers = [_("Sender"), _("Line"), _("Text"), _("Received")]

    def shape(row: dict[str, Any]) -> list[Any]:
        return [row["sender"], row["line_number"], row["text"], plain_time(row["received_at"])]

    return await write_xlsx(_("Received messages"), headers, [18, 18, 70, 20], received_chunks(user, criteria, chunk), shape)
