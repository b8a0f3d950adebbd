"""The send pipeline: one service every sending plugin and the API call.

recipients normalised and de-duplicated → opt-outs blocked on advertising lines → parts and
price → credit reserved (the customer's, and the tenant's wholesale balance) → the job and
one row per recipient persisted (bulk, streamed) → queued now or scheduled. The dispatcher
(``payamak.messaging.dispatch``) does the rest; every row carries its retail ``price`` and
``wholesale`` cost so each path that settles rows settles both books.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from payamak.db import bulk_insert, fetch, writing
from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.messaging import ledger, wholesale
from payamak.messaging.lines import connector_classes, usable_line
from payamak.messaging.numbers import InvalidNumber, normalise, operator_of
from payamak.messaging.pricing import price_per_part, wholesale_table
from payamak.messaging.tables import Line, OperatorConnection, OptOut, PortedNumber, Recipient, SendJob
from payamak.messaging.text import info
from payamak.tables import User
from payamak.tenancy import scoped

MAX_TEXT = 1_000
MAX_INVALID_LISTED = 20


@dataclass(frozen=True)
class Quote:
    """What a send would cost: shown before confirming."""

    recipients: int
    blocked: int
    encoding: str
    parts: int
    per_part: int
    total: int


class InvalidRecipients(DomainError):
    """Some recipients are not mobile numbers; nothing was accepted."""

    def __init__(self, invalid: list[tuple[int, str]], count: int) -> None:
        listed = ", ".join(f"#{pos} ({raw})" for pos, raw in invalid[:MAX_INVALID_LISTED])
        super().__init__(
            "recipients.invalid",
            _("%(count)s recipients are not valid mobile numbers (%(listed)s). Nothing was sent."),
            count=count,
            listed=listed,
        )
        self.invalid = invalid


def check_text(text: str) -> str:
    """The text of a send, or a clear error."""
    if not text or not text.strip():
        raise DomainError("text.empty", _("The message text is empty."))
    if len(text) > MAX_TEXT:
        raise DomainError("text.too_long", _("The message text may be at most %(n)s characters."), n=MAX_TEXT)
    return text


def collect_numbers(raw_numbers: Iterable[str], distinct: bool = False) -> tuple[array, int]:
    """Normalised, de-duplicated numbers (as a compact int array, in first-seen order) and the
    count of duplicates; raises :class:`InvalidRecipients` listing bad ones by position.
    ``distinct``: the caller guarantees no duplicates (a database segment), so no set is kept
    and memory stays at 8 bytes a number."""
    seen: set[int] = set()
    ordered = array("q")
    invalid: list[tuple[int, str]] = []
    invalid_count = duplicates = 0
    for position, raw in enumerate(raw_numbers, start=1):
        try:
            number = int(normalise(str(raw)))
        except InvalidNumber:
            invalid_count += 1
            if len(invalid) < MAX_INVALID_LISTED:
                invalid.append((position, str(raw)))
            continue
        if not distinct:
            if number in seen:
                duplicates += 1
                continue
            seen.add(number)
        ordered.append(number)
    if invalid_count:
        raise InvalidRecipients(invalid, invalid_count)
    if not ordered:
        raise DomainError("recipients.empty", _("There are no recipients."))
    return ordered, duplicates


async def _router(line: Line) -> Any:
    """``number -> connection id``: the line's connection, or by recipient operator when the line allows it."""
    if not line.route_by_operator:
        return lambda number, operator: line.connection
    by_operator: dict[str, int] = {}
    classes = connector_classes()
    for conn in await OperatorConnection.objects().where(OperatorConnection.status == "active").order_by(OperatorConnection.id):
        cls = classes.get(conn.connector)
        for prefix in getattr(cls, "prefixes", ()) if cls else ():
            by_operator.setdefault(operator_of(prefix + "0" * (12 - len(prefix))), conn.id)
    return lambda number, operator: by_operator.get(operator, line.connection)


