"""Segments of a number database (3-1 … 3-5) and how a selection picks numbers from one.

A :class:`Selection` is what the customer chose: the segment and its filters, and the mode —
public (every eligible number), sequential (``count`` numbers from row ``start``, ordered by
id) or random (``count`` numbers drawn reproducibly from a seed). Eligible means active, not
opted out of the tenant and not on the platform blacklist.

Random order is a keyed hash of the row id computed in SQL (integer arithmetic that fits in
64 bits on SQLite and PostgreSQL alike); ``hash * 2^31 + id`` is unique per row, so "the
``count`` smallest hashes" is a well-defined set that can be streamed by id after one query
finds its cutoff. The same seed always selects the same numbers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any

from payamak.db import fetch
from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak_sms_bulk import reference

SEGMENTS = ("regional", "suburb", "guild", "irancell", "postal_city", "postal_code")
MODES = ("public", "sequential", "random")
CHUNK = 50_000
MAX_SELECTIVE = 10_000_000
_P = 4294967291  # the largest prime below 2**32
_M1, _M2 = 1103515245, 1597334677


@dataclass(frozen=True)
class Selection:
    """A segment with its filters and the send mode."""

    segment: str
    values: tuple[str, ...] = ()
    prefix: str = ""
    gender: str = ""
    province: str = ""
    city: str = ""
    postal5: str = ""
    mode: str = "public"
    start: int = 1
    count: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The selection as stored with calculations and sends."""
        data = asdict(self)
        data.pop("extra")
        data["values"] = sorted(self.values)
        return data

    def key(self) -> str:
        """A digest that is equal exactly when two selections pick the same numbers."""
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: dict[str, Any] | str) -> Selection:
        """The selection stored by :meth:`as_dict` (a JSON column may hand it back as text)."""
        if isinstance(data, str):
            data = json.loads(data)
        return cls(**{**data, "values": tuple(data.get("values") or ())})


def _refuse(code: str, message: Any, **params: Any) -> DomainError:
    return DomainError(f"bulk.{code}", message, **params)


def validate(selection: Selection) -> Selection:
    """The selection if every filter is allowed for its segment, else a :class:`DomainError`."""
    s = selection
    if s.segment not in SEGMENTS:
        raise _refuse("segment", _("Choose a segment."))
    allowed = {
        "regional": {p.code for p in reference.areas()},
        "suburb": {p.code for p in reference.tehran_suburbs()},
        "guild": {p.code for p in reference.guilds()},
        "irancell": {p.code for p in reference.tehran_province_areas()},
    }.get(s.segment, set())
    if s.segment in ("regional", "suburb", "guild") and not s.values:
        raise _refuse("values", _("Choose at least one item of the segment."))
    if s.values and (not allowed or not set(s.values) <= allowed):
        raise _refuse("values", _("An unknown item was chosen."))
    if s.segment == "irancell":
        if s.prefix not in reference.IRANCELL_PREFIXES:
            raise _refuse("prefix", _("Choose an Irancell prefix."))
        if (s.gender or s.values) and s.prefix != reference.PROFILED_PREFIX:
            raise _refuse("profile_prefix", _("Gender and Tehran areas can be chosen only for the 0935 prefix."))
        if s.gender and s.gender not in reference.GENDERS:
            raise _refuse("gender", _("Choose a gender."))
    elif s.prefix or s.gender:
        raise _refuse("prefix", _("A prefix or gender belongs to the Irancell segment only."))
    if s.segment == "postal_city":
        if s.province not in {p.code for p in reference.provinces()}:
            raise _refuse("province", _("Choose a province."))
        if s.city and s.city not in {c.code for c in reference.cities() if c.parent == s.province}:
            raise _refuse("city", _("The city is not in the chosen province."))
    if s.segment == "postal_code" and not re.fullmatch(r"\d{5}", s.postal5):
        raise _refuse("postal5", _("Enter the first 5 digits of a postal code."))
    if s.mode not in MODES:
        raise _refuse("mode", _("Choose public or selective sending."))
    if s.mode != "public":
        if not 1 <= s.count <= MAX_SELECTIVE:
            raise _refuse("count", _("Enter how many numbers to send to."))
        if s.mode == "sequential" and s.start < 1:
            raise _refuse("start", _("The starting row must be 1 or more."))
    return s


def _in(column: str, values: tuple[str, ...], args: list[Any]) -> str:
    args.extend(values)
    return f"{column} IN ({', '.join('{}' for _ in values)})"


