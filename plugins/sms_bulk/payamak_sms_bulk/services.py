"""Bulk sends of customers: calculate-count, the send request (refused without a fresh
calculation of the same selection), the background send and the report (8-3)."""

from __future__ import annotations

import asyncio
import secrets
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from payamak.db import fetch
from payamak.errors import DomainError, NotFound
from payamak.i18n import gettext as _
from payamak.i18n import lazy_gettext, localize_digits
from payamak.messaging.ledger import InsufficientCredit
from payamak.messaging.lines import usable_lines_query
from payamak.messaging.pipeline import accept_send, check_text
from payamak.messaging.pricing import price_per_part
from payamak.messaging.tables import CreditAccount, Line
from payamak.messaging.text import info
from payamak.settings import get_settings
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_sms_bulk import databases, reference, segments
from payamak_sms_bulk.segments import Selection
from payamak_sms_bulk.tables import BulkSend, Calculation

SAMPLE_TEXT = "ا"  # a one-part Persian message: the usual price of a part


@dataclass(frozen=True)
class Estimate:
    """A calculate-count as the page shows it."""

    calculation: Calculation
    parts: int
    per_part: int
    cost: int


def calculation_minutes() -> int:
    """How long a calculate-count stays valid for sending."""
    return int(get_settings().extra.get("BULK_CALCULATION_MINUTES", "15"))


async def advertising_lines(user: User) -> list[Line]:
    """The advertising lines the customer may send bulk messages from."""
    return await usable_lines_query(user).where(Line.kind == "advertising")


async def _line(user: User, line_id: Any) -> Line:
    for line in await advertising_lines(user):
        if str(line.id) == str(line_id) or line_id in (None, ""):
            return line
    raise DomainError("bulk.line", lazy_gettext("Choose one of your advertising lines."))


async def _price(user: User, text: str) -> tuple[int, int]:
    sms = info(text or SAMPLE_TEXT)
    return sms.parts, await price_per_part(user.tenant, "advertising", sms.encoding)


async def _check_credit(user: User, count: int, text: str) -> None:
    """Refuse at once a send the balance cannot cover (the pipeline checks again when reserving)."""
    parts, per_part = await _price(user, text)
    account = await scoped(CreditAccount, user.tenant).objects().where(CreditAccount.user == user.id).first()
    available = account.available if account else 0
    if count * parts * per_part > available:
        raise InsufficientCredit(count * parts * per_part, available)


async def calculate(user: User, database_id: Any, selection: Selection, text: str = "") -> Estimate:
    """Count a selection (and its skipped numbers), price it and record the calculation a send must present."""
    database = await databases.granted_database(user.tenant, database_id)
    segments.validate(selection)
    counts = await segments.count(database.id, selection, user.tenant)
    seed = secrets.randbelow(2**31 - 2) + 1 if selection.mode == "random" else 0
    calculation = await scoped(Calculation, user.tenant).create(
        user=user.id,
        database=database.id,
        selection=selection.as_dict(),
        key=selection.key(),
        seed=seed,
        segment_total=counts.total,
        count=counts.selected,
        opted_out=counts.opted_out,
        blacklisted=counts.blacklisted,
    )
    parts, per_part = await _price(user, text)
    return Estimate(calculation, parts, per_part, counts.selected * parts * per_part)


