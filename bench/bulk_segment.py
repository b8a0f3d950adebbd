"""Time of calculate-count and of accepting a public bulk send on a 1,000,000-number segment,
and peak memory (payamak-sms-bulk).

Runs against ``PAYAMAK_DATABASE_URL`` (PostgreSQL recommended; a fresh database is created next
to the one named and dropped afterwards) or a temporary SQLite file. The broker is the in-process
stub, so nothing is dispatched: "accept" is the background half of a bulk send — streaming the
segment from the database in chunks and handing it to ``pipeline.accept_send`` (normalising,
de-duplicating, pricing, reserving and persisting every recipient row).

    PAYAMAK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/bulk_segment.py [segment_size]
"""

from __future__ import annotations

import asyncio
import random
import sys
import time

from _benchdb import drop_database, rss_mib, setup_database

SIZE = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
OTHERS = SIZE // 10  # numbers of other provinces in the same database
OPTED_OUT = BLACKLISTED = 1_000


def current_mib() -> float:
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024
    except (OSError, StopIteration):
        return rss_mib()


def reset_peak() -> None:
    """Start a new peak-memory measurement (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def rows(database_id: int):
    """SIZE numbers in Tehran province (the segment) and OTHERS elsewhere."""
    rng = random.Random(5)
    numbers = rng.sample(range(10**8), SIZE + OTHERS)
    for i, n in enumerate(numbers):
        number = 989_100_000_000 + n  # 0910… to 0919…
        province, city = ("P01", "P01C01") if i < SIZE else ("P04", "P04C01")
        yield (database_id, number, "", "", province, city, f"T{i % 22 + 1:02d}", "", "", "", "", True)


async def main() -> None:
    name = await setup_database()
    try:
        from payamak.db import bulk_insert, fetch, is_postgres, migrate, start_pool, use_piccolo_conf, writing
        from payamak.jobs import setup_broker
        from payamak.settings import get_settings

        use_piccolo_conf()
        await migrate()
        await start_pool()
        setup_broker(get_settings())
        from payamak.accounts.services import create_user
        from payamak.messaging import ledger
        from payamak.messaging.tables import Line, OperatorConnection, OptOut
        from payamak.tenancy.services import create_tenant
        from payamak_sms_bulk import databases, services
        from payamak_sms_bulk.segments import Selection
        from payamak_sms_bulk.tables import Blacklisted, NumberDatabase

        tenant = await create_tenant("bench", "Bench", plugins=["sms_bulk"])
        user = await create_user(tenant.id, "bench", "bench-password", "customer")
        connection = OperatorConnection(name="bench", connector="smpp", settings={})
        await connection.save()
        line = Line(number="50009999", kind="advertising", connection=connection.id, tenant=tenant.id, status="active")
        await line.save()
        async with writing():
            await ledger.credit(await ledger.account_for(tenant.id, user.id), SIZE * 2_000, "purchase", "bench")
        loading = time.perf_counter()
        async with writing():
            database = NumberDatabase(name="bench", status="ready")
            await database.save()
            await bulk_insert("bulk_number", databases.COLUMNS, rows(database.id), chunk=20_000)
        if is_postgres():
            await fetch("ANALYZE bulk_number")
        await databases.grant(tenant.id, database.id)
        segment = [
            r["number"] for r in await fetch("SELECT number FROM bulk_number WHERE province = {} LIMIT {}", "P01", OPTED_OUT + BLACKLISTED)
        ]
        await OptOut.insert(*[OptOut(tenant=tenant.id, number=str(n)) for n in segment[:OPTED_OUT]])
        await Blacklisted.insert(*[Blacklisted(number=n) for n in segment[OPTED_OUT:]])
        print(f"loaded {SIZE + OTHERS:,} numbers in {time.perf_counter() - loading:.1f} s")

        public = Selection("postal_city", province="P01")
        for label, selection in (
            ("public", public),
            ("random 100,000", Selection("postal_city", province="P01", mode="random", count=100_000)),
        ):
            started = time.perf_counter()
            estimate = await services.calculate(user, database.id, selection, "حراج")
            print(
                f"calculate-count ({label}) on a {SIZE:,}-number segment: {time.perf_counter() - started:.2f} s "
                f"(count {estimate.calculation.count:,}, opted out {estimate.calculation.opted_out:,}, blacklisted {estimate.calculation.blacklisted:,})"
            )
        from payamak_sms_bulk import segments

        started = time.perf_counter()
        streamed = 0
        async for chunk in segments.stream(database.id, public, tenant.id, 0):
            streamed += len(chunk)
        print(f"stream the selection ({streamed:,} numbers, in chunks): {time.perf_counter() - started:.1f} s")
        estimate = await services.calculate(user, database.id, public, "حراج")
        bulk = await services.request_send(user, estimate.calculation.id, database.id, public, "حراج", line_id=line.id)
        import gc

        gc.collect()
        reset_peak()
        before = current_mib()
        started = time.perf_counter()
        bulk = await services.run_send(tenant.id, bulk.id)
        elapsed = time.perf_counter() - started
        peak = rss_mib()
        engine = "postgresql" if name else "sqlite"
        print(
            f"accept a public send of {bulk.selected:,} numbers on {engine}: {elapsed:.1f} s ({bulk.status} {bulk.error}); "
            f"peak RSS {peak:.0f} MiB during the send (before it {before:.0f} MiB, growth {peak - before:.0f} MiB)"
        )
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
