"""Billing logic without HTTP: per-tenant settings, pro-forma invoices, invoices and their lists."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from payamak.db import writing
from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.messaging import pricing
from payamak.tables import User
from payamak.tenancy import scoped
from payamak.web.formatting import parse_jalali
from payamak.web.forms import whole_number
from payamak_billing_zarinpal.gateway import GATEWAYS
from payamak_billing_zarinpal.tables import BillingSettings, Invoice, Payment

# Number types of fixed lines (their prefix) and the service type, with default retail prices.
NUMBER_TYPES = ("3000", "2000", "1000")
LINE_PRICE_KEYS = (*NUMBER_TYPES, "service")
DEFAULT_LINE_PRICES = {"3000": 2_000_000, "2000": 5_000_000, "1000": 10_000_000, "service": 15_000_000}
MIN_PURCHASE = 10_000
MAX_PURCHASE = 1_000_000_000
MERCHANT = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def loaded(value: Any) -> Any:
    """A JSON column's value as Python (Piccolo hands JSON back as text)."""
    return json.loads(value) if isinstance(value, str) else value


async def settings_for(tenant_id: int) -> BillingSettings:
    """The tenant's billing settings, created with defaults on first use."""
    row = await scoped(BillingSettings, tenant_id).objects().first()
    if row is None:
        await BillingSettings.insert(BillingSettings(tenant=tenant_id, line_prices=dict(DEFAULT_LINE_PRICES))).on_conflict(
            action="DO NOTHING"
        )
        row = await scoped(BillingSettings, tenant_id).objects().first()
    return row


def line_prices(settings: BillingSettings) -> dict[str, int]:
    """Retail line prices by type (defaults for the types a tenant has not set)."""
    return {**DEFAULT_LINE_PRICES, **{k: int(v) for k, v in (loaded(settings.line_prices) or {}).items() if k in LINE_PRICE_KEYS}}


async def update_settings(tenant_id: int, data: dict[str, Any]) -> BillingSettings:
    """Save a tenant admin's merchant id, gateway, tax rate and line prices."""
    merchant = str(data.get("merchant_id", "")).strip()
    if merchant and not MERCHANT.match(merchant):
        raise DomainError("billing.bad_merchant", _("A ZarinPal merchant id has 36 characters, like 1344b5d4-0048-11e8-94db-005056a205be."))
    gateway = str(data.get("gateway", "standin"))
    if gateway not in GATEWAYS:
        raise DomainError("billing.bad_gateway", _("Unknown payment gateway."))
    tax = whole_number(data.get("tax_percent"), _("Tax rate"))
    if tax is None or tax > 100:
        raise DomainError("billing.bad_tax", _("The tax rate is a whole percentage between 0 and 100."))
    prices = {}
    for key in LINE_PRICE_KEYS:
        price = whole_number(data.get(f"price_{key}"), _("Line price"))
        if price is None or price < 1000 or price > MAX_PURCHASE:
            raise DomainError("billing.bad_line_price", _("A line price must be between 1,000 and 1,000,000,000 Rials."))
        prices[key] = price
    row = await settings_for(tenant_id)
    await (
        scoped(BillingSettings, tenant_id)
        .update(
            {
                BillingSettings.merchant_id: merchant,
                BillingSettings.gateway: gateway,
                BillingSettings.tax_percent: tax,
                BillingSettings.line_prices: prices,
            }
        )
        .where(BillingSettings.id == row.id)
    )
    return await settings_for(tenant_id)


@dataclass(frozen=True)
class ProForma:
    """A pro-forma invoice (پیش‌فاکتور) of a credit purchase: nothing is stored yet."""

    sms_count: int
    unit_price: int
    subtotal: int
    tax_percent: int
    tax: int

    @property
    def total(self) -> int:
        return self.subtotal + self.tax


async def proforma(tenant_id: int, sms_count: Any = None, amount: Any = None) -> ProForma:
    """Price ``sms_count`` SMS (or an ``amount`` of Rials) with the tenant's price and tax rate."""
    settings = await settings_for(tenant_id)
    unit = await pricing.price_per_part(tenant_id, "dedicated", "ucs2")
    count = whole_number(sms_count, _("Number of SMS"))
    rials = whole_number(amount, _("Amount"))
    if count:
        subtotal = count * unit
    elif rials:
        subtotal, count = rials, rials // unit if unit else 0
    else:
        raise DomainError("billing.nothing_to_buy", _("Enter a number of SMS or an amount."))
    if subtotal < MIN_PURCHASE or subtotal > MAX_PURCHASE:
        raise DomainError("billing.purchase_range", _("A purchase must be between 10,000 and 1,000,000,000 Rials."))
    tax = subtotal * settings.tax_percent // 100
    return ProForma(count, unit, subtotal, settings.tax_percent, tax)


