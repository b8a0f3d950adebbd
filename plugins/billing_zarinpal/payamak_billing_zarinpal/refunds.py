"""Refunds of paid invoices by tenant staff: what the invoice delivered is taken back, once.

The money itself goes back to the payer outside the panel (ZarinPal's refunds are made in its
merchant dashboard); here the refund is recorded and the credit or the line the invoice bought
is undone, all in one transaction that starts with the conditional move ``paid → refunded``, so
two concurrent refunds refund once and a refund that cannot be undone leaves nothing half-done.
"""

from __future__ import annotations

from typing import Any

from payamak.db import writing
from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.messaging import ledger
from payamak.messaging.lines import set_line_status
from payamak.messaging.tables import Line
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_billing_zarinpal import services
from payamak_billing_zarinpal.tables import Invoice, LineRequest

MAX_REASON = 500


async def refund_invoice(actor: User, invoice_id: Any, reason: str) -> Invoice:
    """Refund a paid invoice of the actor's tenant: take back the credit it bought or suspend its line."""
    try:
        invoice_id = int(invoice_id)
    except (TypeError, ValueError):
        raise NotFound("invoice") from None
    if await scoped(Invoice, actor.tenant).get(invoice_id) is None:
        raise NotFound("invoice")  # before anything else: another tenant's ids must not be told apart
    reason = (reason or "").strip()[:MAX_REASON]
    if not reason:
        raise DomainError("billing.refund_reason_required", _("Say why the invoice is refunded."))
    async with writing():
        moved = await (
            scoped(Invoice, actor.tenant)
            .update(
                {
                    Invoice.status: "refunded",
                    Invoice.refund_reason: reason,
                    Invoice.refunded_at: services.now(),
                    Invoice.refunded_by: actor.id,
                }
            )
            .where((Invoice.id == invoice_id) & (Invoice.status == "paid"))
            .returning(Invoice.id)
        )
        if not moved:
            current = await scoped(Invoice, actor.tenant).get(invoice_id)
            if current is None or current.status != "refunded":
                raise NotFound("invoice")
            raise DomainError("billing.already_refunded", _("This invoice was already refunded."), status_code=409)
        invoice = await scoped(Invoice, actor.tenant).get(invoice_id)
        if invoice.kind == "credit":
            await _take_back_credit(actor, invoice, reason)
        elif invoice.line_request is not None:
            await _suspend_line(invoice)
    return invoice


async def _take_back_credit(actor: User, invoice: Invoice, reason: str) -> None:
    account = await ledger.account_for(invoice.tenant, invoice.user)
    try:
        await ledger.credit(account, -invoice.subtotal, "adjustment", f"refund of invoice {invoice.number}: {reason}", actor.id)
    except ledger.InsufficientCredit as exc:
        # Raised inside the transaction: the move to "refunded" is rolled back with it.
        raise DomainError(
            "billing.refund_credit_spent",
            _("The customer has only %(available)s Rials left of the %(bought)s Rials bought, so nothing was refunded."),
            status_code=409,
            available=exc.available,
            bought=invoice.subtotal,
        ) from exc


async def _suspend_line(invoice: Invoice) -> None:
    request = await scoped(LineRequest, invoice.tenant).get(invoice.line_request)
    if request is None or request.line is None:
        return  # the number was taken at activation: no line was delivered
    line = await scoped(Line, invoice.tenant).get(request.line)
    # A line the tenant has since given to another customer is no longer the payer's to lose.
    if line is not None and line.owner == invoice.user:
        await set_line_status(line, "suspended")