async def request_send(
    user: User,
    calculation_id: Any,
    database_id: Any,
    selection: Selection,
    text: str,
    *,
    line_id: Any = None,
    scheduled_at: datetime | None = None,
) -> BulkSend:
    """Queue a bulk send of the selection that calculation ``calculation_id`` counted."""
    text = check_text(text)
    try:
        calculation = await scoped(Calculation, user.tenant).get(int(calculation_id))
    except (TypeError, ValueError):
        calculation = None
    if calculation is None or calculation.user != user.id:
        raise DomainError("bulk.calculate_first", lazy_gettext("Calculate the count before sending."))
    if calculation.key != selection.key() or str(calculation.database) != str(database_id):
        raise DomainError(
            "bulk.selection_changed", lazy_gettext("The selection changed after the count was calculated; calculate it again.")
        )
    if calculation.created_at < datetime.now(UTC) - timedelta(minutes=calculation_minutes()):
        raise DomainError("bulk.calculation_stale", lazy_gettext("The calculated count is too old; calculate it again."))
    if calculation.count < 1:
        raise DomainError("bulk.nothing_selected", lazy_gettext("The selection has no numbers to send to."))
    line = await _line(user, line_id)
    await _check_credit(user, calculation.count, text)
    used = (
        await scoped(Calculation, user.tenant)
        .update({Calculation.used_at: datetime.now(UTC)})
        .where((Calculation.id == calculation.id) & Calculation.used_at.is_null())
        .returning(Calculation.id)
    )
    if not used:
        raise DomainError("bulk.calculation_used", lazy_gettext("This count was already sent; calculate it again."))
    await databases.granted_database(user.tenant, calculation.database)
    bulk = await scoped(BulkSend, user.tenant).create(
        user=user.id,
        database=calculation.database,
        calculation=calculation.id,
        segment=selection.segment,
        selection=selection.as_dict(),
        mode=selection.mode,
        seed=calculation.seed,
        start=selection.start,
        requested=selection.count,
        line=line.id,
        text=text,
        scheduled_at=scheduled_at,
    )
    from payamak_sms_bulk.actors import run_bulk_send

    run_bulk_send.send(bulk.tenant, bulk.id)
    return bulk


async def selected_numbers(bulk: BulkSend) -> array:
    """The numbers a bulk send selects, as a compact array (8 bytes a number), progress recorded."""
    numbers = array("q")
    selection = Selection.from_dict(bulk.selection)
    async for chunk in segments.stream(bulk.database, selection, bulk.tenant, bulk.seed):
        numbers.extend(chunk)
        await scoped(BulkSend, bulk.tenant).update({BulkSend.progress: len(numbers)}).where(BulkSend.id == bulk.id)
    return numbers


async def run_send(tenant_id: int, bulk_id: int) -> BulkSend | None:
    """The background half of a bulk send: select the numbers and hand them to the send pipeline."""
    bulk = await scoped(BulkSend, tenant_id).get(bulk_id)
    if bulk is None or bulk.status != "pending":
        return bulk
    await scoped(BulkSend, tenant_id).update({BulkSend.status: "selecting"}).where(BulkSend.id == bulk.id)
    user = await User.objects().where(User.id == bulk.user).first()
    try:
        counts = await segments.count(bulk.database, Selection.from_dict(bulk.selection), tenant_id)
        numbers = await selected_numbers(bulk)
        if not numbers:
            raise DomainError("bulk.nothing_selected", lazy_gettext("The selection has no numbers to send to."))
        job = await accept_send(
            user, (str(n) for n in numbers), bulk.text, line_id=bulk.line, scheduled_at=bulk.scheduled_at, source="bulk", distinct=True
        )
    except DomainError as exc:
        await (
            scoped(BulkSend, tenant_id).update({BulkSend.status: "failed", BulkSend.error: str(exc.message)}).where(BulkSend.id == bulk.id)
        )
        return await scoped(BulkSend, tenant_id).get(bulk.id)
    except Exception:
        # Not the customer's error: recorded so the page stops waiting, and re-raised for the logs.
        await (
            scoped(BulkSend, tenant_id)
            .update({BulkSend.status: "failed", BulkSend.error: _("The send could not be prepared.")})
            .where(BulkSend.id == bulk.id)
        )
        raise
    values = {
        BulkSend.status: "accepted",
        BulkSend.job: job.id,
        BulkSend.selected: len(numbers),
        BulkSend.skipped_opt_out: counts.opted_out,
        BulkSend.skipped_blacklist: counts.blacklisted,
        BulkSend.cost: job.reserved,
        BulkSend.accepted_at: datetime.now(UTC),
    }
    await scoped(BulkSend, tenant_id).update(values).where(BulkSend.id == bulk.id)
    return await scoped(BulkSend, tenant_id).get(bulk.id)


