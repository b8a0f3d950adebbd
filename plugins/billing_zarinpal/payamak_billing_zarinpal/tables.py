"""Billing tables: per-tenant settings, invoices, payments and sender-line requests."""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from payamak.tables import Tenant, User


class BillingSettings(Table, tablename="billing_settings"):
    """A tenant's merchant id, gateway, tax rate, retail line prices and invoice counter."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, unique=True)
    merchant_id = Varchar(length=36, default="")
    gateway = Varchar(length=12, default="standin")  # standin, sandbox, production
    tax_percent = Integer(default=10)
    line_prices = JSON(default={})
    next_invoice_number = Integer(default=1)


class LineRequest(Table, tablename="billing_line_request"):
    """A customer's request for a fixed (dedicated) or service sender number."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20, default="dedicated")  # dedicated, service
    number_type = Varchar(length=10)
    number = Varchar(length=20, index=True)
    company = JSON(default={})
    documents = JSON(default=[])
    status = Varchar(length=20, default="pending", index=True)  # pending, invoiced, active, rejected
    reason = Text(default="")
    line = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    reviewed_at = Timestamptz(null=True, default=None)


class Invoice(Table, tablename="billing_invoice"):
    """An invoice: credit to buy or a line to pay for, numbered per tenant; staff may refund a paid one."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, index=True)
    number = Integer()
    kind = Varchar(length=10)  # credit, line
    description = Varchar(length=200, default="")
    items = JSON(default=[])
    sms_count = Integer(default=0)
    subtotal = BigInt()
    tax = BigInt(default=0)
    total = BigInt()
    status = Varchar(length=10, default="unpaid", index=True)  # unpaid, paid, refunded
    line_request = ForeignKey(LineRequest, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    paid_at = Timestamptz(null=True, default=None)
    refund_reason = Text(default="")
    refunded_at = Timestamptz(null=True, default=None)
    refunded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)


class Payment(Table, tablename="billing_payment"):
    """One attempt to pay an invoice at the gateway; ``authority`` is ZarinPal's id of it."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, index=True)
    invoice = ForeignKey(Invoice, on_delete=OnDelete.restrict, index=True)
    authority = Varchar(length=64, unique=True)
    amount = BigInt()
    status = Varchar(length=12, default="pending", index=True)  # pending, verified, cancelled, failed, expired
    ref_id = BigInt(null=True, default=None)
    card_pan = Varchar(length=32, default="")
    gateway_code = Integer(null=True, default=None)
    gateway_message = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    verified_at = Timestamptz(null=True, default=None)
