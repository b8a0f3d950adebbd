"""Tenants' wholesale balances with the platform.

Platform admins set what they charge each tenant (reseller) per SMS part and top its balance
up; every send of the tenant's customers reserves its wholesale cost beside the customer's
retail price, and the same paths that debit or refund the customer settle the tenant. When
the balance cannot cover a send, the send is refused (the customer is told only that the
panel cannot send now) and the refusal is recorded for the tenant's admins, who see it on
their dashboard and wholesale page until the balance is topped up.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from payamak.db import writing
from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.messaging import ledger
from payamak.messaging.tables import WholesaleAccount, WholesaleEntry
from payamak.tenancy import scoped

log = logging.getLogger(__name__)

HISTORY_LIMIT = 200


@asynccontextmanager
async def refusals_recorded(tenant_id: int) -> AsyncIterator[None]:
    """Around a send's transaction: a refusal for want of wholesale balance is recorded for the
    tenant's admins (after the send's transaction rolled back), then raised on."""
    try:
        yield
    except ledger.WholesaleExhausted as exc:
        log.warning("tenant %s: a send of %s Rials refused, wholesale balance %s", tenant_id, exc.needed, exc.available)
        async with writing():
            account = await ledger.wholesale_account_for(tenant_id)
            await WholesaleAccount.update(
                {
                    WholesaleAccount.refused_at: datetime.now(UTC),
                    WholesaleAccount.refused_sends: WholesaleAccount.refused_sends + 1,
                }
            ).where(WholesaleAccount.id == account.id)
        raise


async def top_up(tenant_id: int, amount: int, reason: str, actor_id: int | None) -> WholesaleAccount:
    """Platform admins: add to (positive, a payment received) or take from (negative, an
    adjustment) a tenant's wholesale balance, with a reason. Adding clears the refusal notice."""
    if not reason.strip():
        raise DomainError("wholesale.reason_required", _("Say why the balance changes (for example the payment's reference)."))
    async with writing():
        account = await ledger.wholesale_account_for(tenant_id)
        try:
            await ledger.credit(
                account, amount, "purchase" if amount > 0 else "adjustment", reason.strip(), actor_id, book=ledger.WHOLESALE
            )
        except ledger.WholesaleExhausted as exc:
            raise DomainError(
                "wholesale.below_zero",
                _("The balance is %(available)s Rials; %(amount)s Rials cannot be taken from it."),
                available=exc.available,
                amount=-amount,
            ) from None
        if amount > 0:
            await WholesaleAccount.update({WholesaleAccount.refused_at: None, WholesaleAccount.refused_sends: 0}).where(
                WholesaleAccount.id == account.id
            )
    return await ledger.wholesale_account_for(tenant_id)


async def history(tenant_id: int, kinds: tuple[str, ...] | None = None) -> list[Any]:
    """The latest movements of the tenant's wholesale balance, newest first."""
    query = scoped(WholesaleEntry, tenant_id).objects()
    if kinds:
        query = query.where(WholesaleEntry.kind.is_in(list(kinds)))
    return await query.order_by(WholesaleEntry.id, ascending=False).limit(HISTORY_LIMIT)