async def wait_finished(tenant_id: int, bulk_id: int, seconds: float = 60.0) -> BulkSend:
    """Wait until the background half of a bulk send has finished (tests, benches, the CLI)."""
    bulk = None
    for _attempt in range(int(seconds / 0.05)):
        bulk = await scoped(BulkSend, tenant_id).get(bulk_id)
        if bulk is None or bulk.status in ("accepted", "failed"):
            return bulk
        await asyncio.sleep(0.05)
    raise TimeoutError(f"bulk send {bulk_id} still {bulk.status if bulk else '?'}")


async def user_bulk(user: User, bulk_id: Any) -> BulkSend:
    """One of the customer's bulk sends, or :class:`NotFound`."""
    bulk = await scoped(BulkSend, user.tenant).get(bulk_id)
    if bulk is None or bulk.user != user.id:
        raise NotFound("bulk send")
    return bulk


def describe(selection: dict[str, Any]) -> str:
    """A selection in words: the segment and what was chosen."""
    names = reference.names()
    s = Selection.from_dict(selection)
    label = segment_labels()[s.segment]
    chosen = [names.get(v, v) for v in s.values]
    if s.segment == "irancell":
        chosen.insert(0, localize_digits(s.prefix))
        if s.gender:
            chosen.insert(1, gender_labels()[s.gender])
    elif s.segment == "postal_city":
        chosen = [names.get(s.province, s.province)] + ([names.get(s.city, s.city)] if s.city else [])
    elif s.segment == "postal_code":
        chosen = [localize_digits(s.postal5)]
    return f"{label}: {'، '.join(chosen)}" if chosen else str(label)


def segment_labels() -> dict[str, str]:
    """The segments as the panel names them."""
    return {
        "regional": _("Regional (areas of Tehran and Karaj)"),
        "suburb": _("Suburbs of Tehran"),
        "guild": _("Guilds"),
        "irancell": _("Irancell"),
        "postal_city": _("Postal code: province and city"),
        "postal_code": _("Postal code: first 5 digits"),
    }


def mode_labels() -> dict[str, str]:
    """The send modes as the panel names them."""
    return {"public": _("Public (all)"), "sequential": _("Selective: sequential"), "random": _("Selective: random")}


def gender_labels() -> dict[str, str]:
    return {"m": _("Men"), "f": _("Women")}


@dataclass(frozen=True)
class ReportRow:
    """One bulk send in the report (8-3)."""

    bulk: BulkSend
    description: str
    delivered: int
    undelivered: int
    pending: int
    blocked: int


async def delivery_figures(job_ids: list[int]) -> dict[int, dict[str, int]]:
    """Recipient rows by status, for each job."""
    figures: dict[int, dict[str, int]] = {}
    if not job_ids:
        return figures
    marks = ", ".join("{}" for _ in job_ids)
    for row in await fetch(f"SELECT job, status, COUNT(*) AS n FROM recipient WHERE job IN ({marks}) GROUP BY job, status", *job_ids):
        figures.setdefault(int(row["job"]), {})[row["status"]] = int(row["n"])
    return figures


async def report(user: User, start: datetime, end: datetime) -> list[ReportRow]:
    """The customer's bulk sends created in ``[start, end)``, newest first, with delivery figures."""
    sends = (
        await scoped(BulkSend, user.tenant)
        .objects()
        .where((BulkSend.user == user.id) & (BulkSend.created_at >= start) & (BulkSend.created_at < end))
        .order_by(BulkSend.id, ascending=False)
    )
    figures = await delivery_figures([b.job for b in sends if b.job])
    rows = []
    for bulk in sends:
        f = figures.get(bulk.job or 0, {})
        delivered = f.get("delivered", 0)
        undelivered = sum(f.get(s, 0) for s in ("undelivered", "failed", "expired", "cancelled"))
        blocked = f.get("blocked", 0)
        pending = sum(f.values()) - delivered - undelivered - blocked
        rows.append(ReportRow(bulk, describe(bulk.selection), delivered, undelivered, pending, blocked))
    return rows