async def _next_number(tenant_id: int) -> int:
    """Take the tenant's next invoice number (inside the caller's writing transaction)."""
    await settings_for(tenant_id)
    rows = await (
        BillingSettings.update({BillingSettings.next_invoice_number: BillingSettings.next_invoice_number + 1})
        .where(BillingSettings.tenant == tenant_id)
        .returning(BillingSettings.next_invoice_number)
    )
    return int(rows[0]["next_invoice_number"]) - 1


async def create_invoice(
    user: User, kind: str, description: str, subtotal: int, tax_percent: int, *, sms_count: int = 0, line_request: int | None = None
) -> Invoice:
    """Issue an unpaid invoice with the tenant's next number."""
    tax = subtotal * tax_percent // 100
    async with writing():
        number = await _next_number(user.tenant)
        items = [{"description": description, "amount": subtotal}]
        return await scoped(Invoice, user.tenant).create(
            user=user.id,
            number=number,
            kind=kind,
            description=description,
            items=items,
            sms_count=sms_count,
            subtotal=subtotal,
            tax=tax,
            total=subtotal + tax,
            line_request=line_request,
        )


async def credit_invoice(user: User, offer: ProForma) -> Invoice:
    """The invoice of a confirmed pro-forma."""
    description = str(_("Purchase of %(count)s SMS credit")) % {"count": f"{offer.sms_count:,}"}
    return await create_invoice(user, "credit", description, offer.subtotal, offer.tax_percent, sms_count=offer.sms_count)


async def own_invoice(user: User, invoice_id: Any) -> Invoice:
    """One of the user's invoices (staff see every invoice of the tenant); else 404."""
    invoice = await scoped(Invoice, user.tenant).get(invoice_id)
    if invoice is None or (user.role == "customer" and invoice.user != user.id):
        raise NotFound("invoice")
    return invoice


def invoices_query(user: User, status: str) -> Any:
    """The user's invoices of a status, newest first."""
    return (
        scoped(Invoice, user.tenant)
        .objects()
        .where((Invoice.user == user.id) & (Invoice.status == status))
        .order_by(Invoice.id, ascending=False)
    )


@dataclass(frozen=True)
class DateRange:
    """A Jalali date range from a form (both ends optional)."""

    start: datetime | None
    end: datetime | None
    start_text: str = ""
    end_text: str = ""


def date_range(start: str = "", end: str = "") -> DateRange:
    """Parse ``1403/5/1`` … ``1403/5/31`` (the end day is included)."""
    try:
        since = parse_jalali(start) if start.strip() else None
        until = parse_jalali(end) if end.strip() else None
    except (ValueError, DomainError) as exc:
        raise DomainError("billing.bad_date", _("Dates look like 1403/5/12.")) from exc
    if until is not None and ":" not in end:
        until += timedelta(days=1)
    return DateRange(since, until, start, end)


def in_range(query: Any, column: Any, period: DateRange) -> Any:
    """``query`` limited to ``period`` on ``column``."""
    if period.start is not None:
        query = query.where(column >= period.start)
    if period.end is not None:
        query = query.where(column < period.end)
    return query


async def payments_of(user: User, period: DateRange, verified_only: bool = False) -> list[Payment]:
    """13-1 / 13-2: the user's online payments in ``period``, newest first."""
    query = scoped(Payment, user.tenant).objects().where(Payment.user == user.id)
    if verified_only:
        query = query.where(Payment.status == "verified")
    return await in_range(query, Payment.created_at, period).order_by(Payment.id, ascending=False).limit(500)


async def own_payment(user: User, payment_id: Any) -> Payment:
    """One of the user's payments; else 404."""
    payment = await scoped(Payment, user.tenant).get(payment_id)
    if payment is None or (user.role == "customer" and payment.user != user.id):
        raise NotFound("payment")
    return payment


def now() -> datetime:
    return datetime.now(UTC)


def new_token() -> str:
    return uuid.uuid4().hex
