"""The platform console as a plugin of the core."""

from __future__ import annotations

from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak.platform_admin.routes import HANDLERS

    return HANDLERS


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    return [MenuEntry(_("Tenants"), "/admin", "building", 0, ("platform_admin",))]
