"""5 Outbox and 5-1 scheduled sends: the customer's sent messages, one row per recipient, newest send first.

Rows are read send by send. A customer's sends are walked newest first (each knows how many
recipient rows it has), and a send's rows are read through the recipient ``(job, id)`` index,
so the first page of a million-row outbox and every 5,000-row chunk of its export cost about
the same: no query sorts all of the customer's rows. Only a search by recipient or text, whose
counts the sends cannot tell, reads the rows the plain way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from piccolo.query import Sum

from payamak.errors import NotFound
from payamak.messaging import pipeline
from payamak.messaging.tables import Recipient, SendJob
from payamak.tables import User
from payamak.tenancy import scoped

from .services import EXPORT_CHUNK, PAGE_SIZE, Criteria, Page, add_template, any_of, number_patterns, text_variants
from .tables import Template

JOB_BATCH = 1_000
MAX_GROUP_JOBS = 500

OUTBOX_COLUMNS = (
    Recipient.id,
    Recipient.number,
    Recipient.text,
    Recipient.status,
    Recipient.submitted_at,
    Recipient.done_at,
    Recipient.job,
    Recipient.job.text.as_alias("job_text"),
    Recipient.job.created_at.as_alias("created_at"),
    Recipient.job.scheduled_at.as_alias("scheduled_at"),
    Recipient.job.line.number.as_alias("line_number"),
)


def _job_where(job: Any, user: User, criteria: Criteria) -> list[Any]:
    """Conditions on the send (``job`` is ``SendJob`` or ``Recipient.job``): the user's, its line, its time.
    A send's time is the time it was scheduled for, else when it was accepted."""
    where = [job.user == user.id]
    if criteria.line:
        where.append(job.line.number == criteria.line)
    if criteria.since:
        where.append((job.scheduled_at.is_null() & (job.created_at >= criteria.since)) | (job.scheduled_at >= criteria.since))
    if criteria.until:
        where.append((job.scheduled_at.is_null() & (job.created_at < criteria.until)) | (job.scheduled_at < criteria.until))
    return where


def _row_where(criteria: Criteria) -> list[Any]:
    """Conditions on the recipient row: its number, its text (a row's own text, else its send's)."""
    where = []
    if criteria.number:
        where.append(any_of([Recipient.number.like(p) for p in number_patterns(criteria.number)]))
    if criteria.text:
        job_text = Recipient.job.text
        where.append(
            any_of(
                [
                    Recipient.text.ilike(f"%{t}%") | (Recipient.text.is_null() & job_text.ilike(f"%{t}%"))
                    for t in text_variants(criteria.text)
                ]
            )
        )
    return where


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    job_text = row.pop("job_text")
    if row["text"] is None:
        row["text"] = job_text
    row["sent_at"] = row["scheduled_at"] or row["created_at"]
    return row


def _rows(user: User, criteria: Criteria, job_ids: list[int]) -> Any:
    """The recipient rows of some sends, newest send first and newest row first within it."""
    query = scoped(Recipient, user.tenant).select(*OUTBOX_COLUMNS).where(*_row_where(criteria))
    query = query.where(Recipient.job == job_ids[0]) if len(job_ids) == 1 else query.where(Recipient.job.is_in(job_ids))
    return query.order_by(Recipient.job, ascending=False).order_by(Recipient.id, ascending=False)


async def _jobs(user: User, criteria: Criteria) -> AsyncIterator[tuple[int, int]]:
    """``(job id, recipient rows)`` of the user's sends that match, newest first, read a batch at a time."""
    last: int | None = None
    while True:
        query = scoped(SendJob, user.tenant).select(SendJob.id, SendJob.recipients).where(*_job_where(SendJob, user, criteria))
        if last is not None:
            query = query.where(SendJob.id < last)
        batch = await query.order_by(SendJob.id, ascending=False).limit(JOB_BATCH)
        for row in batch:
            yield row["id"], row["recipients"]
        if len(batch) < JOB_BATCH:
            return
        last = batch[-1]["id"]


async def _window(user: User, criteria: Criteria, offset: int, limit: int) -> list[dict[str, Any]]:
    """``limit`` rows from ``offset``: walking the sends, or (a search by recipient or text) the rows themselves."""
    if criteria.number or criteria.text:
        where = [*_job_where(Recipient.job, user, criteria), *_row_where(criteria)]
        rows = await (
            scoped(Recipient, user.tenant)
            .select(*OUTBOX_COLUMNS)
            .where(*where)
            .order_by(Recipient.job, ascending=False)
            .order_by(Recipient.id, ascending=False)
            .offset(offset)
            .limit(limit)
        )
        return [_shape(r) for r in rows]
    rows: list[dict[str, Any]] = []
    before = 0  # rows of the newer sends already walked past
    async for job_id, count in _jobs(user, criteria):
        if before + count > offset:
            rows += await _rows(user, criteria, [job_id]).offset(max(offset - before, 0)).limit(limit - len(rows))
            if len(rows) >= limit:
                break
        before += count
    return [_shape(r) for r in rows]


