"""Guards on every handler: the host kind (tenant or platform), the role, the plugin."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler

from payamak.registry import get_registry
from payamak.tenancy.services import enabled_plugins

Guard = object


def plugin_enabled(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """A plugin's routes do not exist for a tenant that has not enabled it."""
    plugin = handler.opt.get("plugin")
    tenant = connection.state.get("tenant")
    if plugin and tenant is not None and not get_registry().is_enabled(plugin, enabled_plugins(tenant)):
        raise NotFoundException()


def on_tenant(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Tenant pages exist only on a tenant's host."""
    if connection.state.get("tenant") is None:
        raise NotFoundException()


def on_platform(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Platform-admin pages exist only on the platform's own host."""
    if not connection.state.get("platform"):
        raise NotFoundException()


def role_in(*roles: str):
    """Allow signed-in users with one of ``roles``; others are asked to log in, or told the
    page does not exist (404, not 403: a customer learns nothing of admin pages or their ids)."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = connection.state.get("user")
        if user is None:
            raise NotAuthorizedException()
        if user.role not in roles:
            raise NotFoundException()

    guard.__name__ = f"role_in_{'_'.join(roles)}"
    return guard


PANEL = [on_tenant, role_in("customer", "tenant_staff", "tenant_admin")]
CUSTOMER = [on_tenant, role_in("customer")]
STAFF = [on_tenant, role_in("tenant_staff", "tenant_admin")]
TENANT_ADMIN = [on_tenant, role_in("tenant_admin")]
API_CUSTOMER = [on_tenant, role_in("customer")]
PLATFORM_ADMIN = [on_platform, role_in("platform_admin")]


def known_host(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Every route: an unknown host is a 404 page; a suspended tenant's host says so."""
    state = connection.scope.get("state", {})
    if "host_known" not in state:  # static files and health checks are host-agnostic
        return
    if not state["host_known"]:
        raise NotFoundException()
    tenant = state.get("tenant")
    if tenant is not None and tenant.status != "active":
        from payamak.web.errors import TenantSuspended

        raise TenantSuspended()
