"""Webhook pages under /webhooks: the signing secret (shown once), the customer's URLs, and
the recent attempts with their response codes."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.web.guards import CUSTOMER
from payamak.web.rendering import flash, page
from payamak_webhooks import services
from payamak_webhooks.docs import api_page
from payamak_webhooks.tables import EVENTS


def event_labels() -> dict[str, str]:
    return {"delivery_report": _("Delivery reports"), "message_received": _("Incoming messages")}


async def _list(request: Request, values: dict[str, Any] | None = None, secret: str = "", error: str = "", status: int = 200) -> Template:
    user = request.state.user
    return page(
        request,
        "webhooks/list.html",
        status_code=status,
        endpoints=await services.endpoints(user),
        attempts=await services.recent_attempts(user),
        has_secret=await services.has_secret(user),
        secret=secret,
        values=values or {"events": list(EVENTS)},
        events=EVENTS,
        labels=event_labels(),
        error=error,
    )


@get("/webhooks", guards=CUSTOMER)
async def webhooks_page(request: Request) -> Template:
    return await _list(request)


@post("/webhooks/secret", guards=CUSTOMER)
async def make_secret(request: Request) -> Template:
    """A new signing secret, shown on this page once."""
    secret = await services.new_secret(request.state.user)
    return await _list(request, secret=secret)


@post("/webhooks", guards=CUSTOMER)
async def add(request: Request) -> Template | Redirect:
    form = await request.form()
    values = {"url": str(form.get("url", "")), "events": form.getall("events") if "events" in form else []}
    user = request.state.user
    try:
        await services.add_endpoint(user, values["url"], values["events"])
    except DomainError as exc:
        return await _list(request, values, error=exc.message, status=exc.status_code)
    if not await services.has_secret(user):
        secret = await services.new_secret(user)
        flash(request, _("The address was registered."))
        return await _list(request, secret=secret)
    flash(request, _("The address was registered."))
    return Redirect("/webhooks", status_code=303)


@get("/webhooks/{endpoint_id:int}", guards=CUSTOMER)
async def endpoint_page(request: Request, endpoint_id: FromPath[int]) -> Template:
    user = request.state.user
    row = await services.endpoint(user, endpoint_id)
    return page(
        request, "webhooks/endpoint.html", endpoint=row, attempts=await services.recent_attempts(user, row.id, 100), labels=event_labels()
    )


@post("/webhooks/{endpoint_id:int}/toggle", guards=CUSTOMER)
async def toggle(request: Request, endpoint_id: FromPath[int]) -> Redirect:
    row = await services.endpoint(request.state.user, endpoint_id)
    await services.set_active(row, not row.active)
    flash(request, _("The address was paused.") if row.active else _("The address was resumed."))
    return Redirect("/webhooks", status_code=303)


@post("/webhooks/{endpoint_id:int}/delete", guards=CUSTOMER)
async def delete(request: Request, endpoint_id: FromPath[int]) -> Redirect:
    row = await services.endpoint(request.state.user, endpoint_id)
    await services.delete_endpoint(row)
    flash(request, _("The address was removed."))
    return Redirect("/webhooks", status_code=303)


HANDLERS = [webhooks_page, make_secret, add, endpoint_page, toggle, delete, api_page]
