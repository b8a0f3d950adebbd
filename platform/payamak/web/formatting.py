"""Display formatting: Jalali dates in Asia/Tehran, Persian digits, money."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import jdatetime

from payamak.i18n import get_locale, localize_digits

TEHRAN = ZoneInfo("Asia/Tehran")


def as_tehran(value: datetime) -> datetime:
    """A stored (UTC) time in Tehran's zone; naive values are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TEHRAN)


def jalali(value: datetime | None, with_time: bool = True) -> str:
    """``1403/05/12 14:30`` (Jalali, Tehran time) in Persian; ISO-like Gregorian in English."""
    if value is None:
        return ""
    local = as_tehran(value)
    if get_locale() == "fa":
        j = jdatetime.datetime.fromgregorian(datetime=local)
        text = j.strftime("%Y/%m/%d %H:%M" if with_time else "%Y/%m/%d")
    else:
        text = local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    return localize_digits(text)


def money(value: int | None) -> str:
    """Rials with thousands separators, digits localised."""
    return localize_digits(f"{int(value or 0):,}".replace(",", "٬" if get_locale() == "fa" else ","))


def parse_jalali(text: str) -> datetime:
    """``Y/M/D H:m`` (Jalali, Persian or Latin digits, Tehran time) → an aware UTC datetime."""
    from payamak.i18n import latin_digits

    cleaned = latin_digits(text.strip())
    date_part, _, time_part = cleaned.partition(" ")
    y, m, d = (int(x) for x in date_part.replace("-", "/").split("/"))
    hh, mm = (int(x) for x in (time_part or "0:0").split(":")[:2])
    gregorian = jdatetime.datetime(y, m, d, hh, mm).togregorian()
    return gregorian.replace(tzinfo=TEHRAN).astimezone(UTC)
