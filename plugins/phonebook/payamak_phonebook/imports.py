"""Importing a CSV file into a user's phonebook: all rows or none.

Every row is checked first (numbers, custom values, a number twice in the file); one problem
refuses the whole file and nothing is written. A checked file is then written: a number
already in the phonebook updates that contact (a non-empty name replaces the old one, non-empty
cells set their fields, listed groups are added; empty cells never erase anything), a new
number adds a contact, group names not yet known make new groups.

Files of up to :data:`BACKGROUND_ROWS` rows are imported at once, in one transaction. Larger
ones become an :class:`ImportJob` that the worker runs (:func:`run_import`): check pass, then
the write pass a chunk per transaction, progress stored as it goes. Writing cannot fail on the
data once the check passed; if the worker dies, the job is run again from the start, and
writing the same rows twice gives the same phonebook (upserts), so the outcome is all rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from payamak.db import engine, is_postgres, writing
from payamak.errors import DomainError, NotFound
from payamak.i18n import _locale, gettext, set_locale
from payamak.settings import get_settings
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_phonebook import bulk, csvio
from payamak_phonebook.search import search_text
from payamak_phonebook.services import list_fields, values_of
from payamak_phonebook.tables import Contact, ContactGroup, ImportJob

BACKGROUND_ROWS = 5000
CHUNK = 500
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5


@dataclass
class Outcome:
    """What an import did."""

    created: int = 0
    updated: int = 0


def field_specs(fields: Iterable[Any]) -> list[csvio.FieldSpec]:
    """What the CSV reader needs of the user's custom fields."""
    return [csvio.FieldSpec(f.id, f.name, f.kind, tuple(f.options or ())) for f in fields]


async def check_file(user: User, text: str) -> csvio.Check:
    """Check every row of a file against the user's fields; raises :class:`csvio.FileRefused`."""
    specs = field_specs(await list_fields(user))
    result = csvio.check(text, specs)
    if result.error_count:
        raise csvio.FileRefused(result.errors, result.error_count)
    return result


async def import_now(user: User, text: str) -> Outcome:
    """Check and write a small file in one transaction: all rows, or (FileRefused) none."""
    result = await check_file(user, text)
    outcome = Outcome()
    async with writing():
        groups = await _group_ids(user, result.groups)
        for chunk in _chunks(csvio.checked_rows(text, result.layout)):
            await write_chunk(user, chunk, groups, outcome)
    return outcome


