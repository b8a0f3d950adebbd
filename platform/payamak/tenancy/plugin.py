"""Tenancy as a plugin of the core: the core's Piccolo app, the tenant's logo."""

from __future__ import annotations

from typing import Any

from payamak import hookimpl


@hookimpl
def payamak_piccolo_apps() -> list[str]:
    return ["payamak.piccolo_app"]


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak.tenancy.routes import branding_logo

    return [branding_logo]
