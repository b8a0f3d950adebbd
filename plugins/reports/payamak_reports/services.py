"""Report figures (no HTTP): the criteria of a report, totals and per-day series of sent (8-1)
and received (8-2) messages, and the dashboard's figures.

Days are Tehran days. A sent message belongs to the day its send was accepted
(``SendJob.created_at``); a received one to the day it arrived. Each day is one aggregate
query grouped by status, so no report ever holds rows in memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import jdatetime
from piccolo.query.functions.aggregate import Count, Sum

from payamak.errors import DomainError
from payamak.i18n import latin_digits
from payamak.i18n import lazy_gettext as _
from payamak.messaging.tables import InboundMessage, Line, Recipient
from payamak.tables import User
from payamak.tenancy import scoped
from payamak.web.formatting import TEHRAN

MAX_DAYS = 366
DELIVERED = frozenset({"delivered"})
UNDELIVERED = frozenset({"undelivered", "failed", "expired"})
NOT_SENT = frozenset({"cancelled", "blocked"})  # never left: neither delivered nor pending
PENDING = frozenset({"scheduled", "queued", "claimed", "submitting", "submitted", "unconfirmed"})
UNCHARGED = frozenset({"failed", "cancelled", "blocked"})  # refunded or never charged
STATUS_FILTERS = ("delivered", "undelivered", "pending")


def percent(value: float) -> str:
    """``60.0%`` as the locale writes it (``۶۰٫۰٪`` in Persian)."""
    from payamak.i18n import get_locale, localize_digits

    if get_locale() == "fa":
        return localize_digits(f"{value:.1f}").replace(".", "٫") + "٪"
    return f"{value:.1f}%"


def status_group(status: str) -> str:
    """``delivered``, ``undelivered``, ``pending`` or ``not_sent`` for a recipient row's status."""
    if status in DELIVERED:
        return "delivered"
    if status in UNDELIVERED:
        return "undelivered"
    if status in NOT_SENT:
        return "not_sent"
    return "pending"


def jalali_text(day: date) -> str:
    return jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")


def parse_day(text: str) -> date:
    """A Jalali ``Y/M/D`` (Persian or Latin digits) → the Gregorian date."""
    y, m, d = (int(x) for x in latin_digits(text.strip()).replace("-", "/").split("/"))
    return jdatetime.date(y, m, d).togregorian()


def today() -> date:
    return datetime.now(TEHRAN).date()


def day_start(day: date) -> datetime:
    """Midnight of a Tehran day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=TEHRAN).astimezone(UTC)


@dataclass
class Criteria:
    """A report's range (Tehran days, inclusive) and filters."""

    first: date
    last: date
    line: int | None = None
    status: str = ""

    @classmethod
    def parse(cls, values: dict[str, Any]) -> Criteria:
        """From the form: ``date_from``/``date_to`` (Jalali), ``line``, ``status``; the last 30 days by default."""
        try:
            last = parse_day(values["date_to"]) if values.get("date_to") else today()
            first = parse_day(values["date_from"]) if values.get("date_from") else last - timedelta(days=29)
        except (ValueError, TypeError):
            raise DomainError("date", _("Enter dates as year/month/day, for example 1403/05/01.")) from None
        if first > last:
            raise DomainError("date", _("The first day is after the last day."))
        if (last - first).days >= MAX_DAYS:
            raise DomainError("date", _("A report covers at most %(n)s days.", n=MAX_DAYS))
        line = str(values.get("line") or "").strip()
        status = str(values.get("status") or "")
        return cls(first, last, int(line) if line.isdigit() else None, status if status in STATUS_FILTERS else "")

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def form(self) -> dict[str, str]:
        return {
            "date_from": jalali_text(self.first),
            "date_to": jalali_text(self.last),
            "line": str(self.line or ""),
            "status": self.status,
        }