async def accept_send(
    user: User,
    raw_numbers: Iterable[str],
    text: str,
    *,
    line_id: Any = None,
    scheduled_at: datetime | None = None,
    source: str = "api",
    distinct: bool = False,
) -> SendJob:
    """Accept a send: validate, price, reserve credit, persist the job and its rows, queue it.
    ``distinct=True`` when the numbers are known to be unique (saves the de-duplication set)."""
    text = check_text(text)
    line = await usable_line(user, line_id)
    numbers, duplicates = collect_numbers(raw_numbers, distinct)
    sms = info(text)
    per_part = await price_per_part(user.tenant, line.kind, sms.encoding)
    wholesale_cost = (await wholesale_table(user.tenant))[(line.kind, sms.encoding)] * sms.parts
    opted_out: set[int] = set()
    if line.kind == "advertising":
        opted_out = {int(r["number"]) for r in await scoped(OptOut, user.tenant).select(OptOut.number)}
    overrides = {r["number"]: r["operator"] for r in await PortedNumber.select()} if await PortedNumber.count() < 200_000 else None
    blocked = sum(1 for n in numbers if n in opted_out) if opted_out else 0
    billable = len(numbers) - blocked
    cost = per_part * sms.parts
    now = datetime.now(UTC)
    if scheduled_at is not None and scheduled_at <= now:
        scheduled_at = None
    status = "scheduled" if scheduled_at else "queued"
    route = await _router(line)

    def rows(job_id: int) -> Iterable[tuple[Any, ...]]:
        for n in numbers:
            number = str(n)
            operator = operator_of(number, overrides) or ""
            row_status = "blocked" if n in opted_out else status
            yield (
                user.tenant,
                job_id,
                number,
                operator,
                route(number, operator),
                sms.parts,
                0 if row_status == "blocked" else cost,
                0 if row_status == "blocked" else wholesale_cost,
                row_status,
            )

    async with wholesale.refusals_recorded(user.tenant):
        await ledger.precheck(user.tenant, user.id, billable * cost, billable * wholesale_cost)
        async with writing():
            account = await ledger.account_for(user.tenant, user.id)
            job = SendJob(
                tenant=user.tenant,
                user=user.id,
                line=line.id,
                text=text,
                encoding=sms.encoding,
                parts=sms.parts,
                per_part=per_part,
                recipients=len(numbers),
                blocked=blocked,
                reserved=billable * cost,
                source=source,
                status=status,
                scheduled_at=scheduled_at,
                meta={"duplicates": duplicates},
            )
            await job.save()
            await bulk_insert(
                "recipient", ["tenant", "job", "number", "operator", "connection", "parts", "price", "wholesale", "status"], rows(job.id)
            )
            # Reserved last: both balance rows stay locked from here to the commit, not through the bulk insert.
            await ledger.reserve_job(account, job.id, billable, billable * cost, billable * wholesale_cost)
    if status == "queued":
        from payamak.messaging.actors import dispatch_job

        dispatch_job.send(job.id)
    from payamak.registry import announce
    from payamak.tables import Tenant
    from payamak.tenancy.services import enabled_plugins

    tenant = await Tenant.objects().where(Tenant.id == user.tenant).first()
    await announce("send_accepted", user.tenant, enabled_plugins(tenant), job_id=job.id)
    return job


@dataclass(frozen=True)
class PersonalRow:
    """One row of a peer-to-peer send: its own number, text and (optional) time."""

    number: str
    text: str
    send_at: datetime | None = None


