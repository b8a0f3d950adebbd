"""Demo data of the messaging core: lines on the first operator connection, credit, and the
tenant's wholesale prices and balance."""

from __future__ import annotations

from datetime import UTC, datetime

from payamak.db import writing
from payamak.messaging import ledger, pricing, wholesale
from payamak.messaging.tables import LedgerEntry, Line, OperatorConnection, WholesaleEntry, WholesalePrice
from payamak.tables import Tenant, User

DEMO_CREDIT = 5_000_000
DEMO_WHOLESALE = 50_000_000
WHOLESALE_SHARE = 0.6  # demo wholesale prices: 60% of the default retail ones
# Per tenant: a dedicated line for the demo customer and a shared advertising line.
DEMO_LINES = {"demo": ("3000123", "50001234"), "nikan": ("3000456", "50004567")}


async def load_demo(tenant_slug: str) -> None:
    """Give a demo tenant's customers lines and credit (idempotent)."""
    tenant = await Tenant.objects().where(Tenant.slug == tenant_slug).first()
    connection = await OperatorConnection.objects().where(OperatorConnection.status == "active").order_by(OperatorConnection.id).first()
    if tenant is None or connection is None or tenant_slug not in DEMO_LINES:
        return
    customer = await User.objects().where((User.tenant == tenant.id) & (User.username == "customer")).first()
    dedicated, advertising = DEMO_LINES[tenant_slug]
    now = datetime.now(UTC)
    for number, kind, owner in ((dedicated, "dedicated", customer.id if customer else None), (advertising, "advertising", None)):
        if not await Line.exists().where(Line.number == number):
            await Line(
                number=number, kind=kind, connection=connection.id, tenant=tenant.id, owner=owner, status="active", activated_at=now
            ).save()
    if customer is not None:
        async with writing():
            account = await ledger.account_for(tenant.id, customer.id)
            if not await LedgerEntry.exists().where((LedgerEntry.account == account.id) & (LedgerEntry.reason == "demo credit")):
                await ledger.credit(account, DEMO_CREDIT, "adjustment", "demo credit")
    if not await WholesaleEntry.exists().where((WholesaleEntry.tenant == tenant.id) & (WholesaleEntry.reason == "demo wholesale credit")):
        for (kind, encoding), retail in pricing.DEFAULT_PRICES.items():
            await pricing.set_price(tenant.id, kind, encoding, int(retail * WHOLESALE_SHARE), WholesalePrice)
        await wholesale.top_up(tenant.id, DEMO_WHOLESALE, "demo wholesale credit", None)
