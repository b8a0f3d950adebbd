"""The messaging core as a plugin of the core: routes, menus, actors, periodic upkeep."""

from __future__ import annotations

from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak.messaging import api, pages, wholesale_pages

    return [*api.HANDLERS, *pages.HANDLERS, *wholesale_pages.HANDLERS]


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    return [
        MenuEntry(_("My sends"), "/messages", "list", 50, ("customer",)),
        MenuEntry(_("My numbers"), "/numbers", "phone", 120, ("customer",)),
        MenuEntry(_("Lines"), "/manage/lines", "phone", 520, ("tenant_admin",)),
        MenuEntry(_("Prices"), "/manage/prices", "tag", 530, ("tenant_admin",)),
        MenuEntry(_("Wholesale balance"), "/manage/wholesale", "wallet", 535, ("tenant_admin",)),
        MenuEntry(_("Operator connections"), "/admin/connections", "plug", 10, ("platform_admin",)),
        MenuEntry(_("Sender lines"), "/admin/lines", "phone", 20, ("platform_admin",)),
    ]


@hookimpl
def payamak_actor_modules() -> list[str]:
    return ["payamak.messaging.actors"]


@hookimpl
def payamak_periodic_tasks() -> list[tuple[str, int]]:
    from payamak.settings import get_settings

    recovery = int(get_settings().extra.get("RECOVERY_SECONDS", "30"))
    return [("promote_scheduled", 5), ("recover_stuck", recovery), ("keep_connections", 60)]


@hookimpl
def payamak_dashboard_widgets() -> list[str]:
    return ["messaging/widget_balance.html", "messaging/widget_wholesale.html"]


@hookimpl
async def payamak_dashboard_context(tenant_id: int, user_id: int) -> dict[str, Any]:
    from payamak.messaging.ledger import account_for, wholesale_account_for
    from payamak.tables import User

    user = await User.objects().where(User.id == user_id).first()
    if user is not None and user.role == "tenant_admin":
        return {"wholesale": await wholesale_account_for(tenant_id)}
    return {"balance": await account_for(tenant_id, user_id)}


@hookimpl
async def payamak_demo_data(tenant_slug: str) -> None:
    from payamak.messaging.demo import load_demo

    await load_demo(tenant_slug)
