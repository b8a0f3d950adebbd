"""Which responder answers an incoming message.

Texts and keywords are compared in their *keyword form*: the core's
:func:`payamak.messaging.text.normalise_keyword` (Arabic ي/ك → Persian ی/ک, Persian and
Arabic-Indic digits → Latin, case folded, zero-width characters dropped, spaces collapsed),
then punctuation and symbols turned into spaces, so «قیمت؟» matches the keyword «قیمت».

A responder's ``match_mode`` is ``exact`` (the whole message is one of its keywords) or
``contains`` (one of its keywords appears in the message as whole words: «قیمت» matches
«قیمت طلا چند است» but not «قیمتها»).

Precedence, first match wins (only the message owner's enabled responders take part):

1. an ``exact`` responder on the line that received the message;
2. an ``exact`` responder on all lines;
3. a ``contains`` responder on this line;
4. a ``contains`` responder on all lines;
5. the default responder of the line.

Ties within one rank go to the lowest responder id (the oldest).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from payamak.messaging.text import normalise_keyword
from payamak.tenancy import scoped
from payamak_autoreply.tables import Responder, ResponderKeyword

KEYWORD_SEPARATORS = re.compile(r"[,،\n\r;؛]+")


def keyword_form(text: str) -> str:
    """``text`` as keywords are matched: normalised, punctuation and symbols as spaces."""
    normalised = normalise_keyword(text)
    kept = "".join(ch if ch.isspace() or unicodedata.category(ch)[0] in "LNM" else " " for ch in normalised)
    return " ".join(kept.split())


def split_keywords(raw: str | Iterable[str]) -> list[str]:
    """Keywords as typed, split on commas (Latin «,» and Persian «،»), semicolons and new lines;
    blanks dropped, repeats (in keyword form) kept once."""
    parts = KEYWORD_SEPARATORS.split(raw) if isinstance(raw, str) else [p for item in raw for p in KEYWORD_SEPARATORS.split(str(item))]
    seen: set[str] = set()
    words: list[str] = []
    for part in parts:
        word = " ".join(part.split())
        form = keyword_form(word)
        if word and form not in seen:
            seen.add(form)
            words.append(word)
    return words


def contains_keyword(text_form: str, keyword: str) -> bool:
    """Whether ``keyword`` (in keyword form) appears in ``text_form`` as whole words."""
    return bool(keyword) and f" {keyword} " in f" {text_form} "


def rank(responder_line: int | None, mode: str, line_id: int) -> int:
    """The precedence rank of a keyword responder for a message on ``line_id`` (lower wins)."""
    on_line = responder_line == line_id
    if mode == "exact":
        return 1 if on_line else 2
    return 3 if on_line else 4


async def find_responder(tenant_id: int, owner_id: int, line_id: int, text: str) -> Responder | None:
    """The responder that answers ``text`` received on ``line_id`` by ``owner_id``, or ``None``."""
    form = keyword_form(text)
    candidates: list[tuple[int, int]] = []  # (rank, responder id)
    if form:
        rows = (
            await scoped(ResponderKeyword, tenant_id)
            .select(
                ResponderKeyword.normalised,
                ResponderKeyword.responder.id.as_alias("rid"),
                ResponderKeyword.responder.line.as_alias("line"),
                ResponderKeyword.responder.match_mode.as_alias("mode"),
            )
            .where(
                (ResponderKeyword.responder.owner == owner_id)
                & (ResponderKeyword.responder.enabled.eq(True))
                & (ResponderKeyword.responder.kind == "keyword")
                & ((ResponderKeyword.responder.line == line_id) | ResponderKeyword.responder.line.is_null())
                & ((ResponderKeyword.normalised == form) | (ResponderKeyword.responder.match_mode == "contains"))
            )
        )
        for row in rows:
            if row["normalised"] == form or (row["mode"] == "contains" and contains_keyword(form, row["normalised"])):
                candidates.append((rank(row["line"], row["mode"], line_id), row["rid"]))
    if candidates:
        return await scoped(Responder, tenant_id).get(min(candidates)[1])
    return (
        await scoped(Responder, tenant_id)
        .objects()
        .where((Responder.owner == owner_id) & (Responder.kind == "default") & (Responder.line == line_id) & (Responder.enabled.eq(True)))
        .order_by(Responder.id)
        .first()
    )
