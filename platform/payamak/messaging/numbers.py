"""Iranian mobile numbers: one normaliser, a streaming list parser, and the operator of a number.

Every number the platform stores is in one form: ``98`` and the ten-digit national number,
which starts with 9 (``989121234567``). People type numbers in every other form too — with
``+98``, ``0098``, ``0``, nothing; with Persian or Arabic-Indic digits; with spaces, dashes,
dots, parentheses; with the invisible direction marks that Persian text editors insert — and
:func:`normalise` accepts all of them. An input it cannot read is an :class:`InvalidNumber`
with a stable ``reason``, so a list import can report it with its line, never drop it.

The operator of a number comes from ``data/operator_prefixes.csv`` (longest prefix wins).
Number portability is live in Iran, so the prefix is only a guess; ``overrides`` (numbers
known to be ported) win over it. The table follows libphonenumber's carrier data for +98 and
the operators' published ranges; MVNO and regional blocks (Shatel Mobile, Aptel, Samantel,
Taliya, TeleKish, Spadan) are ``other``, and so is any block not in the table.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal, NamedTuple

from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _

Operator = Literal["mci", "irancell", "rightel", "other"]
OPERATORS: tuple[str, ...] = ("mci", "irancell", "rightel", "other")

Reason = Literal["empty", "not_digits", "bad_length", "not_mobile"]

_LATIN = "0123456789"
# Characters that carry no meaning in a typed number: separators people use, and the
# invisible marks (ZWNJ, LRM/RLM, bidi embeddings and isolates, BOM, no-break spaces)
# that Persian keyboards and copy-paste from RTL text leave behind.
_IGNORED = " \t\r\n\v\f-.()\u00a0\u2007\u202f\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u2010\u2011\u2012\u2013\u2014\u2212"
_IGNORED += "".join(map(chr, range(0x202A, 0x202F))) + "".join(map(chr, range(0x2066, 0x206A)))
_CLEAN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", _LATIN * 2, _IGNORED)

_MESSAGES = {
    "empty": _("The mobile number is empty."),
    "not_digits": _("“%(raw)s” is not a mobile number: it has characters other than digits."),
    "bad_length": _("“%(raw)s” is not a mobile number: it has the wrong number of digits."),
    "not_mobile": _("“%(raw)s” is not an Iranian mobile number."),
}


class InvalidNumber(DomainError, ValueError):
    """A text that is not an Iranian mobile number; ``reason`` says why, in a stable code."""

    def __init__(self, raw: str, reason: Reason) -> None:
        super().__init__("invalid_number", _MESSAGES[reason], raw=raw)
        self.raw = raw
        self.reason: Reason = reason


def _check(raw: str) -> tuple[str, None] | tuple[None, Reason]:
    """The normalised number, or the reason it is invalid (no exception: list parsing is hot)."""
    text = raw.translate(_CLEAN)
    if not text:
        return None, "empty"
    plus = text[0] == "+"
    digits = text[1:] if plus else text
    if not (digits.isascii() and digits.isdigit()):
        return None, "not_digits"
    if digits.startswith("0098"):
        national = digits[4:]
    elif plus:
        if not digits.startswith("98"):
            return None, "not_mobile"
        national = digits[2:]
    elif len(digits) == 12 and digits.startswith("98"):
        national = digits[2:]
    elif digits[0] == "0":
        national = digits[1:]
    else:
        national = digits
    if len(national) != 10:
        return None, "bad_length"
    if national[0] != "9":
        return None, "not_mobile"
    return "98" + national, None


def normalise(raw: str) -> str:
    """The number in stored form (``989121234567``), or :class:`InvalidNumber`."""
    number, reason = _check(raw)
    if number is None:
        raise InvalidNumber(raw, reason)
    return number


def try_normalise(raw: str) -> str | None:
    """The number in stored form, or None when it is not an Iranian mobile number."""
    return _check(raw)[0]


def is_normalised(number: str) -> bool:
    """Whether ``number`` is already in stored form."""
    return len(number) == 12 and number.startswith("989") and number.isascii() and number.isdigit()


class InvalidEntry(NamedTuple):
    """One unreadable entry of a number list: its 1-based line, the text, the reason code."""

    line: int
    raw: str
    reason: Reason


@dataclass
class NumberBatch:
    """A parsed list of numbers: unique valid numbers in first-seen order, duplicates, rejects."""

    numbers: list[str] = field(default_factory=list)
    duplicates: int = 0
    invalid: list[InvalidEntry] = field(default_factory=list)


# Commas and semicolons (Latin and Arabic), tabs and line breaks always separate entries;
# spaces separate entries only when they do not sit inside one number (``0912 123 4567``).
_SEPARATORS = re.compile(r"[,;\u060c\u061b\t\r\n\v\f]+")
_MAX_PIECES = 6


def parse_many(lines: Iterable[str]) -> NumberBatch:
    """Parse a list of numbers, one or more a line; streams, holding only the results and a set."""
    batch = NumberBatch()
    seen: set[int] = set()  # ints take half the memory of 12-character strings

    def accept(number: str) -> None:
        key = int(number)
        if key in seen:
            batch.duplicates += 1
        else:
            seen.add(key)
            batch.numbers.append(number)

    for line_no, line in enumerate(lines, start=1):
        for chunk in _SEPARATORS.split(line):
            number, reason = _check(chunk)
            if number is not None:
                accept(number)
            elif reason == "empty":
                continue
            elif len(tokens := chunk.split()) > 1:
                for entry in _split_on_spaces(tokens):
                    if isinstance(entry, str):
                        accept(entry)
                    else:
                        batch.invalid.append(InvalidEntry(line_no, *entry))
            else:
                batch.invalid.append(InvalidEntry(line_no, chunk.strip(), reason))
    return batch


def _split_on_spaces(tokens: list[str]) -> Iterator[str | tuple[str, Reason]]:
    """Numbers in space-separated tokens, joining pieces of one number; unreadable runs as (raw, reason)."""
    rejected: list[str] = []
    i = 0
    while i < len(tokens):
        joined = ""
        for j in range(i, min(len(tokens), i + _MAX_PIECES)):
            joined += tokens[j]
            number, reason = _check(joined)
            if number is not None or reason == "not_digits":
                break
        if number is None:
            rejected.append(tokens[i])
            i += 1
            continue
        if rejected:
            yield _rejected(rejected)
            rejected = []
        yield number
        i = j + 1
    if rejected:
        yield _rejected(rejected)


def _rejected(tokens: list[str]) -> tuple[str, Reason]:
    raw = " ".join(tokens)
    reason = _check(raw)[1]
    return raw, reason or "not_digits"


@dataclass(frozen=True)
class PrefixTable:
    """Number prefixes (``98912``, ``989981``) mapped to operators; the longest match wins."""

    prefixes: Mapping[str, str]
    lengths: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lengths", tuple(sorted({len(p) for p in self.prefixes}, reverse=True)))

    @classmethod
    def from_csv(cls, text: str) -> PrefixTable:
        """Read a ``prefix,operator`` CSV, checking every row."""
        prefixes: dict[str, str] = {}
        for row_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            prefix, operator = (row.get("prefix") or "").strip(), (row.get("operator") or "").strip()
            if not (prefix.isascii() and prefix.isdigit() and prefix.startswith("989") and 4 <= len(prefix) <= 12):
                raise ValueError(f"operator table row {row_no}: bad prefix {prefix!r}")
            if operator not in OPERATORS:
                raise ValueError(f"operator table row {row_no}: unknown operator {operator!r}")
            if prefix in prefixes:
                raise ValueError(f"operator table row {row_no}: prefix {prefix} listed twice")
            prefixes[prefix] = operator
        return cls(prefixes)

    def lookup(self, number: str) -> str | None:
        """The operator of the longest prefix of ``number`` in the table, or None."""
        for length in self.lengths:
            operator = self.prefixes.get(number[:length])
            if operator is not None:
                return operator
        return None


@cache
def operator_table() -> PrefixTable:
    """The packaged operator prefix table (read once)."""
    text = resources.files("payamak.messaging").joinpath("data/operator_prefixes.csv").read_text(encoding="utf-8")
    return PrefixTable.from_csv(text)


def _stored(number: str) -> str:
    return number if is_normalised(number) else normalise(number)


def operator_of(number: str, overrides: Mapping[str, str] | None = None) -> str:
    """The operator of a number: a ported-number override, else its longest known prefix, else ``other``."""
    number = _stored(number)
    if overrides and (operator := overrides.get(number)):
        return operator
    return operator_table().lookup(number) or "other"


def prefix_of(number: str) -> str:
    """The ``09xx`` prefix people know a number by (``989351234567`` → ``0935``)."""
    return "0" + _stored(number)[2:5]
