"""The credit ledger: balances in integer Rials, moved only by ledger entries.

``available`` is what can be spent; ``reserved`` is held for sends in flight. Every change is
one conditional UPDATE (so concurrent sends can never push a balance below zero) plus one
entry in the same transaction. Invariant per account: ``sum(amount) == available`` and
``sum(reserved_delta) == reserved``.

Two books keep accounts this way: customers' credit (:data:`CUSTOMERS`, the default) and
tenants' wholesale balances with the platform (:data:`WHOLESALE`, see ``wholesale``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.table import Table

from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.messaging.tables import CreditAccount, LedgerEntry, WholesaleAccount, WholesaleEntry

ENTRY_KINDS = ("purchase", "reserve", "debit", "refund", "adjustment")

# Reasons the system writes on entries (kept in English in the ledger), as users read them.
SYSTEM_REASONS = {
    "send reserved": _("Held for the send"),
    "sent": _("Handed to the operator"),
    "not sent": _("Not sent: returned"),
    "scheduled send cancelled": _("Scheduled send cancelled"),
    "confirmed by its receipt after a crash": _("Confirmed by its delivery report after an interruption"),
    "demo credit": _("Demo credit"),
    "demo wholesale credit": _("Demo credit"),
}


def reason_text(reason: str) -> str:
    """An entry's reason as users read it: system reasons translated, people's as written."""
    known = SYSTEM_REASONS.get(reason)
    return str(known) if known is not None else reason


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


@dataclass(frozen=True)
class Book:
    """A kind of account and the table of its entries."""

    account: type[Table]
    entry: type[Table]
    refused: type[InsufficientCredit]


class WholesaleExhausted(InsufficientCredit):
    """The tenant's wholesale balance does not cover a send of one of its customers.

    The customer is told only that the panel cannot send now; the tenant's admins see the
    refusal on their wholesale page and dashboard."""

    def __init__(self, needed: int, available: int) -> None:
        DomainError.__init__(
            self,
            "credit.wholesale_exhausted",
            _("This panel cannot send messages right now. Please contact the panel's support."),
            status_code=402,
        )
        self.needed = needed
        self.available = available


CUSTOMERS = Book(CreditAccount, LedgerEntry, InsufficientCredit)
WHOLESALE = Book(WholesaleAccount, WholesaleEntry, WholesaleExhausted)


async def account_for(tenant_id: int, user_id: int) -> CreditAccount:
    """The user's credit account, created empty on first use."""
    account = await CreditAccount.objects().where(CreditAccount.user == user_id).first()
    if account is None:
        await CreditAccount.insert(CreditAccount(tenant=tenant_id, user=user_id)).on_conflict(action="DO NOTHING")
        account = await CreditAccount.objects().where(CreditAccount.user == user_id).first()
    if account.tenant != tenant_id:
        raise DomainError("credit.wrong_tenant", "account belongs to another tenant", status_code=404)
    return account


async def wholesale_account_for(tenant_id: int) -> WholesaleAccount:
    """The tenant's wholesale account, created empty on first use."""
    account = await WholesaleAccount.objects().where(WholesaleAccount.tenant == tenant_id).first()
    if account is None:
        await WholesaleAccount.insert(WholesaleAccount(tenant=tenant_id)).on_conflict(action="DO NOTHING")
        account = await WholesaleAccount.objects().where(WholesaleAccount.tenant == tenant_id).first()
    return account


async def _entry(book: Book, tenant_id: int, account_id: int, kind: str, amount: int, reserved_delta: int, **fields: Any) -> None:
    await book.entry.insert(
        book.entry(tenant=tenant_id, account=account_id, kind=kind, amount=amount, reserved_delta=reserved_delta, **fields)
    )


async def credit(
    account: CreditAccount | WholesaleAccount, amount: int, kind: str, reason: str, actor_id: int | None = None, *, book: Book = CUSTOMERS
) -> None:
    """Add (or, for an adjustment, take away) credit; never below zero. Call inside a transaction."""
    if kind not in ("purchase", "adjustment", "refund"):
        raise ValueError(kind)
    if amount == 0:
        raise DomainError("credit.zero", _("The amount must not be zero."))
    if amount < 0 and kind != "adjustment":
        raise ValueError("only adjustments may be negative")
    if kind == "adjustment" and not reason.strip():
        raise DomainError("credit.reason_required", _("An adjustment needs a reason."))
    table = book.account
    updated = (
        await table.update({table.available: table.available + amount})
        .where((table.id == account.id) & (table.available >= -amount))
        .returning(table.id)
    )
    if not updated:
        fresh = await table.objects().where(table.id == account.id).first()
        raise book.refused(-amount, fresh.available)
    await _entry(book, account.tenant, account.id, kind, amount, 0, reason=reason, actor=actor_id)


