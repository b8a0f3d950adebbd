"""Hook implementations of the send pages plugin (panel section 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry

HERE = Path(__file__).parent


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak_sms_simple import api, routes, routes_files

    return [*routes.HANDLERS, *routes_files.HANDLERS, *api.HANDLERS]


@hookimpl
def payamak_template_dirs() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def payamak_static_dirs() -> dict[str, str]:
    return {"sms_simple": str(HERE / "static")}


@hookimpl
def payamak_locale_dirs() -> list[str]:
    return [str(HERE / "locale")]


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    return [
        MenuEntry(_("Simple send"), "/send/simple", "send", 11, ("customer",)),
        MenuEntry(_("Advanced send"), "/send/advanced", "upload", 12, ("customer",)),
        MenuEntry(_("Peer-to-peer send"), "/send/p2p", "table", 13, ("customer",)),
    ]


@hookimpl
def payamak_actor_modules() -> list[str]:
    return ["payamak_sms_simple.actors"]


@hookimpl
def payamak_periodic_tasks() -> list[tuple[str, int]]:
    return [("sms_simple_sweep_uploads", 600)]
