"""The message boxes' logic (no HTTP): search criteria, 7 Templates, 4 Inbox, 15 Trash, replies and forwards
(5 Outbox and 5-1 scheduled sends are in :mod:`payamak.boxes.outbox`).

Every query goes through ``scoped(…, user.tenant)`` and is limited to the user's own rows
(inbox: ``owner``; outbox: the job's ``user``), so another tenant's or another user's id is
simply not found.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any

import jdatetime

from payamak.db import fetch, is_postgres, writing
from payamak.errors import DomainError, NotFound
from payamak.i18n import latin_digits, localize_digits
from payamak.i18n import lazy_gettext as _
from payamak.messaging import pipeline
from payamak.messaging.lines import clean_line_number
from payamak.messaging.numbers import try_normalise
from payamak.messaging.tables import InboundMessage, SendJob
from payamak.tables import User
from payamak.tenancy import scoped
from payamak.web.formatting import TEHRAN

from .tables import Template

MAX_TEMPLATES = 100
PAGE_SIZE = 25
EXPORT_CHUNK = 5_000
NUMBER_SPLIT = re.compile(r"[\n\r,،;؛]+")


# --- pages and search criteria -------------------------------------------------------------


@dataclass
class Page:
    """One page of a list: its rows, the total and where it is."""

    rows: list[Any]
    total: int
    page_no: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def window(self) -> list[int]:
        """Page numbers to link: the first, the last and three either side of this one."""
        near = range(max(1, self.page_no - 3), min(self.pages, self.page_no + 3) + 1)
        return sorted({1, self.pages, *near})


def page_number(value: Any) -> int:
    """A page number from a query string (Persian or Latin digits); anything else is page 1."""
    try:
        return max(1, int(latin_digits(str(value or "1"))))
    except ValueError:
        return 1


def parse_moment(raw: Any, *, end: bool = False) -> datetime | None:
    """A search bound: Jalali ``Y/M/D`` or ``Y/M/D H:m`` (Tehran time; Persian or Latin digits),
    or a Gregorian ISO date/time. ``end`` makes it exclusive: the day (or minute) after."""
    text = latin_digits(str(raw or "")).strip()
    if not text:
        return None
    try:
        date_part, _sep, time_part = text.replace("T", " ").partition(" ")
        y, m, d = (int(x) for x in date_part.replace("-", "/").split("/"))
        if time_part and ("+" in time_part or time_part.endswith("Z") or time_part.count(":") > 1):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        hh, mm = (int(x) for x in [*time_part.split(":"), "0"][:2]) if time_part else (0, 0)
        if y >= 1700:
            local = datetime(y, m, d, hh, mm, tzinfo=TEHRAN)
        else:
            local = jdatetime.datetime(y, m, d, hh, mm).togregorian().replace(tzinfo=TEHRAN)
    except (ValueError, TypeError):
        raise DomainError("search.bad_date", _("“%(value)s” is not a date: use Jalali Y/M/D, e.g. 1403/05/12."), value=raw) from None
    if end:
        local = local + (timedelta(minutes=1) if time_part else timedelta(days=1))
    return local.astimezone(UTC)


def text_variants(term: str) -> list[str]:
    """A text term as typed, with Persian ی/ک and with Arabic ي/ك (phones send either)."""
    persian = term.replace("ي", "ی").replace("ك", "ک").replace("ى", "ی")
    arabic = persian.replace("ی", "ي").replace("ک", "ك")
    return list(dict.fromkeys([term, persian, arabic]))


def number_patterns(raw: str) -> list[str]:
    """LIKE patterns for a (partial) number as people type it: ``0912…``, ``+98912…``, ``912…``, Persian digits.
    Numbers are stored as ``98912…``; a leading ``0`` (or ``0098``) is also tried as ``98``."""
    term = latin_digits(raw).strip()
    digits = "".join(ch for ch in term if ch.isdigit())
    if not digits:
        return [f"%{term}%"]
    options = [digits]
    if digits.startswith("0098"):
        options.append(digits[2:])
    elif digits.startswith("0") and len(digits) > 1:
        options.append("98" + digits[1:])
    return [f"%{o}%" for o in dict.fromkeys(options)]


def any_of(conditions: list[Any]) -> Any:
    """Any of the conditions (an OR of them)."""
    return reduce(operator.or_, conditions)


@dataclass(frozen=True)
class Criteria:
    """A search of a box: a (partial) number, a text, a time range and (outbox) a sender line."""

    number: str = ""
    text: str = ""
    line: str = ""
    since: datetime | None = None
    until: datetime | None = None
    values: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, values: Mapping[str, Any], number_field: str = "sender") -> Criteria:
        """From a form or query string: ``<number_field>``, ``text``, ``line``, ``date_from``, ``date_to``."""
        clean = {k: str(values.get(k) or "").strip() for k in (number_field, "text", "line", "date_from", "date_to")}
        line = clean_line_number(clean["line"]) if clean["line"] else ""
        return cls(
            number=clean[number_field],
            text=clean["text"],
            line=line,
            since=parse_moment(clean["date_from"]),
            until=parse_moment(clean["date_to"], end=True),
            values=clean,
        )

    @property
    def active(self) -> bool:
        return bool(self.number or self.text or self.line or self.since or self.until)


# --- 7 Templates ---------------------------------------------------------------------------------


def clean_template_text(text: Any) -> str:
    """A template's text, or a clear error (empty, or longer than a send allows)."""
    value = str(text or "").strip()
    if not value:
        raise DomainError("template.empty", _("The template text is empty."))
    if len(value) > pipeline.MAX_TEXT:
        raise DomainError("template.too_long", _("A template may be at most %(n)s characters."), n=localize_digits(pipeline.MAX_TEXT))
    return value


