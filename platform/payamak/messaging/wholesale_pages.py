"""Wholesale pages: platform admins set a tenant's wholesale prices and balance; tenant admins
see their balance, what their customers' sends cost them and whether sends were refused."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from payamak.db import writing
from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.i18n import latin_digits
from payamak.messaging import ledger, pricing, wholesale
from payamak.messaging.tables import LINE_KINDS, WholesalePrice
from payamak.tables import Tenant
from payamak.web.forms import form_data
from payamak.web.guards import PLATFORM_ADMIN, TENANT_ADMIN
from payamak.web.rendering import flash, page


def _rials(value: Any, *, signed: bool = False) -> int:
    text = latin_digits(str(value or "")).replace(",", "").replace("٬", "").strip()
    digits = text[1:] if signed and text.startswith("-") else text
    if not digits.isdigit():
        raise DomainError("wholesale.bad_amount", _("Amounts are whole numbers of Rials."))
    return int(text)


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
        # Every price checked before any is saved, then all saved in one transaction.
        prices = {(k, e): _rials(data.get(f"{k}.{e}")) for k in LINE_KINDS for e in pricing.ENCODINGS}
        if any(p > pricing.MAX_PRICE for p in prices.values()):
            raise DomainError("price.out_of_range", _("A price must be between 0 and 10,000,000 Rials."))
        async with writing():
            for (kind, encoding), per_part in prices.items():
                await pricing.set_price(tenant.id, kind, encoding, per_part, WholesalePrice)
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
        amount = _rials(data.get("amount"), signed=True)
        if amount == 0:
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
