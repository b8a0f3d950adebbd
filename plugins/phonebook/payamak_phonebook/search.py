"""Finding contacts: the folded ``search_text`` a contact is matched by, and the matching query."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from piccolo.columns.combination import WhereRaw

from payamak.messaging.text import normalise_keyword

_NUMBERISH = re.compile(r"[\d\s+\-()]+")


def fold(text: str) -> str:
    """Text in the form both sides of a search use: case-folded, Persian letters, Latin digits."""
    return normalise_keyword(text or "")


def display_number(number: str) -> str:
    """``989121234567`` → ``09121234567``, the form people read and Excel keeps."""
    return "0" + number[2:] if number.startswith("98") and len(number) == 12 else number


def search_text(name: str, number: str, values: Iterable[str]) -> str:
    """What a contact is found by: its name, both spellings of its number, its custom values."""
    parts = [fold(name), number, display_number(number), *(fold(v) for v in values if v)]
    return " ".join(p for p in parts if p)


def query_pattern(query: str) -> str | None:
    """The LIKE pattern for a search box's text (None when there is nothing to search for).

    A query made of digits and number punctuation is searched as digits, so ``0912 111``,
    ``+98912111`` and ``۰۹۱۲۱۱۱`` all find ``989121110000``.
    """
    text = fold(query)
    if not text:
        return None
    if _NUMBERISH.fullmatch(text) and any(c.isdigit() for c in text):
        text = re.sub(r"\D", "", text)
        if text.startswith("0098"):
            text = text[2:]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches(pattern: str) -> Any:
    """A WHERE clause matching contacts' ``search_text`` against ``pattern`` (escape: backslash)."""
    return WhereRaw("phonebook_contact.search_text LIKE {} ESCAPE '\\'", pattern)
