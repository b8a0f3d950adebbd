"""``/api/v1``: templates (list, add, delete) and the outbox with its search."""

from __future__ import annotations

from typing import Any

from litestar import Request, delete, get, post
from litestar.params import FromPath, FromQuery
from msgspec import Struct

from payamak.web.guards import API_CUSTOMER

from . import outbox, services
from .services import Criteria


class TemplateRequest(Struct):
    """A text to save as a template (at most 100 per user)."""

    text: str


def template_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "text": row.text, "created_at": row.created_at.isoformat()}


@get("/api/v1/templates", guards=API_CUSTOMER, tags=["templates"])
async def list_templates(request: Request) -> list[dict[str, Any]]:
    """The caller's templates, newest first."""
    return [template_json(row) for row in await services.templates_for(request.state.user)]


@post("/api/v1/templates", guards=API_CUSTOMER, tags=["templates"], status_code=201)
async def add_template(request: Request, data: TemplateRequest) -> dict[str, Any]:
    """Save a template; the 101st is refused with ``template.limit`` (409)."""
    return template_json(await services.add_template(request.state.user, data.text))


@delete("/api/v1/templates/{template_id:int}", guards=API_CUSTOMER, tags=["templates"], status_code=200)
async def delete_template(request: Request, template_id: FromPath[int]) -> dict[str, Any]:
    """Delete one of the caller's templates."""
    await services.delete_template(request.state.user, template_id)
    return {"id": template_id, "deleted": True}


def outbox_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "job_id": row["job"],
        "recipient": row["number"],
        "line": row["line_number"],
        "text": row["text"],
        "status": row["status"],
        "sent_at": row["sent_at"].isoformat() if row["sent_at"] else None,
        "submitted_at": row["submitted_at"].isoformat() if row["submitted_at"] else None,
        "done_at": row["done_at"].isoformat() if row["done_at"] else None,
    }


@get("/api/v1/outbox", guards=API_CUSTOMER, tags=["messages"])
async def list_outbox(
    request: Request,
    recipient: FromQuery[str] = "",
    text: FromQuery[str] = "",
    line: FromQuery[str] = "",
    date_from: FromQuery[str] = "",
    date_to: FromQuery[str] = "",
    offset: FromQuery[int] = 0,
    limit: FromQuery[int] = 100,
) -> list[dict[str, Any]]:
    """Sent messages, one per recipient, newest first. Search by ``recipient`` (part of a number), ``text``,
    sender ``line`` and ``date_from``/``date_to`` (Jalali ``Y/M/D [H:m]`` in Tehran time, or ISO 8601);
    page with ``offset``/``limit`` (at most 1,000)."""
    criteria = Criteria.parse({"recipient": recipient, "text": text, "line": line, "date_from": date_from, "date_to": date_to}, "recipient")
    return [outbox_json(row) for row in await outbox.outbox_rows(request.state.user, criteria, offset, limit)]


HANDLERS = [list_templates, add_template, delete_template, list_outbox]
