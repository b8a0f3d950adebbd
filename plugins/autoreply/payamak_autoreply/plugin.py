"""Hook implementations of the auto-reply plugin (panel section 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry, SettingSpec

HERE = Path(__file__).parent


@hookimpl
def payamak_piccolo_apps() -> list[str]:
    return ["payamak_autoreply.piccolo_app"]


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak_autoreply import api, routes

    return [*routes.HANDLERS, *api.HANDLERS]


@hookimpl
def payamak_template_dirs() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def payamak_locale_dirs() -> list[str]:
    return [str(HERE / "locale")]


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    return [MenuEntry(_("Auto-reply"), "/autoreply", "reply", 60, ("customer",))]


@hookimpl
def payamak_settings() -> list[SettingSpec]:
    return [
        SettingSpec("AUTOREPLY_MAX_REPLIES", "auto-replies to one sender on one line within the window", default="3"),
        SettingSpec("AUTOREPLY_WINDOW_SECONDS", "the auto-reply rate-limit window in seconds", default="600"),
    ]


@hookimpl
async def payamak_on_message_received(tenant_id: int, message_id: int) -> None:
    from payamak_autoreply.reaction import answer_message

    await answer_message(tenant_id, message_id)
