"""The message boxes as a plugin of the core: pages, API, menus, catalogue, the dashboard's newest messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak.boxes import api, routes

    return [*api.HANDLERS, *routes.HANDLERS]


@hookimpl
def payamak_locale_dirs() -> list[str]:
    return [str(Path(__file__).parent / "locale")]


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    return [
        MenuEntry(_("Inbox"), "/inbox", "inbox", 20, ("customer",)),
        MenuEntry(_("Outbox"), "/outbox", "outbox", 30, ("customer",)),
        MenuEntry(_("Scheduled sends"), "/scheduled", "clock", 35, ("customer",)),
        MenuEntry(_("Templates"), "/templates", "note", 40, ("customer",)),
        MenuEntry(_("Trash"), "/trash", "trash", 190, ("customer",)),
    ]


@hookimpl
def payamak_dashboard_widgets() -> list[str]:
    return ["boxes/widget_inbox.html"]


@hookimpl
async def payamak_dashboard_context(tenant_id: int, user_id: int) -> dict[str, Any]:
    from payamak.boxes.services import latest_received

    return {"latest_received": await latest_received(tenant_id, user_id)}