async def templates_for(user: User) -> list[Template]:
    """The user's templates, newest first: what send forms (and auto-reply) offer to pick from."""
    return await scoped(Template, user.tenant).objects().where(Template.user == user.id).order_by(Template.id, ascending=False)


async def template_count(user: User) -> int:
    return await scoped(Template, user.tenant).count().where(Template.user == user.id)


async def templates_page(user: User, page_no: int = 1) -> Page:
    total = await template_count(user)
    rows = (
        await scoped(Template, user.tenant)
        .objects()
        .where(Template.user == user.id)
        .order_by(Template.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset((page_no - 1) * PAGE_SIZE)
    )
    return Page(rows, total, page_no)


async def user_template(user: User, template_id: Any) -> Template:
    """One of the user's templates, or :class:`NotFound`."""
    row = await scoped(Template, user.tenant).get(template_id)
    if row is None or row.user != user.id:
        raise NotFound("template")
    return row


async def add_template(user: User, text: Any) -> Template:
    """Save a template; the 101st is refused (counted under a lock so two saves cannot both pass)."""
    value = clean_template_text(text)
    async with writing():
        if is_postgres():
            await fetch("SELECT id FROM account WHERE id = {} FOR UPDATE", user.id)
        if await template_count(user) >= MAX_TEMPLATES:
            raise DomainError(
                "template.limit",
                _("You already have %(n)s templates, the most allowed. Delete one to save another."),
                n=localize_digits(MAX_TEMPLATES),
                status_code=409,
            )
        return await scoped(Template, user.tenant).create(user=user.id, text=value)


async def update_template(user: User, template_id: Any, text: Any) -> Template:
    row = await user_template(user, template_id)
    row.text = clean_template_text(text)
    await scoped(Template, user.tenant).update({Template.text: row.text}).where(Template.id == row.id)
    return row


async def delete_template(user: User, template_id: Any) -> None:
    row = await user_template(user, template_id)
    await scoped(Template, user.tenant).delete().where(Template.id == row.id)


# --- 4 Inbox and 15 Trash ------------------------------------------------------------------------


def _inbox_where(user: User, folder: str, criteria: Criteria) -> list[Any]:
    where = [InboundMessage.owner == user.id, InboundMessage.folder == folder]
    if criteria.number:
        where.append(any_of([InboundMessage.sender.ilike(p) for p in number_patterns(criteria.number)]))
    if criteria.text:
        where.append(any_of([InboundMessage.text.ilike(f"%{t}%") for t in text_variants(criteria.text)]))
    if criteria.since:
        where.append(InboundMessage.received_at >= criteria.since)
    if criteria.until:
        where.append(InboundMessage.received_at < criteria.until)
    return where


INBOX_COLUMNS = (
    InboundMessage.id,
    InboundMessage.sender,
    InboundMessage.text,
    InboundMessage.received_at,
    InboundMessage.line,
    InboundMessage.line.number.as_alias("line_number"),
)


async def box_page(user: User, criteria: Criteria, page_no: int = 1, folder: str = "inbox") -> Page:
    """A page of the inbox (or the trash), newest first, filtered by ``criteria``."""
    where = _inbox_where(user, folder, criteria)
    total = await scoped(InboundMessage, user.tenant).count().where(*where)
    rows = (
        await scoped(InboundMessage, user.tenant)
        .select(*INBOX_COLUMNS)
        .where(*where)
        .order_by(InboundMessage.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset((page_no - 1) * PAGE_SIZE)
    )
    return Page(rows, total, page_no)


async def inbox_chunks(user: User, criteria: Criteria, chunk: int = EXPORT_CHUNK) -> AsyncIterator[list[dict[str, Any]]]:
    """Every inbox message matching ``criteria``, newest first, ``chunk`` rows at a time (paged by id)."""
    where = _inbox_where(user, "inbox", criteria)
    last: int | None = None
    while True:
        query = scoped(InboundMessage, user.tenant).select(*INBOX_COLUMNS).where(*where)
        if last is not None:
            query = query.where(InboundMessage.id < last)
        rows = await query.order_by(InboundMessage.id, ascending=False).limit(chunk)
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


async def latest_received(tenant_id: int, user_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """The newest messages in a user's inbox (the dashboard widget)."""
    return (
        await scoped(InboundMessage, tenant_id)
        .select(*INBOX_COLUMNS)
        .where((InboundMessage.owner == user_id) & (InboundMessage.folder == "inbox"))
        .order_by(InboundMessage.id, ascending=False)
        .limit(limit)
    )


async def received_message(user: User, message_id: Any, folder: str = "inbox") -> InboundMessage:
    """A message in the user's inbox (or trash), or :class:`NotFound`."""
    row = await scoped(InboundMessage, user.tenant).get(message_id)
    if row is None or row.owner != user.id or row.folder != folder:
        raise NotFound("message")
    return row


def _ids(ids: Any) -> list[int]:
    out = []
    for value in ids if isinstance(ids, list | tuple | set) else [ids]:
        try:
            out.append(int(latin_digits(str(value))))
        except ValueError:
            continue
    return out


async def _move(user: User, ids: Any, source: str, target: str | None) -> int:
    wanted = _ids(ids)
    if not wanted:
        raise DomainError("box.none_selected", _("Select at least one message."))
    where = (InboundMessage.owner == user.id) & (InboundMessage.folder == source) & InboundMessage.id.is_in(wanted)
    async with writing():
        if target is None:
            done = await scoped(InboundMessage, user.tenant).delete().where(where).returning(InboundMessage.id)
        else:
            done = (
                await scoped(InboundMessage, user.tenant).update({InboundMessage.folder: target}).where(where).returning(InboundMessage.id)
            )
    return len(done)


async def move_to_trash(user: User, ids: Any) -> int:
    """Move inbox messages to the trash; returns how many moved (ids not in the user's inbox are skipped)."""
    return await _move(user, ids, "inbox", "trash")


async def restore(user: User, ids: Any) -> int:
    """Put messages of the trash back in the inbox."""
    return await _move(user, ids, "trash", "inbox")


async def delete_for_good(user: User, ids: Any) -> int:
    """Delete messages of the trash for good."""
    return await _move(user, ids, "trash", None)


# --- sends from the boxes: reply, forward, their cost ---------------------------------------------


def split_numbers(raw: Any) -> list[str]:
    """Numbers typed one a line or separated by commas (Persian or Latin digits)."""
    return [n.strip() for n in NUMBER_SPLIT.split(latin_digits(str(raw or ""))) if n.strip()]


def can_reply(message: InboundMessage) -> bool:
    """Whether the sender is a mobile number that can be answered."""
    return try_normalise(message.sender) is not None


async def reply(user: User, message_id: Any, text: Any, line_id: Any = None) -> SendJob:
    """Answer a received message: a send to its sender from one of the user's lines."""
    message = await received_message(user, message_id)
    if not can_reply(message):
        raise DomainError("reply.not_mobile", _("“%(sender)s” is not a mobile number: it cannot be answered."), sender=message.sender)
    return await pipeline.accept_send(user, [message.sender], str(text or ""), line_id=line_id, source="reply")


async def forward(user: User, text: str, raw_numbers: Any, line_id: Any = None) -> SendJob:
    """Send a received or sent text on to other numbers."""
    numbers = split_numbers(raw_numbers)
    if not numbers:
        raise DomainError("forward.no_numbers", _("Type at least one number to forward to."))
    return await pipeline.accept_send(user, numbers, text, line_id=line_id, source="forward")


async def cost(user: User, text: Any, recipients: int = 1, line_id: Any = None) -> pipeline.Quote:
    """What sending ``text`` to ``recipients`` numbers from the line would cost (shown before sending)."""
    return await pipeline.quote(user, max(recipients, 1), str(text or ""), line_id)
