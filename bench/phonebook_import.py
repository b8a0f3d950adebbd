"""Time and peak memory to import 100,000 contacts from a CSV into one phonebook (9-4).

A file of more than ``imports.BACKGROUND_ROWS`` rows is what the import page hands to the worker:
this script stores it as an ``ImportJob`` (as ``imports.queue_import`` does, without the broker)
and runs the worker's side, ``imports.run_import``, in this process: decode, check every row,
make the groups, then upsert a chunk of 500 contacts per transaction. It prints the time and
memory of the check pass alone (``csvio.check``) and of the whole import, then counts what was
written. Each row has a name, a number, a custom Jalali date field and one of ten groups.

Runs against ``PAYAMAK_DATABASE_URL`` (PostgreSQL: a fresh database is created next to the one
named and dropped afterwards) or a temporary SQLite file.

    .venv/bin/python bench/phonebook_import.py [rows]          # default 100000
    PAYAMAK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/phonebook_import.py
"""

from __future__ import annotations

import asyncio
import csv
import io
import sys
import time
import tracemalloc

from _benchdb import drop_database, rss_mib, setup_database

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def csv_file(count: int) -> bytes:
    """``count`` contacts as Excel's "CSV UTF-8" writes them (BOM, CRLF), the export's titles."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["نام", "موبایل", "تولد", "گروه‌ها"])
    for i in range(count):
        writer.writerow([f"مشتری {i}", f"0912{i:07d}", f"13{60 + i % 40}/{1 + i % 12:02d}/{1 + i % 28:02d}", f"گروه {i % 10}"])
    return buffer.getvalue().encode("utf-8-sig")


async def main() -> None:
    name = await setup_database()
    try:
        from payamak.db import migrate, start_pool, use_piccolo_conf
        from payamak.jobs import setup_broker
        from payamak.settings import get_settings

        use_piccolo_conf()
        await migrate()
        await start_pool()
        setup_broker(get_settings())
        from payamak.accounts.services import create_user
        from payamak.tenancy import scoped
        from payamak.tenancy.services import create_tenant
        from payamak_phonebook import csvio, imports
        from payamak_phonebook.custom_fields import create_field
        from payamak_phonebook.tables import Contact, ContactGroup, ContactValue, ImportJob, Membership

        tenant = await create_tenant("bench", "Bench", plugins=["phonebook"])
        user = await create_user(tenant.id, "bench", "bench-password", "customer")
        await create_field(user, "تولد", "date")
        data = csv_file(ROWS)
        backend = "PostgreSQL" if name else "SQLite"
        print(f"{backend}: {ROWS:,} contacts, CSV {len(data) / 2**20:.1f} MiB; ru_maxrss {rss_mib():.1f} MiB")

        specs = imports.field_specs(await imports.list_fields(user))
        started = time.perf_counter()
        result = csvio.check(csvio.decode(data), specs)
        elapsed = time.perf_counter() - started
        assert result.error_count == 0 and result.total == ROWS, result.errors[:5]
        tracemalloc.start()
        csvio.check(csvio.decode(data), specs)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"check pass      {elapsed:7.2f} s  tracemalloc peak {peak / 2**20:7.1f} MiB  ru_maxrss {rss_mib():7.1f} MiB")

        before = rss_mib()
        job = await scoped(ImportJob, tenant.id).create(owner=user.id, filename="bench.csv", total=ROWS, content=data)
        started = time.perf_counter()
        await imports.run_import(tenant.id, job.id)
        elapsed = time.perf_counter() - started
        job = await scoped(ImportJob, tenant.id).get(job.id)
        assert job.status == "done" and job.created == ROWS, (job.status, job.created, job.errors)
        contacts = await Contact.count().where(Contact.owner == user.id)
        values = await ContactValue.count().where(ContactValue.tenant == tenant.id)
        memberships = await Membership.count().where(Membership.tenant == tenant.id)
        groups = await ContactGroup.count().where(ContactGroup.owner == user.id)
        assert (contacts, values, memberships, groups) == (ROWS, ROWS, ROWS, 10), (contacts, values, memberships, groups)
        print(f"whole import    {elapsed:7.2f} s  ({ROWS / elapsed:,.0f} contacts/s)  ru_maxrss {before:7.1f} → {rss_mib():7.1f} MiB")

        # The Python heap's peak, from a second run of the same file (every row now updates a contact).
        again = await scoped(ImportJob, tenant.id).create(owner=user.id, filename="bench.csv", total=ROWS, content=data)
        del data
        tracemalloc.start()
        started = time.perf_counter()
        await imports.run_import(tenant.id, again.id)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        again = await scoped(ImportJob, tenant.id).get(again.id)
        assert again.status == "done" and again.updated == ROWS, (again.status, again.updated)
        print(f"re-import (all updates, traced) {elapsed:7.2f} s  tracemalloc peak {peak / 2**20:7.1f} MiB  ru_maxrss {rss_mib():7.1f} MiB")
        print(f"written: {contacts:,} contacts, {values:,} field values, {memberships:,} memberships, {groups} groups")
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
