"""The dashboard as a plugin of the core."""

from __future__ import annotations

from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak.dashboard.routes import HANDLERS

    return HANDLERS


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    return [
        MenuEntry(_("Dashboard"), "/", "home", 0, ("customer", "tenant_staff", "tenant_admin")),
        MenuEntry(_("Announcements"), "/manage/announcements", "megaphone", 510, ("tenant_admin",)),
    ]


@hookimpl
def payamak_dashboard_widgets() -> list[str]:
    return ["dashboard/widget_reminders.html"]