async def _total(user: User, criteria: Criteria) -> int:
    if criteria.number or criteria.text:
        where = [*_job_where(Recipient.job, user, criteria), *_row_where(criteria)]
        return await scoped(Recipient, user.tenant).count().where(*where)
    row = (
        await scoped(SendJob, user.tenant).select(Sum(SendJob.recipients).as_alias("n")).where(*_job_where(SendJob, user, criteria)).first()
    )
    return int(row["n"] or 0) if row else 0


async def outbox_page(user: User, criteria: Criteria, page_no: int = 1) -> Page:
    """A page of the outbox: one row per recipient, newest send first, filtered by ``criteria``."""
    rows = await _window(user, criteria, (page_no - 1) * PAGE_SIZE, PAGE_SIZE)
    return Page(rows, await _total(user, criteria), page_no)


async def outbox_rows(user: User, criteria: Criteria, offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Outbox rows for the API (``offset``/``limit`` up to 1,000, newest send first)."""
    return await _window(user, criteria, max(offset, 0), min(max(limit, 1), 1000))


async def outbox_chunks(user: User, criteria: Criteria, chunk: int = EXPORT_CHUNK) -> AsyncIterator[list[dict[str, Any]]]:
    """Every matching outbox row in the page's order, about ``chunk`` rows at a time: small sends read together
    (at most ``chunk`` rows a query), a large one paged through by id."""
    group: list[int] = []
    size = 0

    async def flush() -> list[dict[str, Any]]:
        return [_shape(r) for r in await _rows(user, criteria, group)] if group else []

    async for job_id, count in _jobs(user, criteria):
        if count < chunk and size + count <= chunk and len(group) < MAX_GROUP_JOBS:
            group.append(job_id)
            size += count
            continue
        if rows := await flush():
            yield rows
        group, size = [], 0
        if count < chunk:
            group, size = [job_id], count
            continue
        last: int | None = None
        while True:
            query = _rows(user, criteria, [job_id])
            if last is not None:
                query = query.where(Recipient.id < last)
            rows = await query.limit(chunk)
            if not rows:
                break
            last = rows[-1]["id"]
            yield [_shape(r) for r in rows]
    if rows := await flush():
        yield rows


async def outbox_row(user: User, recipient_id: Any) -> dict[str, Any]:
    """One row of the user's outbox, or :class:`NotFound`."""
    try:
        row_id = int(recipient_id)
    except (TypeError, ValueError):
        raise NotFound("recipient") from None
    rows = await scoped(Recipient, user.tenant).select(*OUTBOX_COLUMNS).where(Recipient.id == row_id, Recipient.job.user == user.id)
    if not rows:
        raise NotFound("recipient")
    return _shape(rows[0])


async def star(user: User, recipient_id: Any) -> tuple[Template, bool]:
    """The star of an outbox row: save its text as a template; ``(template, False)`` if it was saved already."""
    text = (await outbox_row(user, recipient_id))["text"]
    existing = await scoped(Template, user.tenant).objects().where((Template.user == user.id) & (Template.text == text.strip())).first()
    if existing is not None:
        return existing, False
    return await add_template(user, text), True


async def sender_lines(user: User) -> list[str]:
    """Numbers of the lines the user has sent from (the outbox's line filter)."""
    rows = await scoped(SendJob, user.tenant).select(SendJob.line.number.as_alias("number")).where(SendJob.user == user.id).distinct()
    return sorted({r["number"] for r in rows if r["number"]})


async def scheduled_page(user: User, page_no: int = 1) -> Page:
    """5-1: the user's sends waiting for their time, soonest first."""
    where = (SendJob.user == user.id) & (SendJob.status == "scheduled")
    total = await scoped(SendJob, user.tenant).count().where(where)
    rows = (
        await scoped(SendJob, user.tenant)
        .select(
            SendJob.id,
            SendJob.text,
            SendJob.recipients,
            SendJob.blocked,
            SendJob.reserved,
            SendJob.scheduled_at,
            SendJob.created_at,
            SendJob.source,
            SendJob.line.number.as_alias("line_number"),
        )
        .where(where)
        .order_by(SendJob.scheduled_at)
        .order_by(SendJob.id)
        .limit(PAGE_SIZE)
        .offset((page_no - 1) * PAGE_SIZE)
    )
    return Page(rows, total, page_no)


async def cancel_scheduled(user: User, job_id: Any) -> SendJob:
    """Cancel a scheduled send that has not gone out; its reserved credit is refunded."""
    return await pipeline.cancel_job(user, job_id)
