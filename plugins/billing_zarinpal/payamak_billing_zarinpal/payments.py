"""Paying invoices at ZarinPal: start a payment, handle the callback, verify, reconcile.

Safety rules: credit is added only after ZarinPal verifies the payment with the amount from
OUR database; the payment's ``authority`` is unique and its move to ``verified`` is one
conditional UPDATE in the same transaction as the credit, so replays, concurrent callbacks
and the reconciliation credit a payment once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from payamak.db import writing
from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.messaging import ledger
from payamak.registry import announce
from payamak.tables import Tenant, User
from payamak.tenancy import scoped
from payamak.tenancy.services import enabled_plugins
from payamak_billing_zarinpal import services, zarinpal
from payamak_billing_zarinpal.gateway import client_for
from payamak_billing_zarinpal.requests import activate_line
from payamak_billing_zarinpal.tables import Invoice, Payment

log = logging.getLogger(__name__)

# A payment still unpaid this long after it was opened is given up (ZarinPal's own limit is 15 minutes).
EXPIRE_AFTER = timedelta(minutes=30)


async def start_payment(user: User, invoice: Invoice, callback_url: str) -> str:
    """Open a payment of the invoice's total at the tenant's gateway; returns the StartPay URL."""
    if invoice.status != "unpaid":
        raise DomainError("billing.invoice_paid", _("This invoice is already paid."))
    settings = await services.settings_for(user.tenant)
    if not settings.merchant_id:
        raise DomainError("billing.no_merchant", _("Online payment is not set up yet; please contact support."))
    client = client_for(settings)
    description = str(_("Invoice %(number)s")) % {"number": invoice.number}
    try:
        opened = await client.request_payment(
            invoice.total, callback_url, description, mobile=user.mobile or "", order_id=str(invoice.number)
        )
    except zarinpal.ZarinPalError as exc:
        log.warning("ZarinPal refused a payment request of tenant %s: %s", user.tenant, exc)
        raise DomainError("billing.gateway_refused", _("The payment gateway refused the payment (code %(code)s)."), code=exc.code) from exc
    except (zarinpal.GatewayUnreachable, zarinpal.ProtocolError) as exc:
        raise DomainError(
            "billing.gateway_unreachable", _("The payment gateway cannot be reached; please try again in a few minutes.")
        ) from exc
    await scoped(Payment, user.tenant).create(user=user.id, invoice=invoice.id, authority=opened.authority, amount=invoice.total)
    return opened.start_pay_url


@dataclass(frozen=True)
class Outcome:
    """What became of a payment: ``verified`` (credited now), ``already`` (credited before),
    ``cancelled``, ``failed``, ``pending`` (the gateway could not be asked) or ``unknown``."""

    result: str
    payment: Payment | None = None
    code: int | None = None


async def handle_callback(tenant_id: int, user: User | None, authority: str, status: str) -> Outcome:
    """The payer came back from the gateway: verify, never trusting ``status`` to add credit."""
    payment = await scoped(Payment, tenant_id).objects().where(Payment.authority == authority[:64]).first() if authority else None
    if payment is None or (user is not None and user.role == "customer" and payment.user != user.id):
        return Outcome("unknown")
    if payment.status == "verified":
        return Outcome("already", payment)
    return await verify_payment(payment, unpaid="cancelled" if status != "OK" else "failed")


async def verify_payment(payment: Payment, unpaid: str | None = "failed") -> Outcome:
    """Ask the gateway about ``payment`` with our amount and settle it.

    ``unpaid`` is the status to record when the gateway says the payer did not pay (-51);
    ``None`` leaves the payment pending (the reconciliation of a fresh payment).
    """
    settings = await services.settings_for(payment.tenant)
    try:
        verification = await client_for(settings).verify(payment.authority, payment.amount)
    except (zarinpal.GatewayUnreachable, zarinpal.ProtocolError, zarinpal.UnexpectedGatewayError, zarinpal.TooManyAttempts) as exc:
        log.warning("payment %s not verified now: %s", payment.id, exc)
        return Outcome("pending", payment)
    except zarinpal.PaymentNotSuccessful as exc:
        if unpaid is None:
            return Outcome("pending", payment, exc.code)
        await _mark(payment, unpaid, exc)
        return Outcome("cancelled" if unpaid == "cancelled" else "failed", payment, exc.code)
    except zarinpal.ZarinPalError as exc:
        log.warning("payment %s refused by the gateway: %s", payment.id, exc)
        await _mark(payment, "failed", exc)
        return Outcome("failed", payment, exc.code)
    credited = await settle(payment, verification)
    fresh = await scoped(Payment, payment.tenant).get(payment.id)
    return Outcome("verified" if credited else "already", fresh, verification.code)


async def _mark(payment: Payment, status: str, exc: zarinpal.ZarinPalError) -> None:
    async with writing():
        await (
            scoped(Payment, payment.tenant)
            .update({Payment.status: status, Payment.gateway_code: exc.code, Payment.gateway_message: exc.message[:200]})
            .where((Payment.id == payment.id) & (Payment.status != "verified"))
        )


async def settle(payment: Payment, verification: zarinpal.Verification) -> bool:
    """Record a verified payment and deliver what its invoice bought, once; ``True`` if this call did."""
    line_id = None
    async with writing():
        moved = await (
            scoped(Payment, payment.tenant)
            .update(
                {
                    Payment.status: "verified",
                    Payment.ref_id: verification.ref_id,
                    Payment.card_pan: verification.card_pan[:32],
                    Payment.gateway_code: verification.code,
                    Payment.verified_at: services.now(),
                }
            )
            .where((Payment.id == payment.id) & (Payment.status != "verified"))
            .returning(Payment.id)
        )
        if not moved:
            return False
        paid = await (
            scoped(Invoice, payment.tenant)
            .update({Invoice.status: "paid", Invoice.paid_at: services.now()})
            .where((Invoice.id == payment.invoice) & (Invoice.status == "unpaid"))
            .returning(Invoice.id)
        )
        if not paid:
            # A second payment of an invoice already paid (two gateway tabs): recorded, not delivered twice.
            log.warning("payment %s verified for invoice %s that was already paid", payment.id, payment.invoice)
            return True
        invoice = await scoped(Invoice, payment.tenant).get(payment.invoice)
        if invoice.kind == "credit":
            account = await ledger.account_for(payment.tenant, payment.user)
            await ledger.credit(account, invoice.subtotal, "purchase", f"invoice {invoice.number}, ZarinPal ref {verification.ref_id}")
        elif invoice.line_request is not None:
            line_id = await activate_line(payment.tenant, invoice.line_request)
    tenant = await Tenant.objects().where(Tenant.id == payment.tenant).first()
    enabled = enabled_plugins(tenant)
    await announce("payment_verified", payment.tenant, enabled, payment_id=payment.id)
    if line_id is not None:
        await announce("line_activated", payment.tenant, enabled, line_id=line_id)
    return True


async def reconcile(older_than: timedelta = timedelta(seconds=0)) -> dict[str, int]:
    """Verify every pending payment (payers who closed the browser); give up on stale unpaid ones.

    Runs across tenants (the periodic actor), each payment checked with its own tenant's merchant.
    """
    counts: dict[str, int] = {}
    cutoff = services.now() - older_than
    pending = await Payment.objects().where((Payment.status == "pending") & (Payment.created_at <= cutoff)).order_by(Payment.id).limit(500)
    for payment in pending:
        stale = services.now() - payment.created_at > EXPIRE_AFTER
        outcome = await verify_payment(payment, unpaid="expired" if stale else None)
        counts[outcome.result] = counts.get(outcome.result, 0) + 1
    return counts


def describe(outcome: Outcome) -> Any:
    """The message the payer sees on return."""
    return {
        "verified": _("Your payment was verified and your purchase is delivered."),
        "already": _("This payment was verified before; nothing more was charged or added."),
        "cancelled": _("The payment was cancelled; nothing was charged."),
        "failed": _("The payment could not be verified; no credit was added."),
        "pending": _(
            "The gateway could not confirm the payment yet; we will check it again shortly and deliver your purchase once it is verified."
        ),
        "unknown": _("This payment is unknown."),
    }[outcome.result]
