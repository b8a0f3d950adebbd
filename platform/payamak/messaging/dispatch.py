"""Dispatching: claim queued rows, submit them through the connectors, record the outcome,
settle the credit; promote due scheduled jobs; recover work a crash left behind.

Exactly-once rules. A dispatcher claims rows (``queued → claimed``, committed); the connector
calls back right before it writes a message's first PDU, and the row becomes ``submitting``
(committed) with no await between that commit and the write; once the operator answers, the
row becomes ``submitted`` or ``failed`` with its debit or refund in one transaction. After a
crash, stale ``claimed`` rows were never written and go back to ``queued``. Stale
``submitting`` rows are ambiguous: the operator may or may not have taken them (a killed
process's socket can be reset with its last PDUs unread), so they become ``unconfirmed`` and
keep their reservation. A delivery receipt naming the row's recipient confirms one (it is
charged and gets its message id, see ``receiving``); one that no receipt confirms within
``PAYAMAK_RECEIPT_WAIT_SECONDS`` was never taken and goes back to ``queued``. Operators send a
receipt for every final state, so a message is sent twice only if its receipt takes longer
than that wait (default 30 minutes). Several dispatchers of one job may run at once (a redelivered
broker message, the recovery pass): claims never overlap.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from payamak.db import fetch, is_postgres, writing
from payamak.messaging import ledger
from payamak.messaging.connectors import Connector, OutboundMessage, SubmitResult
from payamak.messaging.lines import connector_classes
from payamak.messaging.tables import Line, OperatorConnection, SendJob
from payamak.settings import get_settings
from payamak.tenancy.services import json_dict

log = logging.getLogger("payamak.dispatch")

BATCH = 500
CONCURRENT_BATCHES = 4


def idle_after() -> timedelta:
    """How long a job with queued rows may go without a claim before recovery re-queues it."""
    return timedelta(seconds=int(get_settings().extra.get("IDLE_JOB_SECONDS", "30")))


def receipt_wait() -> timedelta:
    """How long an unconfirmed row waits for a receipt before it is sent again."""
    return timedelta(seconds=int(get_settings().extra.get("RECEIPT_WAIT_SECONDS", "1800")))


def stale_after() -> timedelta:
    """How long a claimed row may stay ``submitting`` before recovery settles it."""
    return timedelta(seconds=int(get_settings().extra.get("STALE_SUBMIT_SECONDS", "120")))


class ConnectorPool:
    """This process's connector sessions, one per operator connection, on the worker's loop."""

    def __init__(self) -> None:
        self._connectors: dict[int, Connector] = {}
        self._lock: asyncio.Lock | None = None

    async def get(self, connection_id: int) -> Connector:
        """The connected connector of an operator connection (connected on first use)."""
        connector = self._connectors.get(connection_id)
        if connector is not None:
            return connector
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            connector = self._connectors.get(connection_id)
            if connector is None:
                row = await OperatorConnection.objects().where(OperatorConnection.id == connection_id).first()
                if row is None:
                    raise LookupError(f"operator connection {connection_id} does not exist")
                from payamak.messaging.receiving import CoreSink

                cls = connector_classes()[row.connector]
                connector = cls(row.id, json_dict(row.settings), CoreSink())
                await connector.connect()
                self._connectors[connection_id] = connector
        return connector

    async def ensure_all(self) -> None:
        """Connect every active operator connection (so receipts and incoming messages arrive)."""
        for row in await OperatorConnection.select(OperatorConnection.id).where(OperatorConnection.status == "active"):
            try:
                await self.get(row["id"])
            except Exception:
                log.exception("operator connection %s failed to connect", row["id"])

    async def close_all(self) -> None:
        for connector in list(self._connectors.values()):
            try:
                await connector.disconnect()
            except Exception:
                log.exception("disconnect failed")
        self._connectors.clear()


POOL = ConnectorPool()


async def _claim(job_id: int, limit: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    lock = "FOR UPDATE SKIP LOCKED" if is_postgres() else ""
    sql = (
        "UPDATE recipient SET status = 'claimed', claimed_at = {} WHERE id IN "
        f"(SELECT id FROM recipient WHERE job = {{}} AND status = 'queued' ORDER BY id LIMIT {{}} {lock}) "
        "RETURNING id, number, text, connection, price"
    )
    async with writing():
        rows = await fetch(sql, now, job_id, limit)
        await SendJob.update({SendJob.heartbeat_at: now}).where(SendJob.id == job_id)
    return rows


async def _submit(rows: list[dict[str, Any]], job: SendJob, sender: str) -> list[SubmitResult]:
    groups: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["connection"]].append(row)
    results: list[SubmitResult] = []

    async def one(connection_id: int | None, members: list[dict[str, Any]]) -> None:
        if connection_id is None:
            results.extend(SubmitResult(r["id"], False, error="no_route") for r in members)
            return
        connector = await POOL.get(connection_id)
        messages = [OutboundMessage(r["id"], connector.normalise_sender(sender), r["number"], r["text"] or job.text) for r in members]
        results.extend(await connector.submit(messages, on_write=mark_written))

    await asyncio.gather(*(one(cid, members) for cid, members in groups.items()))
    return results


async def mark_written(refs: list[int]) -> set[int]:
    """Rows whose PDUs are about to be written: from here on a crash must not resend them.
    Returns the rows still claimed (recovery may have taken a very old claim back)."""
    if not refs:
        return set()
    marks = ", ".join("{}" for _ in refs)
    async with writing():
        rows = await fetch(f"UPDATE recipient SET status = 'submitting' WHERE id IN ({marks}) AND status = 'claimed' RETURNING id", *refs)
    return {r["id"] for r in rows}


async def _record(job: SendJob, results: list[SubmitResult]) -> None:
    now = datetime.now(UTC)
    ok = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    async with writing():
        # Debit and refund exactly the rows this call moved (RETURNING), never a row twice.
        sent = await _set_outcome("submitted", "message_id", "submitted_at", now, [(r.ref, r.message_id) for r in ok])
        lost = await _set_outcome("failed", "error", "done_at", now, [(r.ref, (r.error or "failed")[:64]) for r in failed])
        await ledger.settle_job(
            job,
            debit=(sum(r["price"] for r in sent), sum(r["wholesale"] for r in sent)),
            refund=(sum(r["price"] for r in lost), sum(r["wholesale"] for r in lost)),
            count=(len(sent), len(lost)),
        )


async def _set_outcome(status: str, field: str, stamp: str, now: datetime, pairs: list[tuple[int, Any]]) -> list[dict[str, int]]:
    """Set status and one field of claimed/submitting rows; returns the price and wholesale
    cost of each row changed."""
    changed: list[dict[str, int]] = []
    if not pairs:
        return changed
    if is_postgres():
        return await fetch(
            f"UPDATE recipient AS r SET status = '{status}', {field} = v.value, {stamp} = {{}} "
            "FROM (SELECT unnest({}::bigint[]) AS id, unnest({}::text[]) AS value) AS v "
            "WHERE r.id = v.id AND r.status IN ('claimed', 'submitting') RETURNING r.price, r.wholesale",
            now,
            [p[0] for p in pairs],
            [p[1] for p in pairs],
        )
    for chunk in _chunks(pairs, 400):
        values = ", ".join("({}, {})" for _ in chunk)
        changed += await fetch(
            f"UPDATE recipient SET status = '{status}', {field} = v.column2, {stamp} = {{}} FROM (VALUES {values}) AS v "
            "WHERE recipient.id = v.column1 AND recipient.status IN ('claimed', 'submitting') RETURNING price, wholesale",
            now,
            *[x for p in chunk for x in p],
        )
    return changed


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def run_job(job_id: int) -> int:
    """Submit every queued row of a job; returns how many rows this call handled."""
    job = await SendJob.objects().where(SendJob.id == job_id).first()
    if job is None or job.status not in ("queued", "sending"):
        return 0
    await SendJob.update({SendJob.status: "sending"}).where((SendJob.id == job_id) & (SendJob.status == "queued"))
    line = await Line.objects().where(Line.id == job.line).first()
    handled = 0

    async def loop() -> None:
        nonlocal handled
        while True:
            rows = await _claim(job_id, BATCH)
            if not rows:
                return
            try:
                results = await _submit(rows, job, line.number)
            except Exception:
                # Rows the connector never wrote go back to the queue; written ones wait for recovery.
                log.exception("job %s: submit failed; unwritten rows go back to the queue", job_id)
                await fetch(
                    f"UPDATE recipient SET status = 'queued' WHERE id IN ({', '.join('{}' for _ in rows)}) AND status = 'claimed'",
                    *[r["id"] for r in rows],
                )
                raise
            await _record(job, results)
            handled += len(rows)
            await _announce_submitted(job, [r.ref for r in results if r.ok])

    await asyncio.gather(*(loop() for _ in range(CONCURRENT_BATCHES)))
    await finish_if_done(job_id)
    return handled


async def finish_if_done(job_id: int) -> None:
    """Mark a job done once none of its rows waits to be submitted."""
    left = await fetch(
        "SELECT COUNT(*) AS n FROM recipient WHERE job = {} AND status IN ('queued', 'claimed', 'submitting', 'unconfirmed', 'scheduled')",
        job_id,
    )
    if int(left[0]["n"]) == 0:
        await SendJob.update({SendJob.status: "done", SendJob.finished_at: datetime.now(UTC)}).where(
            (SendJob.id == job_id) & SendJob.status.is_in(["queued", "sending"])
        )


async def _announce_submitted(job: SendJob, ids: list[int]) -> None:
    if not ids:
        return
    from payamak.registry import announce
    from payamak.tables import Tenant
    from payamak.tenancy.services import enabled_plugins

    tenant = await Tenant.objects().where(Tenant.id == job.tenant).first()
    await announce("messages_submitted", job.tenant, enabled_plugins(tenant), job_id=job.id, recipient_ids=ids)


async def promote_due_jobs() -> list[int]:
    """Scheduled jobs whose time has come become queued (once, even with several schedulers)."""
    now = datetime.now(UTC)
    promoted = []
    for row in await SendJob.select(SendJob.id).where((SendJob.status == "scheduled") & (SendJob.scheduled_at <= now)):
        async with writing():
            changed = (
                await SendJob.update({SendJob.status: "queued"})
                .where((SendJob.id == row["id"]) & (SendJob.status == "scheduled"))
                .returning(SendJob.id)
            )
            if changed:
                await fetch("UPDATE recipient SET status = 'queued' WHERE job = {} AND status = 'scheduled'", row["id"])
        if changed:
            promoted.append(row["id"])
    return promoted


async def recover() -> dict[str, Any]:
    """Upkeep after crashes: unwritten claims back to the queue, ambiguous rows unconfirmed,
    unconfirmed rows no receipt confirmed back to the queue, idle jobs re-queued."""
    now = datetime.now(UTC)
    cutoff = now - stale_after()
    async with writing():
        await fetch("UPDATE recipient SET status = 'queued' WHERE status = 'claimed' AND claimed_at < {}", cutoff)
        unconfirmed = await fetch(
            # claimed_at now tells since when the row waits for a receipt.
            "UPDATE recipient SET status = 'unconfirmed', claimed_at = {} WHERE status = 'submitting' AND claimed_at < {} RETURNING id",
            now,
            cutoff,
        )
        resent = await fetch(
            "UPDATE recipient SET status = 'queued', error = 'resent: no receipt' WHERE status = 'unconfirmed' AND claimed_at < {} RETURNING id",
            now - receipt_wait(),
        )
    idle = await fetch(
        "SELECT id FROM send_job WHERE status IN ('queued', 'sending') AND COALESCE(heartbeat_at, created_at) < {}", now - idle_after()
    )
    requeued = []
    for row in idle:
        left = await fetch("SELECT COUNT(*) AS n FROM recipient WHERE job = {} AND status = 'queued'", row["id"])
        if int(left[0]["n"]):
            requeued.append(row["id"])
        else:
            await finish_if_done(row["id"])
    return {"unconfirmed": len(unconfirmed), "resent": len(resent), "requeued": len(requeued), "jobs": requeued}
