"""Platform admins create tenants, edit them, suspend them, and create their admins."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from piccolo.query.functions.aggregate import Count

from payamak.accounts import services as accounts
from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.registry import get_registry
from payamak.tables import Tenant, User
from payamak.tenancy.services import create_tenant, domains_of, enabled_plugins, validate_tenant_fields
from payamak.web.forms import form_data
from payamak.web.guards import PLATFORM_ADMIN
from payamak.web.rendering import flash, page


async def _tenant(tenant_id: FromPath[int]) -> Tenant:
    tenant = await Tenant.objects().where(Tenant.id == tenant_id).first()
    if tenant is None:
        raise NotFoundException()
    return tenant


def _form_fields(data: dict[str, Any], form: Any) -> dict[str, Any]:
    return {
        "name": str(data.get("name", "")).strip(),
        "domains": [d.lower() for d in re.split(r"[\s,]+", str(data.get("domains", ""))) if d],
        "primary_color": str(data.get("primary_color", "#0f766e")),
        "secondary_color": str(data.get("secondary_color", "#134e4a")),
        "plugins": [p for p in form.getall("plugins", [])] if hasattr(form, "getall") else [],
        "status": str(data.get("status", "active")),
    }


@get("/admin", guards=PLATFORM_ADMIN)
async def tenants_page(request: Request) -> Template:
    """Every tenant with its status and number of users."""
    tenants = await Tenant.objects().order_by(Tenant.id)
    counts = {
        row["tenant"]: row["count"]
        for row in await User.select(User.tenant, Count(User.id, alias="count")).where(User.tenant.is_not_null()).group_by(User.tenant)
    }
    from payamak.messaging.tables import WholesaleAccount

    wholesale = {row.tenant: row for row in await WholesaleAccount.objects()}
    return page(request, "platform_admin/tenants.html", tenants=tenants, counts=counts, wholesale=wholesale)


@get("/admin/tenants/new", guards=PLATFORM_ADMIN)
async def tenant_new(request: Request) -> Template:
    return page(
        request,
        "platform_admin/tenant_form.html",
        values={"plugins": get_registry().optional_plugins},
        editing=None,
        installed=get_registry().optional_plugins,
    )


@post("/admin/tenants/new", guards=PLATFORM_ADMIN)
async def tenant_create(request: Request) -> Template | Redirect:
    form = await request.form()
    data = await form_data(request)
    fields = _form_fields(data, form)
    try:
        tenant = await create_tenant(str(data.get("slug", "")).strip().lower(), **fields)
    except DomainError as exc:
        return page(
            request,
            "platform_admin/tenant_form.html",
            status_code=400,
            values={**data, **fields},
            editing=None,
            installed=get_registry().optional_plugins,
            error=exc.message,
        )
    flash(request, _("The tenant “%(name)s” was created.", name=tenant.name))
    return Redirect(f"/admin/tenants/{tenant.id}", status_code=303)


@get("/admin/tenants/{tenant_id:int}", guards=PLATFORM_ADMIN)
async def tenant_page(request: Request, tenant_id: FromPath[int]) -> Template:
    tenant = await _tenant(tenant_id)
    admins = await User.objects().where((User.tenant == tenant.id) & (User.role == "tenant_admin"))
    values = {**tenant.to_dict(), "domains": ", ".join(domains_of(tenant)), "plugins": enabled_plugins(tenant)}
    return page(
        request, "platform_admin/tenant_form.html", values=values, editing=tenant, admins=admins, installed=get_registry().optional_plugins
    )


@post("/admin/tenants/{tenant_id:int}", guards=PLATFORM_ADMIN)
async def tenant_update(request: Request, tenant_id: FromPath[int]) -> Template | Redirect:
    tenant = await _tenant(tenant_id)
    form = await request.form()
    data = await form_data(request)
    fields = _form_fields(data, form)
    try:
        validate_tenant_fields(tenant.slug, fields["name"], [fields["primary_color"], fields["secondary_color"]], fields["plugins"])
        if fields["status"] not in ("active", "suspended"):
            raise DomainError("tenant.bad_status", _("Unknown status."))
    except DomainError as exc:
        return page(
            request,
            "platform_admin/tenant_form.html",
            status_code=400,
            values={**data, **fields},
            editing=tenant,
            admins=[],
            installed=get_registry().optional_plugins,
            error=exc.message,
        )
    await Tenant.update({getattr(Tenant, k): v for k, v in fields.items()}).where(Tenant.id == tenant.id)
    flash(request, _("The tenant was saved."))
    return Redirect(f"/admin/tenants/{tenant.id}", status_code=303)


@post("/admin/tenants/{tenant_id:int}/admins", guards=PLATFORM_ADMIN)
async def tenant_admin_create(request: Request, tenant_id: FromPath[int]) -> Redirect:
    tenant = await _tenant(tenant_id)
    data = await form_data(request)
    try:
        accounts.check_new_password(str(data.get("password", "")), str(data.get("password_repeat", "")))
        await accounts.create_user(
            tenant.id,
            str(data.get("username", "")),
            str(data.get("password", "")),
            "tenant_admin",
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            email=data.get("email", ""),
        )
    except DomainError as exc:
        flash(request, exc.message, "error")
    else:
        flash(request, _("The tenant admin was created."))
    return Redirect(f"/admin/tenants/{tenant.id}", status_code=303)


HANDLERS = [tenants_page, tenant_new, tenant_create, tenant_page, tenant_update, tenant_admin_create]