async def reserve(account: CreditAccount | WholesaleAccount, amount: int, job_id: int, count: int, *, book: Book = CUSTOMERS) -> None:
    """Hold ``amount`` for a send job, or raise the book's :class:`InsufficientCredit`. Inside a transaction."""
    if amount <= 0:
        return
    table = book.account
    updated = (
        await table.update({table.available: table.available - amount, table.reserved: table.reserved + amount})
        .where((table.id == account.id) & (table.available >= amount))
        .returning(table.id)
    )
    if not updated:
        fresh = await table.objects().where(table.id == account.id).first()
        raise book.refused(amount, fresh.available)
    await _entry(book, account.tenant, account.id, "reserve", -amount, amount, job=job_id, count=count, reason="send reserved")


async def reserve_job(account: CreditAccount, job_id: int, count: int, cost: int, wholesale_cost: int) -> None:
    """Hold a job's retail cost on the customer's account and its wholesale cost on the tenant's,
    or raise the refusing book's :class:`InsufficientCredit`. Inside the job's transaction."""
    await reserve(account, cost, job_id, count)
    if wholesale_cost > 0:
        await reserve(await wholesale_account_for(account.tenant), wholesale_cost, job_id, count, book=WHOLESALE)


async def precheck(tenant_id: int, user_id: int, cost: int, wholesale_cost: int) -> None:
    """Refuse early, without locks, a send neither balance could cover: saves writing its rows
    only to roll them back. The reservations after the rows are written stay the real check."""
    account = await account_for(tenant_id, user_id)
    if cost > account.available:
        raise InsufficientCredit(cost, account.available)
    if wholesale_cost > 0:
        tenant_account = await wholesale_account_for(tenant_id)
        if wholesale_cost > tenant_account.available:
            raise WholesaleExhausted(wholesale_cost, tenant_account.available)


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
    book: Book = CUSTOMERS,
) -> None:
    """Turn part of a job's reservation into spent credit (debit) or give it back (refund)."""
    if debit == 0 and refund == 0:
        return
    table = book.account
    await table.update({table.reserved: table.reserved - (debit + refund), table.available: table.available + refund}).where(
        table.id == account_id
    )
    if debit:
        await _entry(book, tenant_id, account_id, "debit", 0, -debit, job=job_id, count=debit_count, reason=reason or "sent")
    if refund:
        await _entry(book, tenant_id, account_id, "refund", refund, -refund, job=job_id, count=refund_count, reason=reason or "not sent")


async def settle_job(
    job: Any, *, debit: tuple[int, int] = (0, 0), refund: tuple[int, int] = (0, 0), count: tuple[int, int] = (0, 0), reason: str = ""
) -> None:
    """Settle a job's rows in both books at once: ``debit``/``refund`` are (customer, wholesale)
    amounts, ``count`` the rows (debited, refunded). Inside the transaction that moved the rows."""
    if debit[0] or refund[0]:
        account = await account_for(job.tenant, job.user)
        await settle(
            account.id, job.tenant, job.id, debit=debit[0], debit_count=count[0], refund=refund[0], refund_count=count[1], reason=reason
        )
    if debit[1] or refund[1]:
        wholesale = await wholesale_account_for(job.tenant)
        await settle(
            wholesale.id,
            job.tenant,
            job.id,
            debit=debit[1],
            debit_count=count[0],
            refund=refund[1],
            refund_count=count[1],
            reason=reason,
            book=WHOLESALE,
        )


async def balance_check(account_id: int, book: Book = CUSTOMERS) -> dict[str, int]:
    """The account's balances next to the sums of its entries (equal unless something is wrong)."""
    from payamak.db import fetch

    account = await book.account.objects().where(book.account.id == account_id).first()
    sums = await fetch(
        "SELECT COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(reserved_delta), 0) AS reserved "
        f"FROM {book.entry._meta.tablename} WHERE account = {{}}",
        account_id,
    )
    return {
        "available": account.available,
        "reserved": account.reserved,
        "ledger_available": int(sums[0]["amount"]),
        "ledger_reserved": int(sums[0]["reserved"]),
    }
