"""``/api/v1/autoreplies``: list, read, create, update and delete responders (keyword and default)."""

from __future__ import annotations

from typing import Any

from litestar import HttpMethod, Request, delete, get, post, route
from litestar.params import FromPath, FromQuery
from msgspec import UNSET, Struct, UnsetType

from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.tenancy import scoped
from payamak.web.guards import API_CUSTOMER
from payamak_autoreply import services
from payamak_autoreply.tables import KINDS, Responder


class ResponderCreate(Struct):
    """A keyword responder (``kind="keyword"``: keywords, reply, optional line and matching) or the
    default reply of a line (``kind="default"``: line_id and reply). With ``template_id``, one of
    the caller's templates is the reply (``reply`` may then be empty)."""

    reply: str = ""
    kind: str = "keyword"
    keywords: list[str] = []
    line_id: int | None = None
    match: str = "exact"
    enabled: bool = True
    template_id: int | None = None


class ResponderUpdate(Struct):
    """Fields to change; those left out keep their value (``line_id: null`` means all lines)."""

    reply: str | UnsetType = UNSET
    keywords: list[str] | UnsetType = UNSET
    line_id: int | UnsetType | None = UNSET
    match: str | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
    template_id: int | UnsetType | None = UNSET


@get("/api/v1/autoreplies", guards=API_CUSTOMER, tags=["autoreply"])
async def list_autoreplies(
    request: Request, kind: FromQuery[str | None] = None, offset: FromQuery[int] = 0, limit: FromQuery[int] = 100
) -> list[dict[str, Any]]:
    """The caller's responders, oldest first, with how often each fired (``kind``: keyword or default)."""
    user = request.state.user
    query = scoped(Responder, user.tenant).objects().where(Responder.owner == user.id)
    if kind:
        if kind not in KINDS:
            raise DomainError("autoreply.bad_kind", _("The kind must be “keyword” or “default”."))
        query = query.where(Responder.kind == kind)
    rows = await query.order_by(Responder.id).offset(max(offset, 0)).limit(min(max(limit, 1), 1000))
    return [services.responder_json(r) for r in rows]


@get("/api/v1/autoreplies/{responder_id:int}", guards=API_CUSTOMER, tags=["autoreply"])
async def get_autoreply(request: Request, responder_id: FromPath[int]) -> dict[str, Any]:
    """One responder."""
    return services.responder_json(await services.user_responder(request.state.user, responder_id))


@post("/api/v1/autoreplies", guards=API_CUSTOMER, tags=["autoreply"], status_code=201)
async def create_autoreply(request: Request, data: ResponderCreate) -> dict[str, Any]:
    """Create a keyword responder, or set the default reply of a line (replacing the line's current one)."""
    user = request.state.user
    if data.kind == "default":
        if data.keywords:
            raise DomainError("autoreply.default_keywords", _("A default reply has no keywords: it answers every other message."))
        responder = await services.save_default(user, data.line_id, data.reply, enabled=data.enabled, template_id=data.template_id)
    elif data.kind == "keyword":
        responder = await services.create_responder(
            user, services.ResponderInput(data.keywords, data.reply, data.line_id, data.match, data.enabled, data.template_id)
        )
    else:
        raise DomainError("autoreply.bad_kind", _("The kind must be “keyword” or “default”."))
    return services.responder_json(responder)


def _given(value: Any, current: Any) -> Any:
    return current if value is UNSET else value


@route("/api/v1/autoreplies/{responder_id:int}", http_method=[HttpMethod.PATCH, HttpMethod.PUT], guards=API_CUSTOMER, tags=["autoreply"])
async def update_autoreply(request: Request, responder_id: FromPath[int], data: ResponderUpdate | None = None) -> dict[str, Any]:
    """Change some fields of a responder (PATCH or PUT; fields left out keep their value); its counter stays."""
    user = request.state.user
    responder = await services.user_responder(user, responder_id)  # someone else's id: 404 before anything else
    data = data or ResponderUpdate()
    if responder.kind == "default":
        if data.keywords is not UNSET and data.keywords:
            raise DomainError("autoreply.default_keywords", _("A default reply has no keywords: it answers every other message."))
        if data.line_id is not UNSET and data.line_id != responder.line:
            raise DomainError("autoreply.default_line", _("A default reply stays on its line; create one for the other line."))
        responder = await services.save_default(
            user,
            responder.line,
            _given(data.reply, responder.reply_text),
            _given(data.enabled, responder.enabled),
            _given(data.template_id, responder.template_id),
        )
    else:
        current = services.ResponderInput(
            [k for k in responder.keywords.split("\n") if k],
            responder.reply_text,
            responder.line,
            responder.match_mode,
            responder.enabled,
            responder.template_id,
        )
        responder = await services.update_responder(
            user,
            responder.id,
            services.ResponderInput(
                _given(data.keywords, current.keywords),
                _given(data.reply, current.reply_text),
                _given(data.line_id, current.line_id),
                _given(data.match, current.match_mode),
                _given(data.enabled, current.enabled),
                _given(data.template_id, current.template_id),
            ),
        )
    return services.responder_json(responder)


@delete("/api/v1/autoreplies/{responder_id:int}", guards=API_CUSTOMER, tags=["autoreply"], status_code=200)
async def delete_autoreply(request: Request, responder_id: FromPath[int]) -> dict[str, Any]:
    """Delete a responder."""
    await services.delete_responder(request.state.user, responder_id)
    return {"id": responder_id, "deleted": True}


HANDLERS = [list_autoreplies, get_autoreply, create_autoreply, update_autoreply, delete_autoreply]