@dataclass
class Figures:
    """Totals of a day or a range."""

    messages: int = 0
    parts: int = 0
    cost: int = 0
    groups: dict[str, int] = field(default_factory=lambda: {"delivered": 0, "undelivered": 0, "pending": 0, "not_sent": 0})

    def add(self, other: Figures) -> None:
        self.messages += other.messages
        self.parts += other.parts
        self.cost += other.cost
        for key, value in other.groups.items():
            self.groups[key] += value

    def share(self, group: str) -> float:
        """The percentage of messages in ``group`` (0 when there are none)."""
        return round(100 * self.groups[group] / self.messages, 1) if self.messages else 0.0

    @property
    def delivery_rate(self) -> float:
        """Delivered out of those with a final answer (delivered or not), as a percentage."""
        done = self.groups["delivered"] + self.groups["undelivered"]
        return round(100 * self.groups["delivered"] / done, 1) if done else 0.0


def _status_condition(status: str) -> Any:
    groups = {"delivered": DELIVERED, "undelivered": UNDELIVERED, "pending": PENDING}
    return Recipient.status.is_in(sorted(groups[status]))


def sent_query(user: User, criteria: Criteria, start: datetime, end: datetime) -> Any:
    """The where-clause of the user's recipient rows of sends accepted in ``[start, end)``."""
    condition = (
        (Recipient.tenant == user.tenant)
        & (Recipient.job.user == user.id)
        & (Recipient.job.created_at >= start)
        & (Recipient.job.created_at < end)
    )
    if criteria.line:
        condition &= Recipient.job.line == criteria.line
    if criteria.status:
        condition &= _status_condition(criteria.status)
    return condition


async def _sent_day(user: User, criteria: Criteria, day: date) -> Figures:
    rows = await (
        Recipient.select(Recipient.status, Count(alias="n"), Sum(Recipient.parts, alias="parts"), Sum(Recipient.price, alias="cost"))
        .where(sent_query(user, criteria, day_start(day), day_start(day + timedelta(days=1))))
        .group_by(Recipient.status)
    )
    figures = Figures()
    for row in rows:
        n = int(row["n"] or 0)
        figures.messages += n
        figures.parts += int(row["parts"] or 0)
        if row["status"] not in UNCHARGED:
            figures.cost += int(row["cost"] or 0)
        figures.groups[status_group(row["status"])] += n
    return figures


async def sent_report(user: User, criteria: Criteria) -> tuple[Figures, list[tuple[date, Figures]]]:
    """8-1: totals and the per-day figures of the user's sent messages."""
    total, series = Figures(), []
    for day in criteria.days:
        figures = await _sent_day(user, criteria, day)
        total.add(figures)
        series.append((day, figures))
    return total, series


def received_query(user: User, criteria: Criteria, start: datetime, end: datetime) -> Any:
    condition = (
        (InboundMessage.tenant == user.tenant)
        & (InboundMessage.owner == user.id)
        & (InboundMessage.received_at >= start)
        & (InboundMessage.received_at < end)
    )
    if criteria.line:
        condition &= InboundMessage.line == criteria.line
    return condition


async def received_report(user: User, criteria: Criteria) -> tuple[int, list[tuple[date, int]]]:
    """8-2: the number of messages received on the user's lines, in total and per day."""
    series = []
    for day in criteria.days:
        n = await InboundMessage.count().where(received_query(user, criteria, day_start(day), day_start(day + timedelta(days=1))))
        series.append((day, n))
    return sum(n for _, n in series), series


async def user_lines(user: User) -> list[dict[str, Any]]:
    """The lines the user sends from or receives on (for the line filter)."""
    return await scoped(Line, user.tenant).select(Line.id, Line.number).where(Line.owner == user.id).order_by(Line.number)


async def dashboard_figures(tenant_id: int, user_id: int) -> dict[str, Any]:
    """The dashboard's traffic: today's sends and delivery rate, and the last 30 days by day."""
    user = await User.objects().where((User.id == user_id) & (User.tenant == tenant_id)).first()
    if user is None or user.role != "customer":
        return {}
    last = today()
    today_figures = await _sent_day(user, Criteria(last, last), last)
    criteria = Criteria(last - timedelta(days=29), last)
    _total, series = await sent_report(user, criteria)
    days = [{"day": jalali_text(day), "figures": f} for day, f in series]
    chart = {
        "labels": [d["day"] for d in days],
        "datasets": {group: [d["figures"].groups[group] for d in days] for group in ("delivered", "undelivered", "pending")},
    }
    return {"traffic_today": today_figures, "traffic_30": days, "traffic_30_chart": json.dumps(chart), "reports_percent": percent}
