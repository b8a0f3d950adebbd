"""Accounts as a plugin of the core: log-in, profile, password, web service, customers."""

from __future__ import annotations

from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak.accounts import routes

    return routes.HANDLERS


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    everyone = ("customer", "tenant_staff", "tenant_admin")
    return [
        MenuEntry(_("My profile"), "/profile", "user", 900, everyone),
        MenuEntry(_("Web service"), "/services/webservice", "code", 910, ("customer",)),
        MenuEntry(_("Customers"), "/manage/customers", "users", 500, ("tenant_admin",)),
    ]
