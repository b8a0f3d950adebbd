"""What connectors report back: delivery receipts update rows; incoming messages land in inboxes."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import ClassVar

from payamak.db import fetch, is_postgres, writing
from payamak.messaging.connectors import DELIVERED, EXPIRED, REJECTED, UNDELIVERED, DeliveryReport, IncomingMessage
from payamak.messaging.numbers import try_normalise
from payamak.messaging.tables import InboundMessage, Line, OptOut
from payamak.messaging.text import normalise_keyword

log = logging.getLogger("payamak.receiving")

ROW_STATUS = {DELIVERED: "delivered", UNDELIVERED: "undelivered", EXPIRED: "expired", REJECTED: "undelivered"}
OPT_OUT_WORDS = frozenset(normalise_keyword(w) for w in ("لغو", "لغو11", "لغو 11", "لغو۱۱", "stop", "11", "off", "cancel", "انصراف"))


def is_opt_out(text: str) -> bool:
    """Whether an incoming text asks to stop advertising messages."""
    return normalise_keyword(text) in OPT_OUT_WORDS


async def apply_receipts(connection_id: int, reports: list[DeliveryReport]) -> list[DeliveryReport]:
    """Update the rows the receipts are for; returns the receipts that matched no row (yet)."""
    now = datetime.now(UTC)
    by_status: dict[str, list[DeliveryReport]] = defaultdict(list)
    for report in reports:
        by_status[ROW_STATUS.get(report.status, "undelivered")].append(report)
    matched: set[str] = set()
    changed: dict[tuple[int, str], list[int]] = defaultdict(list)
    async with writing():
        for status, items in by_status.items():
            ids = [r.message_id for r in items]
            if is_postgres():
                rows = await fetch(
                    "UPDATE recipient SET status = {}, done_at = {} WHERE connection = {} AND message_id = ANY({}::text[]) "
                    "AND status IN ('submitted', 'delivered', 'undelivered', 'expired') RETURNING message_id, id, tenant",
                    status,
                    now,
                    connection_id,
                    ids,
                )
            else:
                rows = []
                for i in range(0, len(ids), 500):
                    chunk = ids[i : i + 500]
                    marks = ", ".join("{}" for _ in chunk)
                    rows += await fetch(
                        f"UPDATE recipient SET status = {{}}, done_at = {{}} WHERE connection = {{}} AND message_id IN ({marks}) "
                        "AND status IN ('submitted', 'delivered', 'undelivered', 'expired') RETURNING message_id, id, tenant",
                        status,
                        now,
                        connection_id,
                        *chunk,
                    )
            matched.update(r["message_id"] for r in rows)
            for r in rows:
                changed[(r["tenant"], status)].append(r["id"])
    await _announce_reports(changed)
    return [r for r in reports if r.message_id not in matched]


async def _announce_reports(changed: dict[tuple[int, str], list[int]]) -> None:
    """Tell the plugins each tenant enables which rows receipts moved, one call per status."""
    if not changed:
        return
    from payamak.registry import announce
    from payamak.tables import Tenant
    from payamak.tenancy.services import enabled_plugins

    tenants = {t.id: t for t in await Tenant.objects().where(Tenant.id.is_in(list({tenant for tenant, _ in changed})))}
    for (tenant_id, status), ids in changed.items():
        await announce("delivery_reports", tenant_id, enabled_plugins(tenants[tenant_id]), recipient_ids=ids, status=status)


async def confirm_unconfirmed(connection_id: int, reports: list[DeliveryReport]) -> list[DeliveryReport]:
    """Receipts matching no message id may be for rows a crash left ``unconfirmed``: the
    receipt proves the operator took the message, so the row gets its id and status and is
    charged. Returns the receipts that confirmed nothing."""
    from payamak.messaging import ledger
    from payamak.messaging.tables import SendJob

    remaining = []
    now = datetime.now(UTC)
    for report in reports:
        number = try_normalise(report.recipient) if report.recipient else None
        if number is None:
            remaining.append(report)
            continue
        async with writing():
            rows = await fetch(
                "UPDATE recipient SET status = {}, message_id = {}, done_at = {}, submitted_at = {}, error = NULL WHERE id = "
                "(SELECT id FROM recipient WHERE connection = {} AND number = {} AND status = 'unconfirmed' ORDER BY id LIMIT 1) "
                "RETURNING job, price, wholesale",
                ROW_STATUS.get(report.status, "undelivered"),
                report.message_id,
                now,
                now,
                connection_id,
                number,
            )
            if not rows:
                remaining.append(report)
                continue
            job = await SendJob.objects().where(SendJob.id == rows[0]["job"]).first()
            await ledger.settle_job(
                job, debit=(rows[0]["price"], rows[0]["wholesale"]), count=(1, 0), reason="confirmed by its receipt after a crash"
            )
    return remaining


async def store_incoming(messages: list[IncomingMessage]) -> list[int]:
    """Put incoming messages in the inboxes of their lines' owners; handle opt-outs; announce them."""
    from payamak.registry import announce
    from payamak.tables import Tenant
    from payamak.tenancy.services import enabled_plugins

    stored: list[tuple[int, int]] = []
    for message in messages:
        line_number = try_normalise(message.line) or message.line.lstrip("+")
        line = await Line.objects().where(Line.number == line_number).first()
        if line is None or line.tenant is None:
            log.warning("incoming message for unknown line %s dropped", message.line)
            continue
        sender = try_normalise(message.sender) or message.sender
        async with writing():
            row = InboundMessage(
                tenant=line.tenant, line=line.id, owner=line.owner, sender=sender, text=message.text, received_at=message.received_at
            )
            await row.save()
            if line.kind == "advertising" and is_opt_out(message.text):
                await OptOut.insert(OptOut(tenant=line.tenant, number=sender, keyword=message.text[:50])).on_conflict(action="DO NOTHING")
        stored.append((line.tenant, row.id))
    for tenant_id, message_id in stored:
        tenant = await Tenant.objects().where(Tenant.id == tenant_id).first()
        await announce("message_received", tenant_id, enabled_plugins(tenant), message_id=message_id)
    return [m for _, m in stored]


class CoreSink:
    """The core's side of :class:`payamak.messaging.connectors.ConnectorSink`.

    A receipt that matches no row yet (its submit answer is still being recorded, or a crash
    left the row ambiguous and recovery has not marked it ``unconfirmed`` yet) is handed back,
    so the operator delivers it again later — up to ``MAX_REDELIVERIES`` times per process.
    Nothing waits in memory, so a crash loses no receipt.
    """

    MAX_REDELIVERIES = 30
    _attempts: ClassVar[dict[tuple[int, str], int]] = {}

    async def delivery_reports(self, connection_id: int, reports: list[DeliveryReport]) -> list[DeliveryReport]:
        unmatched = await apply_receipts(connection_id, reports)
        if unmatched:
            unmatched = await confirm_unconfirmed(connection_id, unmatched)
        retry = []
        for report in unmatched:
            key = (connection_id, report.message_id)
            attempts = self._attempts.get(key, 0) + 1
            if attempts <= self.MAX_REDELIVERIES:
                self._attempts[key] = attempts
                retry.append(report)
            else:
                self._attempts.pop(key, None)
                log.info("receipt %s on connection %s matched no message; dropped", report.message_id, connection_id)
        if len(self._attempts) > 100_000:
            self._attempts.clear()
        return retry

    async def incoming(self, connection_id: int, messages: list[IncomingMessage]) -> None:
        await store_incoming(messages)
