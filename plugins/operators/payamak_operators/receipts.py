"""Delivery receipts: a lenient parser of the receipt text, status mapping, and id matching.

The SMPP 3.4 appendix B receipt text is ``id:IIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm
done date:YYMMDDhhmm stat:DDDDDDD err:E text:…``, but SMSCs vary: ids in decimal where the
``submit_sm_resp`` gave hex (or zero-padded), dates with seconds (12 digits), keys in other
cases or with underscores, fields missing. The parser takes what is there and never raises;
the ``receipted_message_id`` TLV, when present, wins over the text's id.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from payamak.messaging.connectors import DELIVERED, EXPIRED, REJECTED, UNDELIVERED

# Iran has kept standard time (UTC+03:30) all year since 2022.
TEHRAN = timezone(timedelta(hours=3, minutes=30), "IRST")

#: The standard ``stat:`` words (and common spellings) mapped onto the core's statuses;
#: ``None`` marks an intermediate state that is not reported.
STANDARD_STATUSES: dict[str, str | None] = {
    "DELIVRD": DELIVERED,
    "DELIVERED": DELIVERED,
    "UNDELIV": UNDELIVERED,
    "UNDELIVERABLE": UNDELIVERED,
    "UNDELIVERED": UNDELIVERED,
    "FAILED": UNDELIVERED,
    "DELETED": UNDELIVERED,
    "UNKNOWN": UNDELIVERED,
    "EXPIRED": EXPIRED,
    "REJECTD": REJECTED,
    "REJECTED": REJECTED,
    "ENROUTE": None,
    "ACCEPTD": None,
    "ACCEPTED": None,
}

#: ``message_state`` TLV values (SMPP 3.4 §5.2.28) for receipts whose text has no ``stat:``.
MESSAGE_STATES: dict[int, str | None] = {
    1: None,
    2: DELIVERED,
    3: EXPIRED,
    4: UNDELIVERED,
    5: UNDELIVERED,
    6: None,
    7: UNDELIVERED,
    8: REJECTED,
}
STATE_OF_STATUS = {DELIVERED: 2, EXPIRED: 3, UNDELIVERED: 5, REJECTED: 8}
STAT_OF_STATUS = {DELIVERED: "DELIVRD", EXPIRED: "EXPIRED", UNDELIVERED: "UNDELIV", REJECTED: "REJECTD"}

_KEYS = r"id|sub|dlvrd|submit[ _]?date|done[ _]?date|stat|err|text"
_FIELD = re.compile(rf"\b({_KEYS})\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class ReceiptText:
    """The fields found in a receipt text (each ``None`` when absent)."""

    message_id: str | None = None
    stat: str | None = None
    err: str | None = None
    submit_date: datetime | None = None
    done_date: datetime | None = None


def parse_date(value: str | None, tz: tzinfo = UTC) -> datetime | None:
    """``YYMMDDhhmm`` or ``YYMMDDhhmmss`` (also ``YYYYMMDDhhmm[ss]``) in ``tz``, as UTC; ``None`` if unreadable."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    if len(digits) == 14 or (len(digits) == 12 and digits[2:4] > "12"):
        digits = digits[2:] if len(digits) == 14 else digits[2:] + "00"  # a four-digit year
    if len(digits) not in (10, 12):
        return None
    try:
        y, mo, d, h, mi = (int(digits[i : i + 2]) for i in range(0, 10, 2))
        local = datetime(2000 + y, mo, d, h, mi, int(digits[10:12] or 0), tzinfo=tz)
    except ValueError:
        return None
    return local.astimezone(UTC)


def parse_receipt_text(text: str, tz: tzinfo = UTC) -> ReceiptText:
    """The fields of a receipt text; lenient about case, order, spacing and missing fields."""
    found: dict[str, str] = {}
    matches = list(_FIELD.finditer(text))
    for i, match in enumerate(matches):
        key = re.sub(r"[ _]", "", match.group(1).lower())
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip()
        if key != "text":
            value = value.split()[0] if value.split() else ""
        found.setdefault(key, value)
    return ReceiptText(
        message_id=found.get("id") or None,
        stat=(found.get("stat") or "").upper() or None,
        err=found.get("err") or None,
        submit_date=parse_date(found.get("submitdate"), tz),
        done_date=parse_date(found.get("donedate"), tz),
    )


def format_receipt_text(message_id: str, status: str, submitted: datetime, done: datetime, err: str = "000", seconds: bool = False) -> str:
    """A standard receipt text for one of the core's statuses (the simulator sends these)."""
    fmt = "%y%m%d%H%M%S" if seconds else "%y%m%d%H%M"
    dlvrd = "001" if status == DELIVERED else "000"
    return (
        f"id:{message_id} sub:001 dlvrd:{dlvrd} submit date:{submitted.strftime(fmt)} "
        f"done date:{done.strftime(fmt)} stat:{STAT_OF_STATUS[status]} err:{err} text:"
    )


def _canonical(message_id: str) -> str:
    return message_id.strip().strip("\x00").lower().lstrip("0") or "0"


class RecentIds:
    """The message ids this session got in ``submit_sm_resp`` lately, for matching receipt ids.

    A receipt's id may be written differently from the response's (zero padding, case, decimal
    for hex or the reverse); and a long message gets one receipt per part, while the core knows
    only the first part's id. :meth:`resolve` answers with the id as the core knows it and
    whether it was the first part. Bounded: the oldest ids are forgotten first.
    """

    def __init__(self, size: int = 100_000) -> None:
        self._size = size
        self._ids: OrderedDict[str, tuple[str, bool]] = OrderedDict()

    def add(self, part_id: str, first_part_id: str) -> None:
        """Remember an accepted part's id (call as each response comes: receipts can beat the next part)."""
        self._ids[_canonical(part_id)] = (first_part_id, part_id == first_part_id)
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)

    def resolve(self, raw: str) -> tuple[str, bool] | None:
        """``(first part's id, is_first_part)`` of a receipt id, trying exact, then decimal↔hex forms."""
        key = _canonical(raw)
        candidates = [key]
        if key.isdigit():
            candidates.append(format(int(key), "x"))
        if re.fullmatch(r"[0-9a-f]+", key) and len(key) <= 16:
            candidates.append(str(int(key, 16)))
        for candidate in candidates:
            hit = self._ids.get(candidate)
            if hit is not None:
                return hit
        return None
