"""Auto-reply services: customers' keyword responders (6-1) and default responders (6-3).

No HTTP here: pages and the API call these; group uploads (6-2) are in :mod:`payamak_autoreply.upload`,
answering incoming messages in :mod:`payamak_autoreply.reaction`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from payamak.db import writing
from payamak.errors import DomainError, NotFound
from payamak.i18n import latin_digits
from payamak.i18n import lazy_gettext as _
from payamak.messaging.lines import usable_lines_query
from payamak.messaging.pipeline import MAX_TEXT
from payamak.messaging.tables import Line
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_autoreply.matching import keyword_form, split_keywords
from payamak_autoreply.tables import MATCH_MODES, Reply, Responder, ResponderKeyword

MAX_KEYWORDS = 50
MAX_KEYWORD_LENGTH = 100
PAGE_SIZE = 50


@dataclass
class ResponderInput:
    """What a customer submits for a keyword responder (6-1). With a template chosen, its text is
    the reply (kept as ``reply_text`` too, in case the template is deleted later)."""

    keywords: list[str]
    reply_text: str
    line_id: int | None = None
    match_mode: str = "exact"
    enabled: bool = True
    template_id: int | None = None


@dataclass
class CheckedResponder:
    """A validated responder: keywords as typed and in keyword form."""

    words: list[str]
    forms: list[str]
    reply_text: str
    line_id: int | None
    match_mode: str
    enabled: bool
    template_id: int | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


# --- lines and templates -------------------------------------------------------------------


async def owned_lines(user: User) -> list[Line]:
    """The user's usable lines that can receive auto-replies: those the user owns.

    Shared lines have no owner; their incoming messages are not the user's, so no responder
    can answer there (the core handles those lines)."""
    return await usable_lines_query(user).where(Line.owner == user.id)


def parse_line_id(value: Any) -> int | None:
    """A line id from a form or JSON value; empty means all lines."""
    if value in (None, "", "all"):
        return None
    try:
        return int(latin_digits(str(value)).strip())
    except ValueError:
        raise DomainError("autoreply.bad_line", _("That sender line is not one of your lines."), status_code=400) from None


def templates_available() -> bool:
    """Whether the core's templates (``payamak.boxes``) are installed yet."""
    try:
        from payamak.boxes.tables import Template  # noqa: F401
    except ImportError:
        return False
    return True


async def user_templates(user: User) -> list[Any]:
    """The user's templates to pick a reply from (empty until the core's templates are installed)."""
    if not templates_available():
        return []
    from payamak.boxes.services import templates_for

    return await templates_for(user)


async def template_text(user: User, template_id: int | None) -> str | None:
    """The text of one of the user's templates, or ``None`` when no template is chosen."""
    if template_id is None:
        return None
    if not templates_available():
        raise DomainError("autoreply.bad_template", _("That template is not one of yours."), status_code=400)
    from payamak.boxes.tables import Template

    template = await scoped(Template, user.tenant).get(template_id)
    if template is None or template.user != user.id:
        raise DomainError("autoreply.bad_template", _("That template is not one of yours."), status_code=400)
    return str(template.text)


def parse_template_id(value: Any) -> int | None:
    """A template id from a form or JSON value; empty means none (the typed reply is sent)."""
    if value in (None, ""):
        return None
    try:
        return int(latin_digits(str(value)).strip())
    except ValueError:
        raise DomainError("autoreply.bad_template", _("That template is not one of yours."), status_code=400) from None


async def reply_text_of(responder: Responder) -> str:
    """The text a responder sends: its template's current text when it has one (the template may
    have been edited since), else its own (also when the template was deleted)."""
    if responder.template_id is not None and templates_available():
        from payamak.boxes.tables import Template

        template = await scoped(Template, responder.tenant).get(responder.template_id)
        if template is not None and str(template.text).strip():
            return str(template.text)
    return responder.reply_text


# --- validation ------------------------------------------------------------------------------


def check_reply(text: str) -> str:
    """The reply text, or the reason it cannot be sent."""
    text = (text or "").strip()
    if not text:
        raise DomainError("autoreply.reply_empty", _("The reply text is empty."))
    if len(text) > MAX_TEXT:
        raise DomainError("autoreply.reply_too_long", _("The reply text may be at most %(n)s characters."), n=MAX_TEXT)
    return text


def check_keywords(keywords: Iterable[str]) -> tuple[list[str], list[str]]:
    """Keywords as typed and in keyword form, or the first reason they are refused."""
    words = split_keywords(list(keywords))
    if not words:
        raise DomainError("autoreply.keywords_empty", _("Enter at least one keyword."))
    if len(words) > MAX_KEYWORDS:
        raise DomainError("autoreply.too_many_keywords", _("A responder may have at most %(n)s keywords."), n=MAX_KEYWORDS)
    forms = []
    for word in words:
        form = keyword_form(word)
        if not form:
            raise DomainError("autoreply.keyword_blank", _("The keyword «%(keyword)s» has no letters or digits."), keyword=word)
        if len(word) > MAX_KEYWORD_LENGTH or len(form) > MAX_KEYWORD_LENGTH:
            raise DomainError(
                "autoreply.keyword_too_long",
                _("A keyword may be at most %(n)s characters: «%(keyword)s»."),
                n=MAX_KEYWORD_LENGTH,
                keyword=word,
            )
        forms.append(form)
    return words, forms


