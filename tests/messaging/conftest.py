"""A messaging world: a tenant, a customer with credit and a line on a loopback connection."""

from __future__ import annotations

import asyncio
import itertools
from types import SimpleNamespace

import pytest

from payamak.db import writing
from payamak.messaging import ledger
from payamak.messaging.lines import create_connection, register_line
from payamak.messaging.tables import Line, Recipient

_n = itertools.count(100)
CREDIT = 1_000_000


async def make_world(factory, *, credit: int = CREDIT, kind: str = "dedicated", connector: str = "loopback", settings: dict | None = None):
    n = next(_n)
    tenant = await factory.tenant()
    customer = await factory.user(tenant)
    connection = await create_connection(f"conn-{n}-{tenant.slug}", connector, settings or {})
    line = await register_line(f"3000{n}{tenant.id}", kind, connection.id, tenant.id)
    if kind == "dedicated":
        await Line.update({Line.owner: customer.id}).where(Line.id == line.id)
    async with writing():
        account = await ledger.account_for(tenant.id, customer.id)
        if credit:
            await ledger.credit(account, credit, "purchase", "test credit")
    return SimpleNamespace(tenant=tenant, customer=customer, connection=connection, line=line, account=account)


@pytest.fixture
async def world(app, factory):
    return await make_world(factory)


async def wait_until_settled(job_id: int, timeout: float = 20.0) -> dict[str, int]:
    """Wait until no row of the job is waiting to be submitted; returns counts by status."""
    for _ in range(int(timeout / 0.05)):
        rows = await Recipient.select(Recipient.status).where(Recipient.job == job_id)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        if not {"queued", "claimed", "submitting"} & counts.keys():  # unconfirmed rows wait for receipts
            return counts
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not settle: {counts}")


async def assert_ledger_balances(account_id: int) -> dict[str, int]:
    check = await ledger.balance_check(account_id)
    assert check["available"] == check["ledger_available"], check
    assert check["reserved"] == check["ledger_reserved"], check
    assert check["available"] >= 0 and check["reserved"] >= 0
    return check
