"""Send times: the “send in future” fields of the send forms and the time cells of peer-to-peer rows.

Times are Jalali, in Tehran's zone, typed with Persian or Latin digits; they are stored in UTC.
A time that has already passed is refused: a send goes at the time the user asked for, or not
at all (a row or a form with no time at all goes at once).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jdatetime

from payamak.errors import DomainError
from payamak.i18n import latin_digits
from payamak.i18n import lazy_gettext as _
from payamak.web.formatting import TEHRAN, as_tehran, jalali, parse_jalali

DATE = re.compile(r"^(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})$")
TIME = re.compile(r"^(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*\d{1,2})?$")
DATE_TIME = re.compile(r"^(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s+(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*\d{1,2})?$")


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def _clean(value: Any) -> str:
    return " ".join(latin_digits(str(value or "")).split())


def _moment(y: str, m: str, d: str, hh: str, mm: str) -> datetime | None:
    """A Jalali date and time (Tehran) in UTC, or None when it does not exist."""
    hour, minute = int(hh), int(mm)
    if hour > 23 or minute > 59:
        return None
    try:
        return parse_jalali(f"{int(y)}/{int(m)}/{int(d)} {hour}:{minute}")
    except (ValueError, TypeError, OverflowError):
        return None


def check_future(moment: datetime, current: datetime | None = None) -> datetime:
    """``moment`` if it is still ahead, else a clear error naming it."""
    if moment <= (current or now()):
        raise DomainError("schedule.past", _("%(when)s has already passed: choose a time in the future."), when=jalali(moment))
    return moment


def form_send_time(date_text: Any, time_text: Any, current: datetime | None = None) -> datetime:
    """The time of a “send in future”: a Jalali date (``1403/05/12``) and a time (``14:30``), in the future."""
    date_part, time_part = _clean(date_text), _clean(time_text)
    if not date_part:
        raise DomainError("schedule.no_date", _("Choose the date to send on (Jalali, e.g. 1403/05/12)."))
    d = DATE.match(date_part)
    if d is None:
        raise DomainError(
            "schedule.bad_date", _("“%(value)s” is not a Jalali date: write year/month/day, e.g. 1403/05/12."), value=str(date_text)
        )
    t = TIME.match(time_part)
    if t is None:
        raise DomainError("schedule.bad_time", _("“%(value)s” is not a time: write hour:minute, e.g. 14:30."), value=str(time_text or ""))
    if int(t.group(1)) > 23 or int(t.group(2)) > 59:
        raise DomainError("schedule.bad_time", _("“%(value)s” is not a time: write hour:minute, e.g. 14:30."), value=str(time_text))
    moment = _moment(*d.groups(), *t.groups())
    if moment is None:
        raise DomainError(
            "schedule.bad_date", _("“%(value)s” is not a Jalali date: write year/month/day, e.g. 1403/05/12."), value=str(date_text)
        )
    return check_future(moment, current)


def row_send_time(value: Any, current: datetime | None = None) -> datetime | None:
    """The time cell of a peer-to-peer row: empty (at once), Jalali ``Y/M/D H:m`` text, or a
    spreadsheet date-time (taken as Tehran time); raises a :class:`DomainError` saying what is wrong."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = (value if value.tzinfo else value.replace(tzinfo=TEHRAN)).astimezone(UTC)
        return check_future(moment, current)
    text = _clean(value)
    match = DATE_TIME.match(text) if not isinstance(value, date | float | int) else None
    moment = _moment(*match.groups()) if match else None
    if moment is None:
        raise DomainError(
            "schedule.bad_row_time",
            _("“%(value)s” is not a Jalali time: write year/month/day hour:minute, e.g. 1403/5/12 14:30."),
            value=str(value),
        )
    return check_future(moment, current)


def parse_stored(value: Any) -> datetime | None:
    """A time kept as ISO 8601 text (or None) back as an aware datetime."""
    return datetime.fromisoformat(value) if value else None


def default_send_time(current: datetime | None = None) -> tuple[str, str]:
    """The next full hour in Tehran as (Jalali date, time): ``("1403/05/12", "15:00")``, to start the fields from."""
    local = as_tehran((current or now()) + timedelta(hours=1))
    day = jdatetime.date.fromgregorian(date=local.date()).strftime("%Y/%m/%d")
    return day, f"{local.hour:02d}:00"
