"""Time and peak memory to accept a 1,000,000-recipient send (pipeline.accept_send).

Runs against ``PAYAMAK_DATABASE_URL`` (PostgreSQL recommended; a fresh database is created
next to the one named and dropped afterwards) or a temporary SQLite file. The broker is the
in-process stub, so nothing is dispatched: this measures acceptance only — normalising,
de-duplicating, pricing, reserving and persisting every row.

    PAYAMAK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/accept_million.py [count]
"""

from __future__ import annotations

import asyncio
import sys
import time

from _benchdb import bill_wholesale, drop_database, rss_mib, setup_database

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def numbers(count: int):
    for i in range(count):
        yield f"0912{i:07d}"


async def main() -> None:
    name = await setup_database()
    try:
        from payamak.db import migrate, start_pool, use_piccolo_conf, writing
        from payamak.jobs import setup_broker
        from payamak.settings import get_settings

        use_piccolo_conf()
        await migrate()
        await start_pool()
        setup_broker(get_settings())
        from payamak.accounts.services import create_user
        from payamak.messaging import ledger, pipeline
        from payamak.messaging.tables import Line, OperatorConnection
        from payamak.tenancy.services import create_tenant

        tenant = await create_tenant("bench", "Bench", plugins=[])
        user = await create_user(tenant.id, "bench", "bench-password", "customer")
        connection = OperatorConnection(name="bench", connector="smpp", settings={})
        await connection.save()
        await Line(number="3000999", kind="dedicated", connection=connection.id, tenant=tenant.id, owner=user.id, status="active").save()
        async with writing():
            await ledger.credit(await ledger.account_for(tenant.id, user.id), COUNT * 2_000, "purchase", "bench")
        await bill_wholesale(tenant.id, COUNT)
        before = rss_mib()
        started = time.perf_counter()
        job = await pipeline.accept_send(user, numbers(COUNT), "پیام آزمایشی", source="bench")
        elapsed = time.perf_counter() - started
        peak = rss_mib()
        engine = "postgresql" if name else "sqlite"
        print(
            f"accept {job.recipients:,} recipients on {engine}: {elapsed:.1f} s ({job.recipients / elapsed:,.0f} rows/s); "
            f"peak RSS {peak:.0f} MiB (before the send {before:.0f} MiB, growth {peak - before:.0f} MiB)"
        )
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
