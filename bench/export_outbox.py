"""Peak memory and time of exporting the outbox (section 5) to .xlsx: 20,000 rows, then 200,000 rows.

The export pages through the rows by id in chunks of 5,000 and appends them to an openpyxl
write-only workbook on disk, so its memory should not grow with the row count: this script
prints, for each size, the time, the file size, the Python heap's peak during the export
(tracemalloc, a second run) and how much the process's peak RSS grew.

Every row has a text of its own (the worst case: nothing repeats). Runs against
``PAYAMAK_DATABASE_URL`` (a fresh PostgreSQL database is created next to the one named and
dropped afterwards) or a temporary SQLite file.

    .venv/bin/python bench/export_outbox.py [rows]            # default 200000
    PAYAMAK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/export_outbox.py
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import tracemalloc
from datetime import UTC, datetime

from _benchdb import drop_database, rss_mib, setup_database

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
SMALL = max(ROWS // 10, 1)


class RssPeak(threading.Thread):
    """Samples the resident memory every 10 ms while a block runs; ``peak`` is the highest seen."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = rss_mib()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.01):
            self.peak = max(self.peak, rss_mib())

    def __enter__(self) -> RssPeak:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join()
        self.peak = max(self.peak, rss_mib())


async def customer_with_outbox(tenant_id: int, username: str, line_number: str, rows: int):
    """A customer with one send of ``rows`` recipients, each row with a text of its own, all delivered."""
    from payamak.accounts.services import create_user
    from payamak.db import bulk_insert, writing
    from payamak.messaging.tables import Line, SendJob

    user = await create_user(tenant_id, username, "bench-password", "customer")
    line = Line(number=line_number, kind="dedicated", tenant=tenant_id, owner=user.id, status="active")
    await line.save()
    job = SendJob(tenant=tenant_id, user=user.id, line=line.id, text="پیام آزمایشی", recipients=rows, status="done", source="bench")
    await job.save()
    now = datetime.now(UTC)

    def recipient_rows():
        for i in range(rows):
            text = f"سلام مشتری {i:07d}، سفارش شما با کد پیگیری {i * 7919 % 1_000_003} ارسال شد."
            yield (tenant_id, job.id, f"98912{i:07d}", "mci", text, 1, 1_000, "delivered", now, now)

    columns = ["tenant", "job", "number", "operator", "text", "parts", "price", "status", "submitted_at", "done_at"]
    async with writing():
        await bulk_insert("recipient", columns, recipient_rows())
    return user


async def measure(user, rows: int) -> None:
    from payamak.boxes.exports import export_outbox
    from payamak.boxes.services import Criteria

    before = rss_mib()
    started = time.perf_counter()
    with RssPeak() as rss:
        path, count = await export_outbox(user, Criteria())
    elapsed = time.perf_counter() - started
    size = path.stat().st_size
    path.unlink()

    tracemalloc.start()
    path, _ = await export_outbox(user, Criteria())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    path.unlink()
    assert count == rows, (count, rows)
    print(
        f"export {count:>9,} rows: {elapsed:6.1f} s ({count / elapsed:,.0f} rows/s), file {size / 2**20:5.1f} MiB; "
        f"Python heap peak during the export {peak / 2**20:5.1f} MiB; RSS {before:.0f} MiB before, peak {rss.peak:.0f} MiB "
        f"during it (+{rss.peak - before:.1f} MiB)"
    )


async def main() -> None:
    name = await setup_database()
    try:
        from payamak.db import migrate, start_pool, use_piccolo_conf

        use_piccolo_conf()
        await migrate()
        await start_pool()
        from payamak.tenancy.scope import tenant_context
        from payamak.tenancy.services import create_tenant

        tenant = await create_tenant("bench", "Bench", plugins=[])
        small = await customer_with_outbox(tenant.id, "small", "3000991", SMALL)
        large = await customer_with_outbox(tenant.id, "large", "3000992", ROWS)
        engine = "postgresql" if name else "sqlite"
        if name:
            # What autovacuum does soon after a large insert: without statistics the planner guesses row counts.
            from payamak.db import fetch

            await fetch("ANALYZE")
        print(f"outbox export on {engine}, chunks of 5,000 rows, a write-only openpyxl workbook on disk")
        with tenant_context(tenant):
            await measure(small, SMALL)
            await measure(large, ROWS)
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
