"""Hook implementations of the billing plugin (panel sections 12, 13 and 14)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry, SettingSpec

HERE = Path(__file__).parent
log = logging.getLogger(__name__)


@hookimpl
def payamak_piccolo_apps() -> list[str]:
    return ["payamak_billing_zarinpal.piccolo_app"]


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak_billing_zarinpal import admin_routes, routes

    return [*routes.HANDLERS, *admin_routes.HANDLERS]


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
        MenuEntry(_("Number requests"), "/numbers/requests", "number", 71, ("customer",)),
        MenuEntry(_("My credit"), "/credit", "wallet", 72, ("customer",)),
        MenuEntry(_("Invoices"), "/invoices", "invoice", 73, ("customer",)),
        MenuEntry(_("Line requests"), "/billing/requests", "number", 74, ("tenant_admin", "tenant_staff")),
        MenuEntry(_("Payments"), "/billing/payments", "wallet", 75, ("tenant_admin", "tenant_staff")),
        MenuEntry(_("Customers' invoices"), "/billing/invoices", "invoice", 75, ("tenant_admin", "tenant_staff")),
        MenuEntry(_("Billing settings"), "/billing/settings", "settings", 76, ("tenant_admin",)),
    ]


@hookimpl
def payamak_actor_modules() -> list[str]:
    return ["payamak_billing_zarinpal.actors"]


@hookimpl
def payamak_periodic_tasks() -> list[tuple[str, int]]:
    from payamak.settings import get_settings

    return [("reconcile_payments", int(get_settings().extra.get("BILLING_RECONCILE_SECONDS", "120")))]


@hookimpl
def payamak_settings() -> list[SettingSpec]:
    return [
        SettingSpec("ZARINPAL_STANDIN_PORT", "port of the local ZarinPal stand-in the embedded mode starts", default="8600"),
        SettingSpec(
            "ZARINPAL_STANDIN_URL", "URL of a ZarinPal stand-in running elsewhere (tenants whose gateway is 'standin')", default=""
        ),
        SettingSpec("BILLING_RECONCILE_SECONDS", "how often pending payments are verified again", default="120"),
        SettingSpec(
            "BILLING_LINE_CONNECTION", "operator connection (name) of lines bought online; empty: the first active one", default=""
        ),
    ]


@hookimpl
def payamak_embedded_services(settings: Any) -> list[Any]:
    """The embedded mode runs the ZarinPal stand-in in-process."""
    return [embedded_standin(int(settings.extra.get("ZARINPAL_STANDIN_PORT", "8600")))]


@asynccontextmanager
async def embedded_standin(port: int) -> AsyncIterator[Any]:
    """The stand-in on 127.0.0.1:``port`` (a free port when that one is taken)."""
    from payamak_billing_zarinpal.gateway import running_standin, use_standin
    from payamak_billing_zarinpal.standin import StandIn

    standin = StandIn(port)
    try:
        await standin.start()
    except OSError as exc:
        log.warning("ZarinPal stand-in port %s is taken (%s); using a free port", port, exc)
        standin = StandIn(0)
        await standin.start()
    previous = running_standin()
    use_standin(standin.url)
    try:
        yield standin
    finally:
        use_standin(previous)
        await standin.stop()


@hookimpl
async def payamak_demo_data(tenant_slug: str) -> None:
    """The demo tenant pays at the stand-in with a made-up merchant id."""
    from payamak.tables import Tenant
    from payamak.tenancy import scoped
    from payamak_billing_zarinpal.services import settings_for
    from payamak_billing_zarinpal.tables import BillingSettings

    tenant = await Tenant.objects().where(Tenant.slug == tenant_slug).first()
    if tenant is None:
        return
    row = await settings_for(tenant.id)
    if not row.merchant_id:
        await (
            scoped(BillingSettings, tenant.id)
            .update({BillingSettings.merchant_id: "00000000-0000-4000-8000-000000000000"})
            .where(BillingSettings.id == row.id)
        )
