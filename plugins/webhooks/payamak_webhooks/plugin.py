"""Hook implementations of the webhooks plugin (panel section 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry

HERE = Path(__file__).parent


@hookimpl
def payamak_piccolo_apps() -> list[str]:
    return ["payamak_webhooks.piccolo_app"]


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak_webhooks import routes

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
        MenuEntry(_("API documentation"), "/services/api", "book", 305, ("customer",)),
        MenuEntry(_("Webhooks"), "/webhooks", "plug", 310, ("customer",)),
    ]


@hookimpl
def payamak_actor_modules() -> list[str]:
    return ["payamak_webhooks.actors"]


@hookimpl
def payamak_periodic_tasks() -> list[tuple[str, int]]:
    return [("webhooks_collect_reports", 5), ("webhooks_send_due", 2)]


@hookimpl
async def payamak_on_message_received(tenant_id: int, message_id: int) -> None:
    from payamak_webhooks.services import queue_incoming

    await queue_incoming(tenant_id, message_id)
