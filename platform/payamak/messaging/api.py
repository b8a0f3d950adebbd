"""``/api/v1``: send, status per recipient, cancel, inbox, balance, lines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, delete, get, post
from litestar.params import FromPath, FromQuery
from msgspec import Struct

from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.messaging import ledger, pipeline
from payamak.messaging.lines import usable_lines_query
from payamak.messaging.tables import InboundMessage, Recipient
from payamak.tenancy import scoped
from payamak.web.formatting import parse_jalali
from payamak.web.guards import API_CUSTOMER

MAX_API_RECIPIENTS = 100_000


class SendRequest(Struct):
    """One text to many numbers, now or at ``send_at`` (ISO 8601, or Jalali ``Y/M/D H:m`` in Tehran time)."""

    to: list[str]
    text: str
    line_id: int | None = None
    send_at: str | None = None


def parse_send_at(value: str | None) -> datetime | None:
    """An ISO 8601 time (UTC if no zone) or a Jalali ``Y/M/D H:m`` (Tehran time)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        pass
    try:
        return parse_jalali(value)
    except (ValueError, TypeError):
        raise DomainError("send_at.invalid", _("“%(value)s” is not a time: use ISO 8601 or Jalali Y/M/D H:m."), value=value) from None


def job_json(job: Any) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "recipients": job.recipients,
        "blocked": job.blocked,
        "parts": job.parts,
        "encoding": job.encoding,
        "cost": job.reserved,
        "line_id": job.line,
        "text": job.text,
        "scheduled_at": job.scheduled_at.isoformat() if job.scheduled_at else None,
        "created_at": job.created_at.isoformat(),
    }


@post("/api/v1/messages", guards=API_CUSTOMER, tags=["messages"], status_code=201)
async def send_messages(request: Request, data: SendRequest) -> dict[str, Any]:
    """Send one text to up to 100,000 numbers, now or at ``send_at``."""
    if len(data.to) > MAX_API_RECIPIENTS:
        raise DomainError("recipients.too_many", _("At most %(n)s recipients per request."), n=MAX_API_RECIPIENTS)
    job = await pipeline.accept_send(request.state.user, data.to, data.text, line_id=data.line_id, scheduled_at=parse_send_at(data.send_at))
    return job_json(job)


@get("/api/v1/messages/{job_id:int}", guards=API_CUSTOMER, tags=["messages"])
async def message_status(
    request: Request, job_id: FromPath[int], offset: FromQuery[int] = 0, limit: FromQuery[int] = 1000
) -> dict[str, Any]:
    """A send and the status of each recipient (paged with ``offset``/``limit``, at most 10,000)."""
    job = await pipeline.user_job(request.state.user, job_id)
    rows = (
        await scoped(Recipient, job.tenant)
        .select(Recipient.number, Recipient.status, Recipient.error, Recipient.submitted_at, Recipient.done_at)
        .where(Recipient.job == job.id)
        .order_by(Recipient.id)
        .offset(max(offset, 0))
        .limit(min(max(limit, 1), 10_000))
    )
    for row in rows:
        for key in ("submitted_at", "done_at"):
            row[key] = row[key].isoformat() if row[key] else None
    return {**job_json(job), "recipients_status": rows}


@delete("/api/v1/messages/{job_id:int}", guards=API_CUSTOMER, tags=["messages"], status_code=200)
async def cancel_message(request: Request, job_id: FromPath[int]) -> dict[str, Any]:
    """Cancel a scheduled send that has not started; its credit is refunded."""
    return job_json(await pipeline.cancel_job(request.state.user, job_id))


@get("/api/v1/inbox", guards=API_CUSTOMER, tags=["messages"])
async def inbox(request: Request, offset: FromQuery[int] = 0, limit: FromQuery[int] = 100) -> list[dict[str, Any]]:
    """Messages received on the caller's lines, newest first."""
    user = request.state.user
    rows = (
        await scoped(InboundMessage, user.tenant)
        .select(
            InboundMessage.id,
            InboundMessage.sender,
            InboundMessage.text,
            InboundMessage.received_at,
            InboundMessage.line.number.as_alias("line"),
        )
        .where((InboundMessage.owner == user.id) & (InboundMessage.folder == "inbox"))
        .order_by(InboundMessage.id, ascending=False)
        .offset(max(offset, 0))
        .limit(min(max(limit, 1), 1000))
    )
    for row in rows:
        row["received_at"] = row["received_at"].isoformat()
    return rows


@get("/api/v1/balance", guards=API_CUSTOMER, tags=["account"])
async def balance(request: Request) -> dict[str, Any]:
    """The caller's credit in Rials."""
    user = request.state.user
    account = await ledger.account_for(user.tenant, user.id)
    return {"available": account.available, "reserved": account.reserved, "currency": "IRR"}


@get("/api/v1/lines", guards=API_CUSTOMER, tags=["account"])
async def lines(request: Request) -> list[dict[str, Any]]:
    """The sender lines the caller may send from."""
    return [
        {
            "id": line.id,
            "number": line.number,
            "kind": line.kind,
            "status": line.status,
            "activated_at": line.activated_at.isoformat() if line.activated_at else None,
        }
        for line in await usable_lines_query(request.state.user)
    ]


HANDLERS = [send_messages, message_status, cancel_message, inbox, balance, lines]
