"""Prices per SMS part, per tenant, by line kind and encoding (integer Rials): the retail
prices a tenant charges its customers, and the wholesale prices the platform charges the
tenant (zero until platform admins set them: such a tenant's sends cost it nothing)."""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

from payamak.db import writing
from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.messaging.tables import LINE_KINDS, Price, WholesalePrice
from payamak.tenancy import scoped
from payamak.web.forms import whole_number

ENCODINGS = ("ucs2", "gsm7")
MAX_PRICE = 10_000_000
KIND_LABELS = {"dedicated": _("Dedicated"), "shared": _("Shared"), "advertising": _("Advertising"), "service": _("Service")}
ENCODING_LABELS = {"ucs2": _("Persian (Unicode)"), "gsm7": _("Latin (GSM-7)")}

# Defaults until a tenant sets its own: Persian (UCS-2) parts are the common case.
DEFAULT_PRICES: dict[tuple[str, str], int] = {
    ("dedicated", "ucs2"): 1_500,
    ("dedicated", "gsm7"): 2_000,
    ("shared", "ucs2"): 1_500,
    ("shared", "gsm7"): 2_000,
    ("service", "ucs2"): 1_800,
    ("service", "gsm7"): 2_300,
    ("advertising", "ucs2"): 1_200,
    ("advertising", "gsm7"): 1_600,
}


async def price_table(tenant_id: int, model: type[Table] = Price) -> dict[tuple[str, str], int]:
    """The tenant's price of a part for every (line kind, encoding); ``model=WholesalePrice``
    for what the platform charges the tenant."""
    table = dict(DEFAULT_PRICES) if model is Price else dict.fromkeys(DEFAULT_PRICES, 0)
    for row in await scoped(model, tenant_id).select(model.line_kind, model.encoding, model.per_part):
        table[(row["line_kind"], row["encoding"])] = row["per_part"]
    return table


async def wholesale_table(tenant_id: int) -> dict[tuple[str, str], int]:
    """What the platform charges the tenant for a part, for every (line kind, encoding)."""
    return await price_table(tenant_id, WholesalePrice)


async def price_per_part(tenant_id: int, line_kind: str, encoding: str) -> int:
    """The price of one part of a message of ``encoding`` sent from a line of ``line_kind``."""
    return (await price_table(tenant_id))[(line_kind, encoding)]


async def save_price_form(tenant_id: int, data: dict[str, Any], model: type[Table] = Price, *, every: bool = False) -> None:
    """Save a price form (fields ``kind.encoding``): every price is checked before any is saved,
    then all are saved in one transaction. Empty fields keep their price, unless ``every``."""
    prices: dict[tuple[str, str], int] = {}
    for kind in LINE_KINDS:
        for encoding in ENCODINGS:
            field = f"{KIND_LABELS[kind]}, {ENCODING_LABELS[encoding]}"
            price = whole_number(data.get(f"{kind}.{encoding}"), field)
            if price is None and every:
                raise DomainError("price.missing", _("%(field)s must be a whole number."), field=field)
            if price is not None:
                if price > MAX_PRICE:
                    raise DomainError("price.out_of_range", _("A price must be between 0 and 10,000,000 Rials."))
                prices[(kind, encoding)] = price
    async with writing():
        for (kind, encoding), per_part in prices.items():
            await set_price(tenant_id, kind, encoding, per_part, model)


async def set_price(tenant_id: int, line_kind: str, encoding: str, per_part: int, model: type[Table] = Price) -> None:
    """Set one price of a tenant (tenant admins; platform admins with ``model=WholesalePrice``)."""
    if line_kind not in LINE_KINDS or encoding not in ENCODINGS:
        raise DomainError("price.unknown_kind", _("Unknown line kind or encoding."))
    if per_part < 0 or per_part > MAX_PRICE:
        raise DomainError("price.out_of_range", _("A price must be between 0 and 10,000,000 Rials."))
    updated = (
        await scoped(model, tenant_id)
        .update({model.per_part: per_part})
        .where((model.line_kind == line_kind) & (model.encoding == encoding))
        .returning(model.id)
    )
    if not updated:
        await model.insert(model(tenant=tenant_id, line_kind=line_kind, encoding=encoding, per_part=per_part))