class InvalidRows(DomainError):
    """Rows of a peer-to-peer send are wrong; nothing was accepted."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        listed = "; ".join(f"#{row} {field}: {problem}" for row, field, problem in errors[:MAX_INVALID_LISTED])
        super().__init__("rows.invalid", _("%(count)s rows are wrong (%(listed)s). Nothing was sent."), count=len(errors), listed=listed)
        self.errors = errors


async def accept_personal(user: User, rows: Iterable[PersonalRow], *, line_id: Any = None, source: str = "p2p") -> list[SendJob]:
    """Accept a peer-to-peer send: every row its own text and time. Rows sharing a time form one
    job; all jobs are reserved and written in one transaction — all or nothing."""
    line = await usable_line(user, line_id)
    now = datetime.now(UTC)
    groups: dict[datetime | None, list[tuple[str, str, int, int, int]]] = {}
    errors: list[tuple[int, str, str]] = []
    prices: dict[str, int] = {}
    wholesale_prices = await wholesale_table(user.tenant)
    for position, row in enumerate(rows, start=1):
        try:
            number = normalise(row.number)
        except InvalidNumber as exc:
            errors.append((position, "number", exc.message))
            continue
        try:
            text = check_text(row.text)
        except DomainError as exc:
            errors.append((position, "text", exc.message))
            continue
        sms = info(text)
        if sms.encoding not in prices:
            prices[sms.encoding] = await price_per_part(user.tenant, line.kind, sms.encoding)
        when = row.send_at if row.send_at is not None and row.send_at > now else None
        groups.setdefault(when, []).append(
            (number, text, sms.parts, sms.parts * prices[sms.encoding], sms.parts * wholesale_prices[(line.kind, sms.encoding)])
        )
    if errors:
        raise InvalidRows(errors)
    if not groups:
        raise DomainError("recipients.empty", _("There are no recipients."))
    opted_out: set[str] = set()
    if line.kind == "advertising":
        opted_out = {r["number"] for r in await scoped(OptOut, user.tenant).select(OptOut.number)}
    route = await _router(line)
    jobs: list[SendJob] = []
    billable_rows = [m for members in groups.values() for m in members if m[0] not in opted_out]
    async with wholesale.refusals_recorded(user.tenant):
        await ledger.precheck(user.tenant, user.id, sum(m[3] for m in billable_rows), sum(m[4] for m in billable_rows))
        await _persist_personal(user, line.id, groups, opted_out, route, now, source, jobs)
    from payamak.messaging.actors import dispatch_job

    for job in jobs:
        if job.status == "queued":
            dispatch_job.send(job.id)
    return jobs


async def _persist_personal(
    user: User,
    line_id: int,
    groups: dict[datetime | None, list[tuple[str, str, int, int, int]]],
    opted_out: set[str],
    route: Any,
    now: datetime,
    source: str,
    jobs: list[SendJob],
) -> None:
    """Write a peer-to-peer send's jobs (one per time) and rows, then reserve both balances: one transaction."""
    async with writing():
        account = await ledger.account_for(user.tenant, user.id)
        reservations: list[tuple[SendJob, int, int, int]] = []
        for when, members in sorted(groups.items(), key=lambda item: item[0] or now):
            status = "scheduled" if when else "queued"
            billable = [m for m in members if m[0] not in opted_out]
            total = sum(m[3] for m in billable)
            job = SendJob(
                tenant=user.tenant,
                user=user.id,
                line=line_id,
                text=members[0][1],
                encoding=info(members[0][1]).encoding,
                parts=max(m[2] for m in members),
                per_part=0,
                recipients=len(members),
                blocked=len(members) - len(billable),
                reserved=total,
                source=source,
                status=status,
                scheduled_at=when,
                meta={"personal": True},
            )
            await job.save()
            await bulk_insert(
                "recipient",
                ["tenant", "job", "number", "operator", "connection", "text", "parts", "price", "wholesale", "status"],
                (
                    (
                        user.tenant,
                        job.id,
                        n,
                        operator_of(n) or "",
                        route(n, operator_of(n)),
                        t,
                        parts,
                        0 if n in opted_out else price,
                        0 if n in opted_out else cost,
                        "blocked" if n in opted_out else status,
                    )
                    for n, t, parts, price, cost in members
                ),
            )
            jobs.append(job)
            reservations.append((job, total, sum(m[4] for m in billable), len(billable)))
        # Reserved last: both balance rows stay locked from here to the commit, not through the bulk inserts.
        for job, total, wholesale_total, count in reservations:
            await ledger.reserve_job(account, job.id, count, total, wholesale_total)


async def quote(user: User, recipients: int, text: str, line_id: Any = None) -> Quote:
    """The cost of sending ``text`` to ``recipients`` numbers from the chosen line."""
    text = check_text(text)
    line = await usable_line(user, line_id)
    sms = info(text)
    per_part = await price_per_part(user.tenant, line.kind, sms.encoding)
    return Quote(recipients, 0, sms.encoding, sms.parts, per_part, recipients * sms.parts * per_part)


async def user_job(user: User, job_id: Any) -> SendJob:
    """One of the user's send jobs, or :class:`NotFound`."""
    job = await scoped(SendJob, user.tenant).get(job_id)
    if job is None or job.user != user.id:
        raise NotFound("job")
    return job


async def cancel_job(user: User, job_id: Any) -> SendJob:
    """Cancel a scheduled job that has not started; its reservation is refunded in full."""
    job = await user_job(user, job_id)
    async with writing():
        changed = (
            await SendJob.update({SendJob.status: "cancelled", SendJob.finished_at: datetime.now(UTC)})
            .where((SendJob.id == job.id) & (SendJob.status == "scheduled"))
            .returning(SendJob.id)
        )
        if not changed:
            raise DomainError("job.not_cancellable", _("Only a scheduled send that has not started can be cancelled."), status_code=409)
        totals = await fetch(
            "SELECT COALESCE(SUM(price), 0) AS amount, COALESCE(SUM(wholesale), 0) AS wholesale, COUNT(*) AS n "
            "FROM recipient WHERE job = {} AND status = 'scheduled'",
            job.id,
        )
        await Recipient.update({Recipient.status: "cancelled"}).where((Recipient.job == job.id) & (Recipient.status == "scheduled"))
        await ledger.settle_job(
            job,
            refund=(int(totals[0]["amount"]), int(totals[0]["wholesale"])),
            count=(0, int(totals[0]["n"])),
            reason="scheduled send cancelled",
        )
    job.status = "cancelled"
    return job
