"""Answering incoming messages: the ``payamak_on_message_received`` reaction.

A reply is a real send through the core's pipeline from the line that received the message,
charged to the line's owner and visible in their sends (``source="autoreply"``). Guarantees:

- at most one reply per incoming message: a :class:`Reply` row is claimed first, and its
  ``message`` column is unique, so a redelivered announcement finds the claim and stops;
- no reply loops with another automated number: at most ``AUTOREPLY_MAX_REPLIES`` replies
  to one sender from one line within ``AUTOREPLY_WINDOW_SECONDS`` (default 3 per 10 minutes);
  further matches are recorded as ``rate_limited``;
- no credit, no reply: the miss is recorded as ``no_credit`` (any other refusal as ``failed``);
  a sender who opted out of an advertising line is not answered there (``opted_out``).

Messages on lines without an owner (shared lines) and opt-out words on advertising lines are
left to the core.
"""

from __future__ import annotations

import logging
import zlib
from datetime import UTC, datetime, timedelta

from payamak.db import fetch, is_postgres, writing
from payamak.errors import DomainError
from payamak.messaging import pipeline
from payamak.messaging.ledger import InsufficientCredit, WholesaleExhausted
from payamak.messaging.numbers import try_normalise
from payamak.messaging.receiving import is_opt_out
from payamak.messaging.tables import InboundMessage, Line
from payamak.settings import get_settings
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_autoreply.matching import find_responder
from payamak_autoreply.services import reply_text_of
from payamak_autoreply.tables import Reply, Responder

log = logging.getLogger("payamak.autoreply")


def rate_limit() -> tuple[int, timedelta]:
    """At most how many replies to one sender from one line, within what window."""
    extra = get_settings().extra
    return int(extra.get("AUTOREPLY_MAX_REPLIES", "3")), timedelta(seconds=int(extra.get("AUTOREPLY_WINDOW_SECONDS", "600")))


async def claim(message: InboundMessage, responder: Responder, outcome: str = "sending") -> Reply | None:
    """Record that ``message`` is being answered; ``None`` if it already was (a redelivery).

    Under the rate limit the claim is ``sending``; past it, ``rate_limited``. The count and the
    claim are one transaction, serialised per (line, sender), so concurrent messages from one
    sender cannot slip past the limit together."""
    limit, window = rate_limit()
    async with writing():
        if is_postgres():
            await fetch("SELECT pg_advisory_xact_lock({}, {})", message.line, zlib.crc32(message.sender.encode()) - 2**31)
        if await scoped(Reply, message.tenant).exists().where(Reply.message == message.id):
            return None
        if outcome == "sending":
            recent = (
                await scoped(Reply, message.tenant)
                .count()
                .where(
                    (Reply.line == message.line)
                    & (Reply.sender == message.sender)
                    & Reply.outcome.is_in(["sending", "sent"])
                    & (Reply.created_at >= datetime.now(UTC) - window)
                )
            )
            if recent >= limit:
                outcome = "rate_limited"
        row = scoped(Reply, message.tenant).new(
            message=message.id, owner=message.owner, responder=responder.id, line=message.line, sender=message.sender, outcome=outcome
        )
        inserted = await Reply.insert(row).on_conflict(target=Reply.message, action="DO NOTHING").returning(Reply.id)
    if not inserted:
        return None
    row.id = inserted[0]["id"]
    return row


async def finish(reply: Reply, outcome: str, reason: str = "", job_id: int | None = None) -> None:
    """Record how the claimed reply ended."""
    await (
        scoped(Reply, reply.tenant)
        .update({Reply.outcome: outcome, Reply.reason: reason[:500], Reply.job: job_id})
        .where(Reply.id == reply.id)
    )
    reply.outcome = outcome


async def count_fired(responder: Responder) -> None:
    """Add one to the responder's counter (one atomic UPDATE, safe under concurrent replies)."""
    await (
        scoped(Responder, responder.tenant)
        .update({Responder.fired: Responder.fired + 1, Responder.last_fired_at: datetime.now(UTC)})
        .where(Responder.id == responder.id)
    )


async def answer_message(tenant_id: int, message_id: int) -> Reply | None:
    """Answer one incoming message if a responder of its owner matches; returns the reply record.

    Never raises: a failure to answer must not stop the core from announcing other messages."""
    try:
        return await _answer(tenant_id, message_id)
    except Exception:
        log.exception("auto-reply failed for message %s of tenant %s", message_id, tenant_id)
        return None


async def _answer(tenant_id: int, message_id: int) -> Reply | None:
    message = await scoped(InboundMessage, tenant_id).get(message_id)
    if message is None or message.owner is None:
        return None
    line = await scoped(Line, tenant_id).get(message.line)
    if line is None or (line.kind == "advertising" and is_opt_out(message.text)):
        return None
    responder = await find_responder(tenant_id, message.owner, line.id, message.text)
    if responder is None:
        return None
    if try_normalise(message.sender) is None:
        # Short codes and operator service numbers: never answer (and never start a loop).
        return await claim(message, responder, "invalid_sender")
    reply = await claim(message, responder)
    if reply is None or reply.outcome != "sending":
        return reply
    owner = await scoped(User, tenant_id).get(message.owner)
    if owner is None or owner.status != "active":
        await finish(reply, "failed", "account.inactive")
        return reply
    try:
        job = await pipeline.accept_send(owner, [message.sender], await reply_text_of(responder), line_id=line.id, source="autoreply")
    except WholesaleExhausted as exc:
        # The panel's own (wholesale) balance ran out, not the customer's: not "no credit".
        await finish(reply, "failed", exc.code)
    except InsufficientCredit as exc:
        await finish(reply, "no_credit", exc.code)
    except DomainError as exc:
        await finish(reply, "failed", exc.code)
    except Exception:
        await finish(reply, "failed", "error")
        raise
    else:
        if job.blocked:
            # The sender opted out of this advertising line: the pipeline blocked the reply.
            await finish(reply, "opted_out", job_id=job.id)
        else:
            await finish(reply, "sent", job_id=job.id)
            await count_fired(responder)
    return reply
