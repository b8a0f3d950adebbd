"""1 Dashboard, and the announcements console of tenant admins."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from payamak.dashboard import services
from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.registry import announce, await_me_maybe, get_registry
from payamak.tables import Announcement
from payamak.tenancy import scoped
from payamak.tenancy.services import enabled_plugins
from payamak.web.forms import form_data
from payamak.web.guards import API_CUSTOMER, TENANT_ADMIN
from payamak.web.rendering import flash, page


async def dashboard_context(tenant: Any, user: Any) -> dict[str, Any]:
    """What the enabled plugins' widgets need, gathered from ``payamak_dashboard_context``."""
    context: dict[str, Any] = {}
    for result in get_registry().hook_for(enabled_plugins(tenant)).payamak_dashboard_context(tenant_id=tenant.id, user_id=user.id):
        context.update(await await_me_maybe(result) or {})
    return context


def dashboard_widgets(tenant: Any) -> list[str]:
    """Widget templates of the plugins the tenant enables, in plugin order."""
    registry = get_registry()
    enabled = enabled_plugins(tenant)
    return [
        name
        for plugin, names in registry.results_by_plugin("payamak_dashboard_widgets")
        if registry.is_enabled(plugin, enabled)
        for name in names
    ]


@get("/", name="home")
async def home(request: Request) -> Template | Redirect:
    """The dashboard of a tenant's panel; the platform host goes to its console."""
    if request.state.get("platform"):
        return Redirect("/admin")
    user = request.state.get("user")
    if user is None:
        return Redirect("/login")
    tenant = request.state.tenant
    return page(
        request,
        "dashboard/index.html",
        announcements=await services.latest(),
        widgets=dashboard_widgets(tenant),
        **await dashboard_context(tenant, user),
    )


@get("/manage/announcements", guards=TENANT_ADMIN)
async def announcements_page(request: Request) -> Template:
    rows = await scoped(Announcement).objects().order_by(Announcement.id, ascending=False)
    return page(request, "dashboard/announcements.html", announcements=rows)


@get("/manage/announcements/new", guards=TENANT_ADMIN)
async def announcement_new(request: Request) -> Template:
    return page(request, "dashboard/announcement_form.html", values={}, editing=None)


@post("/manage/announcements/new", guards=TENANT_ADMIN)
async def announcement_create(request: Request) -> Template | Redirect:
    data = await form_data(request)
    try:
        row = await services.create(data, request.state.user.id)
    except DomainError as exc:
        return page(request, "dashboard/announcement_form.html", status_code=400, values=data, editing=None, error=exc.message)
    tenant = request.state.tenant
    await announce("announcement_published", tenant.id, enabled_plugins(tenant), announcement_id=row.id)
    flash(request, _("The announcement was published."))
    return Redirect("/manage/announcements", status_code=303)


@get("/manage/announcements/{announcement_id:int}", guards=TENANT_ADMIN)
async def announcement_edit(request: Request, announcement_id: FromPath[int]) -> Template:
    row = await services.get(announcement_id)
    return page(request, "dashboard/announcement_form.html", values=row.to_dict(), editing=row)


@post("/manage/announcements/{announcement_id:int}", guards=TENANT_ADMIN)
async def announcement_update(request: Request, announcement_id: FromPath[int]) -> Template | Redirect:
    data = await form_data(request)
    row = await services.get(announcement_id)
    try:
        await services.update(announcement_id, data)
    except DomainError as exc:
        return page(request, "dashboard/announcement_form.html", status_code=400, values=data, editing=row, error=exc.message)
    flash(request, _("The announcement was saved."))
    return Redirect("/manage/announcements", status_code=303)


@post("/manage/announcements/{announcement_id:int}/delete", guards=TENANT_ADMIN)
async def announcement_delete(request: Request, announcement_id: FromPath[int]) -> Redirect:
    await services.delete(announcement_id)
    flash(request, _("The announcement was deleted."))
    return Redirect("/manage/announcements", status_code=303)


def _announcement_json(row: Announcement) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "body": row.body, "created_at": row.created_at.isoformat()}


@get("/api/v1/announcements", guards=API_CUSTOMER, tags=["dashboard"])
async def api_announcements(request: Request) -> list[dict[str, Any]]:
    """The tenant's newest announcements."""
    return [_announcement_json(row) for row in await services.latest(50)]


@get("/api/v1/announcements/{announcement_id:int}", guards=API_CUSTOMER, tags=["dashboard"])
async def api_announcement(request: Request, announcement_id: FromPath[int]) -> dict[str, Any]:
    """One announcement of the tenant."""
    return _announcement_json(await services.get(announcement_id))


HANDLERS = [
    api_announcements,
    api_announcement,
    home,
    announcements_page,
    announcement_new,
    announcement_create,
    announcement_edit,
    announcement_update,
    announcement_delete,
]