def segment_where(database_id: int, s: Selection) -> tuple[str, list[Any]]:
    """The SQL condition (over ``bulk_number n``) of the segment's active numbers and its arguments."""
    args: list[Any] = [database_id, True]
    parts = ["n.database = {}", "n.active = {}"]
    if s.segment == "regional":
        parts.append(_in("n.area", s.values, args))
    elif s.segment == "suburb":
        parts.append(_in("n.suburb", s.values, args))
    elif s.segment == "guild":
        parts.append(_in("n.guild", s.values, args))
    elif s.segment == "irancell":
        low = int("98" + s.prefix[1:]) * 10**7
        parts.append("n.number BETWEEN {} AND {}")
        args.extend([low, low + 10**7 - 1])
        if s.gender:
            parts.append("n.gender = {}")
            args.append(s.gender)
        if s.values:
            areas = _in("n.area", s.values, args)
            suburbs = _in("n.suburb", s.values, args)
            parts.append(f"({areas} OR {suburbs})")
    elif s.segment == "postal_city":
        parts.append("n.province = {}")
        args.append(s.province)
        if s.city:
            parts.append("n.city = {}")
            args.append(s.city)
    elif s.segment == "postal_code":
        parts.append("n.postal5 = {}")
        args.append(s.postal5)
    return " AND ".join(parts), args


def _opted_out(tenant_id: int, args: list[Any]) -> str:
    args.append(tenant_id)
    return "n.number IN (SELECT CAST(o.number AS BIGINT) FROM opt_out o WHERE o.tenant = {})"


BLACKLISTED = "n.number IN (SELECT b.number FROM bulk_blacklist b)"


def eligible_where(database_id: int, s: Selection, tenant_id: int) -> tuple[str, list[Any]]:
    """The segment's numbers that may be sent to: not opted out of the tenant, not blacklisted."""
    where, args = segment_where(database_id, s)
    return f"{where} AND NOT ({_opted_out(tenant_id, args)}) AND NOT ({BLACKLISTED})", args


@dataclass(frozen=True)
class Counts:
    """What calculate-count reports."""

    total: int
    opted_out: int
    blacklisted: int
    selected: int

    @property
    def eligible(self) -> int:
        return self.total - self.opted_out - self.blacklisted


async def count(database_id: int, s: Selection, tenant_id: int) -> Counts:
    """The segment's active numbers, those skipped (opted out, blacklisted) and those the mode selects."""
    where, args = segment_where(database_id, s)
    opt_args: list[Any] = []
    opted = _opted_out(tenant_id, opt_args)
    opt_args2: list[Any] = []
    opted2 = _opted_out(tenant_id, opt_args2)
    sql = (
        f"SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN {opted} THEN 1 ELSE 0 END), 0) AS opted, "
        f"COALESCE(SUM(CASE WHEN {BLACKLISTED} AND NOT ({opted2}) THEN 1 ELSE 0 END), 0) AS black "
        f"FROM bulk_number n WHERE {where}"
    )
    row = (await fetch(sql, *opt_args, *opt_args2, *args))[0]
    total, opted_n, black = int(row["total"]), int(row["opted"]), int(row["black"])
    eligible = total - opted_n - black
    if s.mode == "public":
        selected = eligible
    elif s.mode == "sequential":
        selected = max(0, min(s.count, eligible - s.start + 1))
    else:
        selected = min(s.count, eligible)
    return Counts(total, opted_n, black, selected)


def random_key(seed: int) -> str:
    """The SQL expression of a row's place in the random order of ``seed`` (unique per row)."""
    seed = int(seed)
    x1 = f"(((CAST(n.id AS BIGINT) + {seed}) * {_M1}) % {_P})"
    x2 = f"(({x1} | ({x1} >> 15)) - ({x1} & ({x1} >> 15)))"
    return f"((({x2} * {_M2}) % {_P}) * 2147483648 + n.id)"


async def _nth(sql: str, args: list[Any], offset: int) -> Any:
    rows = await fetch(f"{sql} LIMIT 1 OFFSET {int(offset)}", *args)
    return next(iter(rows[0].values())) if rows else None


async def stream(database_id: int, s: Selection, tenant_id: int, seed: int, chunk: int = CHUNK) -> AsyncIterator[list[int]]:
    """The selected numbers (``98…`` as integers), a chunk at a time in id order: memory stays
    at one chunk whatever the segment's size."""
    where, args = eligible_where(database_id, s, tenant_id)
    extra, extra_args, limit = "", [], None
    if s.mode == "sequential":
        first = await _nth(f"SELECT n.id FROM bulk_number n WHERE {where} ORDER BY n.id", args, s.start - 1)
        if first is None:
            return
        extra, extra_args, limit = " AND n.id >= {}", [int(first)], s.count
    elif s.mode == "random":
        key = random_key(seed)
        cutoff = await _nth(f"SELECT {key} AS k FROM bulk_number n WHERE {where} ORDER BY k", args, s.count - 1)
        if cutoff is not None:
            extra, extra_args = f" AND {key} <= {{}}", [int(cutoff)]
    last, sent = 0, 0
    while limit is None or sent < limit:
        size = chunk if limit is None else min(chunk, limit - sent)
        rows = await fetch(
            f"SELECT n.id, n.number FROM bulk_number n WHERE {where}{extra} AND n.id > {{}} ORDER BY n.id LIMIT {int(size)}",
            *args,
            *extra_args,
            last,
        )
        if not rows:
            return
        last = rows[-1]["id"]
        sent += len(rows)
        yield [int(r["number"]) for r in rows]
        if len(rows) < size:
            return
