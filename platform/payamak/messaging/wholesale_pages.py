"""Wholesale pages: platform admins set a tenant's wholesale prices and balance; tenant admins
see their balance, what their customers' sends cost them and whether sends were refused."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.messaging import ledger, pricing, wholesale
from payamak.messaging.tables import LINE_KINDS, WholesalePrice
from payamak.tables import Tenant
from payamak.web.forms import form_data, whole_number
from payamak.web.guards import PLATFORM_ADMIN, TENANT_ADMIN
from payamak.web.rendering import flash, page


async def _tenant(tenant_id: int) -> Tenant:
    tenant = await Tenant.objects().where(Tenant.id == tenant_id).first()
    if tenant is None:
        raise NotFoundException()
    return tenant


@get("/admin/tenants/{tenant_id:int}/wholesale", guards=PLATFORM_ADMIN)
async def admin_wholesale(request: Request, tenant_id: FromPath[int]) -> Template:
    """A tenant's wholesale prices, balance and its movements."""
    tenant = await _tenant(tenant_id)
    return page(
        request,
        "messaging/admin_wholesale.html",
        target=tenant,  # not ``tenant``: that names the panel being shown (its branding)
        account=await ledger.wholesale_account_for(tenant.id),
        table=await pricing.wholesale_table(tenant.id),
        kinds=LINE_KINDS,
        encodings=pricing.ENCODINGS,
        entries=await wholesale.history(tenant.id),
    )


@post("/admin/tenants/{tenant_id:int}/wholesale/prices", guards=PLATFORM_ADMIN)
async def admin_wholesale_prices(request: Request, tenant_id: FromPath[int]) -> Redirect:
    tenant = await _tenant(tenant_id)
    data = await form_data(request)
    try:
        await pricing.save_price_form(tenant.id, data, WholesalePrice, every=True)
    except DomainError as exc:
        flash(request, exc.message, "error")
    else:
        flash(request, _("The wholesale prices were saved."))
    return Redirect(f"/admin/tenants/{tenant.id}/wholesale", status_code=303)


@post("/admin/tenants/{tenant_id:int}/wholesale/balance", guards=PLATFORM_ADMIN)
async def admin_wholesale_balance(request: Request, tenant_id: FromPath[int]) -> Redirect:
    tenant = await _tenant(tenant_id)
    data = await form_data(request)
    try:
        amount = whole_number(data.get("amount"), _("Amount"), signed=True)
        if not amount:
            raise DomainError("credit.zero", _("The amount must not be zero."))
        await wholesale.top_up(tenant.id, amount, str(data.get("reason", "")), request.state.user.id)
    except DomainError as exc:
        flash(request, exc.message, "error")
    else:
        flash(request, _("The wholesale balance was changed."))
    return Redirect(f"/admin/tenants/{tenant.id}/wholesale", status_code=303)


@get("/manage/wholesale", guards=TENANT_ADMIN)
async def manage_wholesale(request: Request) -> Template:
    """The tenant's wholesale balance, refused sends, wholesale next to retail prices, movements."""
    tenant_id = request.state.tenant.id
    return page(
        request,
        "messaging/manage_wholesale.html",
        account=await ledger.wholesale_account_for(tenant_id),
        table=await pricing.wholesale_table(tenant_id),
        retail=await pricing.price_table(tenant_id),
        kinds=LINE_KINDS,
        encodings=pricing.ENCODINGS,
        entries=await wholesale.history(tenant_id),
    )


HANDLERS = [admin_wholesale, admin_wholesale_prices, admin_wholesale_balance, manage_wholesale]