def _chunks(rows: Iterator[csvio.ImportRow], size: int = CHUNK) -> Iterator[list[csvio.ImportRow]]:
    chunk: list[csvio.ImportRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _group_ids(user: User, names: set[str]) -> dict[str, int]:
    """``{name: id}`` of the user's groups, first making those of ``names`` the user does not have yet."""
    existing = {
        r["name"]: r["id"]
        for r in await scoped(ContactGroup, user.tenant).select(ContactGroup.id, ContactGroup.name).where(ContactGroup.owner == user.id)
    }
    missing = sorted(names - existing.keys())
    if not missing:
        return existing
    stamp = datetime.now(UTC)
    rows = [(user.tenant, user.id, name, stamp) for name in missing]
    await bulk.upsert("phonebook_group", ("tenant", "owner", "name", "created_at"), rows, conflict=("owner", "name"))
    return await _group_ids(user, set())


async def write_chunk(user: User, rows: list[csvio.ImportRow], groups: dict[str, int], outcome: Outcome) -> None:
    """Upsert a chunk of checked rows (inside the caller's transaction)."""
    numbers = [r.number for r in rows]
    current = {
        r["number"]: r
        for r in await scoped(Contact, user.tenant)
        .select(Contact.id, Contact.number, Contact.name)
        .where((Contact.owner == user.id) & Contact.number.is_in(numbers))
    }
    old_values = await values_of(user, [r["id"] for r in current.values()])
    stamp = datetime.now(UTC)
    contacts = []
    for row in rows:
        before = current.get(row.number)
        name = row.name or (before["name"] if before else "")
        values = {**(old_values.get(before["id"], {}) if before else {}), **row.values}
        contacts.append((user.tenant, user.id, name, row.number, search_text(name, row.number, values.values()), stamp, stamp))
    await bulk.upsert(
        "phonebook_contact",
        ("tenant", "owner", "name", "number", "search_text", "created_at", "updated_at"),
        contacts,
        conflict=("owner", "number"),
        update=("name", "search_text", "updated_at"),
    )
    ids = {
        r["number"]: r["id"]
        for r in await scoped(Contact, user.tenant)
        .select(Contact.id, Contact.number)
        .where((Contact.owner == user.id) & Contact.number.is_in(numbers))
    }
    outcome.updated += len(current)
    outcome.created += len(rows) - len(current)
    values_rows = [(user.tenant, ids[row.number], fid, value) for row in rows for fid, value in row.values.items()]
    await bulk.upsert(
        "phonebook_value", ("tenant", "contact", "field", "value"), values_rows, conflict=("contact", "field"), update=("value",)
    )
    memberships = [(user.tenant, ids[row.number], groups[name]) for row in rows for name in row.groups]
    await bulk.upsert("phonebook_membership", ("tenant", "contact", "contact_group"), memberships, conflict=("contact", "contact_group"))


# --- large files: a job for the worker -------------------------------------------------------


async def queue_import(user: User, filename: str, data: bytes, total: int) -> ImportJob:
    """Store a large file as a job and hand it to the worker."""
    from payamak_phonebook.actors import import_contacts

    job = await scoped(ImportJob, user.tenant).create(owner=user.id, filename=filename[:200], total=total, content=data)
    import_contacts.send(job.id, user.tenant)
    return job


async def user_import(user: User, job_id: Any) -> ImportJob:
    """One of the user's import jobs, or NotFound."""
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        raise NotFound("import") from None
    # Every column but the file itself: the progress page asks every second.
    columns = [c for c in ImportJob._meta.columns if c._meta.name != "content"]
    row = (
        await scoped(ImportJob, user.tenant)
        .select(*columns)
        .where((ImportJob.id == job_id) & (ImportJob.owner == user.id))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound("import")
    return ImportJob(_data=row, _exists_in_db=True)


async def _claim(tenant_id: int, job_id: int) -> bool:
    """Take the job unless it has ended or another delivery holds a live lease."""
    moment = datetime.now(UTC)
    claimed = (
        await scoped(ImportJob, tenant_id)
        .update(
            {
                ImportJob.lease_until: moment + LEASE,
                ImportJob.status: "checking",
                ImportJob.checked: 0,
                ImportJob.imported: 0,
                ImportJob.attempts: ImportJob.attempts + 1,
            }
        )
        .where(
            (ImportJob.id == job_id)
            & ImportJob.status.not_in(["done", "failed"])
            & (ImportJob.lease_until.is_null() | (ImportJob.lease_until < moment))
        )
        .returning(ImportJob.id)
    )
    return bool(claimed)


async def _progress(tenant_id: int, job_id: int, **values: Any) -> None:
    columns = {getattr(ImportJob, k): v for k, v in values.items()}
    columns[ImportJob.lease_until] = datetime.now(UTC) + LEASE
    await scoped(ImportJob, tenant_id).update(columns).where(ImportJob.id == job_id)


async def run_import(tenant_id: int, job_id: int) -> None:
    """The worker's side of a large import (idempotent; see the module docstring)."""
    job = await scoped(ImportJob, tenant_id).get(job_id)
    if job is None or job.status in ("done", "failed") or not await _claim(tenant_id, job_id):
        return
    user = await scoped(User, tenant_id).get(job.owner)
    # Problems are stored in the user's language.
    token = set_locale((user.locale if user is not None else "") or get_settings().default_locale)
    try:
        if user is None or job.attempts >= MAX_ATTEMPTS:
            await _give_up(tenant_id, job_id)
        else:
            await _run(tenant_id, job, user)
    finally:
        _locale.reset(token)


async def _give_up(tenant_id: int, job_id: int) -> None:
    """End a job that keeps stopping; what its runs wrote stays (each chunk is written whole)."""
    message = gettext(
        "The import stopped before the end several times and was given up; contacts written before it stopped stay in your phonebook."
    )
    errors = [csvio.RowError(0, "", message).as_dict()]
    await _progress(tenant_id, job_id, status="failed", errors=errors, error_count=1, content=None, finished_at=datetime.now(UTC))


async def _run(tenant_id: int, job: ImportJob, user: User) -> None:
    job_id = job.id
    try:
        text = csvio.decode(job.content or b"")
        checker, rows = csvio.start_check(text, field_specs(await list_fields(user)))
        for row_no, cells in rows:
            checker.feed(row_no, cells)
            if checker.result.total % CHUNK == 0:
                await _progress(tenant_id, job_id, checked=checker.result.total)
        result = checker.finish()
        if result.error_count:
            raise csvio.FileRefused(result.errors, result.error_count)
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, csvio.FileRefused) else [csvio.RowError(1, "", exc.message)]
        count = exc.error_count if isinstance(exc, csvio.FileRefused) else 1
        await _progress(
            tenant_id,
            job_id,
            status="failed",
            errors=[e.as_dict() for e in errors],
            error_count=count,
            content=None,
            finished_at=datetime.now(UTC),
        )
        return
    await _progress(tenant_id, job_id, status="importing", checked=result.total, total=result.total)
    outcome = Outcome()
    async with writing():
        groups = await _group_ids(user, result.groups)
    imported = 0
    for number, chunk in enumerate(_chunks(csvio.checked_rows(text, result.layout)), start=1):
        async with writing():
            await write_chunk(user, chunk, groups, outcome)
            imported += len(chunk)
            await _progress(tenant_id, job_id, imported=imported, created=outcome.created, updated=outcome.updated)
        if number in (2, 20) or number % 100 == 0:
            # Fresh statistics while the tables grow, or every chunk is planned for empty tables.
            await _refresh_statistics()
    await _refresh_statistics()
    await _progress(tenant_id, job_id, status="done", content=None, finished_at=datetime.now(UTC))


async def _refresh_statistics() -> None:
    """Let PostgreSQL's planner see a large import at once: with the statistics of an empty
    table it joins contacts and memberships in a nested loop, and resolving a group for a send
    takes minutes instead of milliseconds (autovacuum would catch up only a minute later)."""
    if is_postgres():
        await engine().run_ddl("ANALYZE phonebook_contact, phonebook_value, phonebook_membership, phonebook_group")


async def stalled_imports() -> list[tuple[int, int]]:
    """``(tenant_id, job_id)`` of imports no worker holds: queued for a minute, or their lease ran out."""
    moment = datetime.now(UTC)
    rows = await ImportJob.select(ImportJob.id, ImportJob.tenant).where(
        ImportJob.status.is_in(["queued", "checking", "importing"])
        & (ImportJob.lease_until.is_null() | (ImportJob.lease_until < moment))
        & (ImportJob.created_at < moment - timedelta(minutes=1))
    )
    return [(r["tenant"], r["id"]) for r in rows]