def check_mode(mode: str | None) -> str:
    mode = (mode or "exact").strip()
    if mode not in MATCH_MODES:
        raise DomainError("autoreply.bad_match", _("Matching must be “exact” or “contains”."))
    return mode


async def check_line(user: User, line_id: int | None) -> int | None:
    """``line_id`` if it is one of the user's own usable lines (``None``: all lines)."""
    if line_id is None:
        return None
    if line_id not in {line.id for line in await owned_lines(user)}:
        raise DomainError("autoreply.bad_line", _("That sender line is not one of your lines."), status_code=400)
    return line_id


async def taken_keywords(user: User, line_id: int | None, forms: Iterable[str], exclude: int | None = None) -> list[str]:
    """Which of ``forms`` another responder of the user already answers on the same line (or on all lines)."""
    forms = list(forms)
    if not forms:
        return []
    scope = ResponderKeyword.responder.line.is_null() if line_id is None else ResponderKeyword.responder.line == line_id
    query = (
        scoped(ResponderKeyword, user.tenant)
        .select(ResponderKeyword.normalised)
        .where((ResponderKeyword.responder.owner == user.id) & scope & ResponderKeyword.normalised.is_in(forms))
    )
    if exclude is not None:
        query = query.where(ResponderKeyword.responder != exclude)
    return sorted({row["normalised"] for row in await query})


async def check_responder(user: User, data: ResponderInput, exclude: int | None = None) -> CheckedResponder:
    """A keyword responder ready to save, or a :class:`DomainError` naming the first problem."""
    words, forms = check_keywords(data.keywords)
    chosen = await template_text(user, data.template_id)
    reply_text = check_reply(data.reply_text if chosen is None else chosen)
    mode = check_mode(data.match_mode)
    line_id = await check_line(user, data.line_id)
    taken = await taken_keywords(user, line_id, forms, exclude)
    if taken:
        raise DomainError(
            "autoreply.keyword_taken",
            _("The keyword «%(keyword)s» is already answered by another of your responders on the same line."),
            keyword=words[forms.index(taken[0])],
        )
    return CheckedResponder(words, forms, reply_text, line_id, mode, data.enabled, data.template_id)


# --- keyword responders (6-1) --------------------------------------------------------------


async def user_responder(user: User, responder_id: Any, kind: str | None = None) -> Responder:
    """One of the user's responders, or :class:`NotFound` (another tenant's or user's ids too)."""
    responder = await scoped(Responder, user.tenant).get(responder_id)
    if responder is None or responder.owner != user.id or (kind is not None and responder.kind != kind):
        raise NotFound("responder")
    return responder


async def _write_keywords(tenant_id: int, responder_id: int, words: list[str], forms: list[str]) -> None:
    await ResponderKeyword.delete().where(ResponderKeyword.responder == responder_id)
    await ResponderKeyword.insert(
        *(ResponderKeyword(tenant=tenant_id, responder=responder_id, word=w, normalised=f) for w, f in zip(words, forms, strict=True))
    )


async def create_responder(user: User, data: ResponderInput) -> Responder:
    """Create a keyword responder (6-1)."""
    checked = await check_responder(user, data)
    async with writing():
        responder = await scoped(Responder, user.tenant).create(
            owner=user.id,
            kind="keyword",
            line=checked.line_id,
            match_mode=checked.match_mode,
            keywords="\n".join(checked.words),
            reply_text=checked.reply_text,
            template_id=checked.template_id,
            enabled=checked.enabled,
        )
        await _write_keywords(user.tenant, responder.id, checked.words, checked.forms)
    return responder


async def update_responder(user: User, responder_id: Any, data: ResponderInput) -> Responder:
    """Change a keyword responder's keywords, reply, line, matching or state; its counter stays."""
    responder = await user_responder(user, responder_id, "keyword")
    checked = await check_responder(user, data, exclude=responder.id)
    values = {
        Responder.line: checked.line_id,
        Responder.match_mode: checked.match_mode,
        Responder.keywords: "\n".join(checked.words),
        Responder.reply_text: checked.reply_text,
        Responder.template_id: checked.template_id,
        Responder.enabled: checked.enabled,
        Responder.updated_at: datetime.now(UTC),
    }
    async with writing():
        await scoped(Responder, user.tenant).update(values).where(Responder.id == responder.id)
        await _write_keywords(user.tenant, responder.id, checked.words, checked.forms)
    return await user_responder(user, responder.id)


