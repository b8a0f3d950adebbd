"""What the three send pages share, and simple send itself (no HTTP here).

Every send goes through the messaging core (``payamak.messaging.pipeline``), which checks the
line, prices the text, reserves credit and persists the job in one transaction: a send the
core refuses (no credit, no active line) leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from payamak.boxes.services import templates_for, user_template
from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.messaging import ledger, pipeline, pricing
from payamak.messaging.lines import usable_line, usable_lines_query
from payamak.messaging.tables import Line, SendJob
from payamak.tables import Tenant, User
from payamak_sms_simple import recipients, timing

MAX_JOBS_SHOWN = 50


@dataclass
class Message:
    """The message half of a send form: line, text (or a template), and an optional future time."""

    line_id: Any = None
    text: str = ""
    template_id: Any = None
    schedule: bool = False
    send_date: str = ""
    send_time: str = ""

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> Message:
        """The fields of a submitted form (``line_id``, ``text``, ``template_id``, ``schedule``, ``send_date``, ``send_time``)."""
        return cls(
            line_id=data.get("line_id") or None,
            text=str(data.get("text") or ""),
            template_id=data.get("template_id") or None,
            schedule=bool(data.get("schedule")),
            send_date=str(data.get("send_date") or ""),
            send_time=str(data.get("send_time") or ""),
        )

    def values(self) -> dict[str, Any]:
        """The fields as the form shows them again."""
        return {
            "line_id": str(self.line_id or ""),
            "text": self.text,
            "template_id": str(self.template_id or ""),
            "schedule": self.schedule,
            "send_date": self.send_date,
            "send_time": self.send_time,
        }


def clean_newlines(text: str) -> str:
    """Line breaks as one ``\\n`` each: browsers submit ``\\r\\n``, which would count (and cost) twice."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


async def message_text(user: User, message: Message) -> str:
    """The text to send: the typed one, else the chosen template's; checked like every send's."""
    text = clean_newlines(message.text)
    if not text.strip() and message.template_id:
        text = clean_newlines((await user_template(user, message.template_id)).text)
    return pipeline.check_text(text)


def send_time(message: Message) -> datetime | None:
    """When to send: None for now, else the (future) Jalali date and time of the form."""
    if not message.schedule:
        return None
    return timing.form_send_time(message.send_date, message.send_time)


async def checked_message(user: User, message: Message) -> tuple[Line, str, datetime | None]:
    """The line, text and time of a send, each checked; the first problem is raised as a DomainError."""
    line = await usable_line(user, message.line_id)
    text = await message_text(user, message)
    return line, text, send_time(message)


async def price_json(tenant_id: int) -> dict[str, dict[str, int]]:
    """The tenant's price of a part as ``{line kind: {encoding: Rials}}`` (for the page's live cost)."""
    table: dict[str, dict[str, int]] = {}
    for (kind, encoding), price in (await pricing.price_table(tenant_id)).items():
        table.setdefault(kind, {})[encoding] = price
    return table


async def form_context(user: User) -> dict[str, Any]:
    """What every send form shows: usable lines, templates, prices, the balance, a default future time."""
    send_date, send_time_value = timing.default_send_time()
    account = await ledger.account_for(user.tenant, user.id)
    return {
        "lines": await usable_lines_query(user),
        "templates": await templates_for(user),
        "prices": await price_json(user.tenant),
        "balance": account.available,
        "default_date": send_date,
        "default_time": send_time_value,
    }


async def send_simple(user: User, tenant: Tenant, choice: recipients.Choice, message: Message) -> SendJob:
    """2-1: one text to the chosen recipients (at most 1,000 unique), now or at the chosen time."""
    line, text, when = await checked_message(user, message)
    found = await recipients.resolve(user, recipients.recipient_sources(tenant), choice)
    numbers = found.check()
    return await pipeline.accept_send(user, numbers, text, line_id=line.id, scheduled_at=when, source="simple")


async def user_jobs(user: User, job_ids: list[Any]) -> list[SendJob]:
    """The user's jobs of ``job_ids`` (another user's or tenant's id is NotFound)."""
    if not job_ids or len(job_ids) > MAX_JOBS_SHOWN:
        raise DomainError("jobs.none", _("No sends to show."), status_code=404)
    return [await pipeline.user_job(user, job_id) for job_id in job_ids]
