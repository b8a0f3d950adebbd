"""Hook implementations of the support plugin (panel section 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry

HERE = Path(__file__).parent


@hookimpl
def payamak_piccolo_apps() -> list[str]:
    return ["payamak_support.piccolo_app"]


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak_support import routes

    return routes.HANDLERS


@hookimpl
def payamak_template_dirs() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def payamak_locale_dirs() -> list[str]:
    return [str(HERE / "locale")]


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    return [
        MenuEntry(_("Support"), "/support", "help", 200, ("customer",)),
        MenuEntry(_("Support tickets"), "/manage/support", "help", 540, ("tenant_staff", "tenant_admin")),
        MenuEntry(_("Support departments"), "/manage/support/departments", "help", 545, ("tenant_admin",)),
    ]


@hookimpl
def payamak_dashboard_widgets() -> list[str]:
    return ["support/widget_replies.html"]


@hookimpl
async def payamak_dashboard_context(tenant_id: int, user_id: int) -> dict[str, Any]:
    from payamak_support.services import unread_for

    return {"support_unread": await unread_for(tenant_id, user_id)}


@hookimpl
async def payamak_demo_data(tenant_slug: str) -> None:
    """Three departments for the demo tenant, so tickets can be opened at once."""
    from payamak.tables import Tenant
    from payamak_support.tables import Department

    tenant = await Tenant.objects().where(Tenant.slug == tenant_slug).first()
    if tenant is None or await Department.exists().where(Department.tenant == tenant.id):
        return
    await Department.insert(*[Department(tenant=tenant.id, name=name) for name in ("پشتیبانی فنی", "مالی و پرداخت", "فروش")])
