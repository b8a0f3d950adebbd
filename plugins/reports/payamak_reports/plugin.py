"""Hook implementations of the reports plugin (panel sections 1 and 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry

HERE = Path(__file__).parent


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak_reports import routes

    return routes.HANDLERS


@hookimpl
def payamak_template_dirs() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def payamak_static_dirs() -> dict[str, str]:
    return {"reports": str(HERE / "static")}


@hookimpl
def payamak_locale_dirs() -> list[str]:
    return [str(HERE / "locale")]


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    return [
        MenuEntry(_("Sent report"), "/reports/sent", "chart", 80, ("customer",)),
        MenuEntry(_("Received report"), "/reports/received", "chart", 85, ("customer",)),
    ]


@hookimpl
def payamak_dashboard_widgets() -> list[str]:
    return ["reports/widget_traffic.html"]


@hookimpl
async def payamak_dashboard_context(tenant_id: int, user_id: int) -> dict[str, Any]:
    from payamak_reports.services import dashboard_figures

    return await dashboard_figures(tenant_id, user_id)
