"""Hook implementations of the bulk plugin (panel section 3 and report 8-3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry, SettingSpec

HERE = Path(__file__).parent


@hookimpl
def payamak_piccolo_apps() -> list[str]:
    return ["payamak_sms_bulk.piccolo_app"]


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak_sms_bulk import admin_routes, routes

    return [*routes.HANDLERS, *admin_routes.HANDLERS]


@hookimpl
def payamak_template_dirs() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def payamak_locale_dirs() -> list[str]:
    return [str(HERE / "locale")]


@hookimpl
def payamak_actor_modules() -> list[str]:
    return ["payamak_sms_bulk.actors"]


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    return [MenuEntry(_("Bulk SMS"), "/bulk", "megaphone", 35, ("customer",))]


@hookimpl
def payamak_settings() -> list[SettingSpec]:
    return [
        SettingSpec("BULK_DEMO_SIZE", "numbers in the synthetic demo database of `payamak demo`", default="300000"),
        SettingSpec("BULK_CALCULATION_MINUTES", "minutes a calculate-count stays valid for sending", default="15"),
    ]


@hookimpl
async def payamak_demo_data(tenant_slug: str) -> None:
    from payamak_sms_bulk.demo import load_demo

    await load_demo(tenant_slug)
