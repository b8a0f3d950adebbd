"""The credit ledger: balances in integer Rials, moved only by ledger entries.

``available`` is what a customer can spend; ``reserved`` is held for sends in flight. Every
change is one conditional UPDATE (so concurrent sends can never push a balance below zero)
plus one :class:`LedgerEntry` in the same transaction. Invariant per account:
``sum(amount) == available`` and ``sum(reserved_delta) == reserved``.
"""

from __future__ import annotations

from typing import Any

from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.messaging.tables import CreditAccount, LedgerEntry

ENTRY_KINDS = ("purchase", "reserve", "debit", "refund", "adjustment")


class InsufficientCredit(DomainError):
    """The balance does not cover a send."""

    status_code = 402

    def __init__(self, needed: int, available: int) -> None:
        super().__init__(
            "credit.insufficient",
            _("Not enough credit: this send costs %(needed)s Rials and your balance is %(available)s Rials."),
            needed=f"{needed:,}",
            available=f"{available:,}",
        )
        self.needed = needed
        self.available = available


async def account_for(tenant_id: int, user_id: int) -> CreditAccount:
    """The user's credit account, created empty on first use."""
    account = await CreditAccount.objects().where(CreditAccount.user == user_id).first()
    if account is None:
        await CreditAccount.insert(CreditAccount(tenant=tenant_id, user=user_id)).on_conflict(action="DO NOTHING")
        account = await CreditAccount.objects().where(CreditAccount.user == user_id).first()
    if account.tenant != tenant_id:
        raise DomainError("credit.wrong_tenant", "account belongs to another tenant", status_code=404)
    return account


async def _entry(account: CreditAccount, kind: str, amount: int, reserved_delta: int, **fields: Any) -> None:
    await LedgerEntry.insert(
        LedgerEntry(tenant=account.tenant, account=account.id, kind=kind, amount=amount, reserved_delta=reserved_delta, **fields)
    )


async def credit(account: CreditAccount, amount: int, kind: str, reason: str, actor_id: int | None = None) -> None:
    """Add (or, for an adjustment, take away) credit; never below zero. Call inside a transaction."""
    if kind not in ("purchase", "adjustment", "refund"):
        raise ValueError(kind)
    if amount == 0:
        raise DomainError("credit.zero", _("The amount must not be zero."))
    if amount < 0 and kind != "adjustment":
        raise ValueError("only adjustments may be negative")
    if kind == "adjustment" and not reason.strip():
        raise DomainError("credit.reason_required", _("An adjustment needs a reason."))
    updated = (
        await CreditAccount.update({CreditAccount.available: CreditAccount.available + amount})
        .where((CreditAccount.id == account.id) & (CreditAccount.available >= -amount))
        .returning(CreditAccount.id)
    )
    if not updated:
        fresh = await CreditAccount.objects().where(CreditAccount.id == account.id).first()
        raise InsufficientCredit(-amount, fresh.available)
    await _entry(account, kind, amount, 0, reason=reason, actor=actor_id)


async def reserve(account: CreditAccount, amount: int, job_id: int, count: int) -> None:
    """Hold ``amount`` for a send job, or raise :class:`InsufficientCredit`. Inside a transaction."""
    if amount <= 0:
        return
    updated = (
        await CreditAccount.update(
            {CreditAccount.available: CreditAccount.available - amount, CreditAccount.reserved: CreditAccount.reserved + amount}
        )
        .where((CreditAccount.id == account.id) & (CreditAccount.available >= amount))
        .returning(CreditAccount.id)
    )
    if not updated:
        fresh = await CreditAccount.objects().where(CreditAccount.id == account.id).first()
        raise InsufficientCredit(amount, fresh.available)
    await _entry(account, "reserve", -amount, amount, job=job_id, count=count, reason="send reserved")


async def settle(
    account_id: int,
    tenant_id: int,
    job_id: int,
    *,
    debit: int = 0,
    debit_count: int = 0,
    refund: int = 0,
    refund_count: int = 0,
    reason: str = "",
) -> None:
    """Turn part of a job's reservation into spent credit (debit) or give it back (refund)."""
    if debit == 0 and refund == 0:
        return
    await CreditAccount.update(
        {CreditAccount.reserved: CreditAccount.reserved - (debit + refund), CreditAccount.available: CreditAccount.available + refund}
    ).where(CreditAccount.id == account_id)
    account = CreditAccount(id=account_id, tenant=tenant_id)
    if debit:
        await _entry(account, "debit", 0, -debit, job=job_id, count=debit_count, reason=reason or "sent")
    if refund:
        await _entry(account, "refund", refund, -refund, job=job_id, count=refund_count, reason=reason or "not sent")


async def balance_check(account_id: int) -> dict[str, int]:
    """The account's balances next to the sums of its ledger (equal unless something is wrong)."""
    from payamak.db import fetch

    account = await CreditAccount.objects().where(CreditAccount.id == account_id).first()
    sums = await fetch(
        "SELECT COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(reserved_delta), 0) AS reserved FROM ledger_entry WHERE account = {}",
        account_id,
    )
    return {
        "available": account.available,
        "reserved": account.reserved,
        "ledger_available": int(sums[0]["amount"]),
        "ledger_reserved": int(sums[0]["reserved"]),
    }