async def set_enabled(user: User, responder_id: Any, enabled: bool) -> Responder:
    """Switch a responder (keyword or default) on or off."""
    responder = await user_responder(user, responder_id)
    await (
        scoped(Responder, user.tenant)
        .update({Responder.enabled: enabled, Responder.updated_at: datetime.now(UTC)})
        .where(Responder.id == responder.id)
    )
    responder.enabled = enabled
    return responder


async def delete_responder(user: User, responder_id: Any) -> None:
    """Delete a responder (its keywords go with it; its reply records keep the message, not the link)."""
    responder = await user_responder(user, responder_id)
    async with writing():
        await scoped(Responder, user.tenant).delete().where(Responder.id == responder.id)


async def list_responders(user: User, q: str = "", page_no: int = 1, page_size: int = PAGE_SIZE) -> tuple[list[Responder], int]:
    """The user's keyword responders, newest first, filtered by keyword or reply text; and the page count."""
    query = scoped(Responder, user.tenant).objects().where((Responder.owner == user.id) & (Responder.kind == "keyword"))
    counter = scoped(Responder, user.tenant).count().where((Responder.owner == user.id) & (Responder.kind == "keyword"))
    q = q.strip()
    if q:
        form = keyword_form(q)
        matching_ids = (
            scoped(ResponderKeyword, user.tenant).select(ResponderKeyword.responder).where(ResponderKeyword.normalised.like(f"%{form}%"))
        )
        ids = [row["responder"] for row in await matching_ids] if form else []
        condition = Responder.reply_text.ilike(f"%{q}%")
        if ids:
            condition = condition | Responder.id.is_in(ids)
        query, counter = query.where(condition), counter.where(condition)
    total = await counter
    page_no = max(page_no, 1)
    rows = await query.order_by(Responder.id, ascending=False).limit(page_size).offset((page_no - 1) * page_size)
    return rows, max(1, -(-total // page_size))


# --- default responders (6-3) --------------------------------------------------------------


async def default_responders(user: User) -> dict[int, Responder]:
    """The user's default responders by line id."""
    rows = await scoped(Responder, user.tenant).objects().where((Responder.owner == user.id) & (Responder.kind == "default"))
    return {row.line: row for row in rows}


async def save_default(user: User, line_id: Any, reply_text: str, enabled: bool = True, template_id: int | None = None) -> Responder:
    """Set the default responder of one of the user's lines (one per line: created or replaced);
    with a template chosen, its text is the reply."""
    line = await check_line(user, parse_line_id(line_id))
    if line is None:
        raise DomainError("autoreply.default_needs_line", _("Choose the line this default reply is for."))
    chosen = await template_text(user, template_id)
    text = check_reply(reply_text if chosen is None else chosen)
    async with writing():
        current = (
            await scoped(Responder, user.tenant)
            .objects()
            .where((Responder.owner == user.id) & (Responder.kind == "default") & (Responder.line == line))
            .first()
        )
        if current is None:
            return await scoped(Responder, user.tenant).create(
                owner=user.id, kind="default", line=line, reply_text=text, enabled=enabled, template_id=template_id
            )
        values = {Responder.reply_text: text, Responder.enabled: enabled, Responder.template_id: template_id}
        await scoped(Responder, user.tenant).update({**values, Responder.updated_at: datetime.now(UTC)}).where(Responder.id == current.id)
    return await user_responder(user, current.id)


# --- misses -------------------------------------------------------------------------------------


async def recent_misses(user: User, page_no: int = 1, page_size: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], int]:
    """Incoming messages a responder matched but no reply went out for, newest first; and the page count."""
    condition = (Reply.owner == user.id) & Reply.outcome.not_in(["sent", "sending"])
    total = await scoped(Reply, user.tenant).count().where(condition)
    page_no = max(page_no, 1)
    rows = (
        await scoped(Reply, user.tenant)
        .select(
            Reply.id,
            Reply.sender,
            Reply.outcome,
            Reply.reason,
            Reply.created_at,
            Reply.responder,
            Reply.line.number.as_alias("line_number"),
            Reply.message.text.as_alias("text"),
        )
        .where(condition)
        .order_by(Reply.id, ascending=False)
        .limit(page_size)
        .offset((page_no - 1) * page_size)
    )
    return rows, max(1, -(-total // page_size))


def responder_json(responder: Responder) -> dict[str, Any]:
    """A responder as the API shows it."""
    return {
        "id": responder.id,
        "kind": responder.kind,
        "keywords": [k for k in responder.keywords.split("\n") if k],
        "match": responder.match_mode,
        "line_id": responder.line,
        "reply": responder.reply_text,
        "template_id": responder.template_id,
        "enabled": responder.enabled,
        "fired": responder.fired,
        "last_fired_at": responder.last_fired_at.isoformat() if responder.last_fired_at else None,
        "created_at": responder.created_at.isoformat(),
    }
