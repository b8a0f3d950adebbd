"""Number databases on the platform side: the synthetic demo database, grants to tenants,
atomic replacement after an import, and the blacklist."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from payamak.db import bulk_insert, writing
from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.messaging.numbers import try_normalise
from payamak_sms_bulk import reference
from payamak_sms_bulk.tables import Blacklisted, BulkNumber, DatabaseGrant, NumberDatabase

COLUMNS = ["database", "number", "operator", "gender", "province", "city", "area", "suburb", "guild", "postal_code", "postal5", "active"]
OPERATOR_PREFIXES = {
    "irancell": reference.IRANCELL_PREFIXES,
    "mci": ("0910", "0911", "0912", "0913", "0914", "0915", "0916", "0917", "0918", "0919", "0990", "0991"),
    "rightel": ("0920", "0921", "0922"),
}
POSTAL_DIGITS = "13456789"


def _postal_base(city: str) -> str:
    """A stable 3-digit start of a city's postal codes (synthetic, not the real allocation)."""
    rng = random.Random(city)
    return "".join(rng.choice(POSTAL_DIGITS) for _ in range(3))


def synthetic_rows(database_id: int, size: int, seed: int = 1403) -> Iterator[tuple[Any, ...]]:
    """``size`` distinct realistic-looking numbers across every segment, deterministic for a seed.

    Half live in Tehran province (regions or suburbs), a tenth in Karaj, the rest across the
    provinces; a third have a guild; 0935 numbers always have a gender.
    """
    rng = random.Random(seed)
    cities = reference.cities()
    tehran_city = next(c for c in cities if c.name == "تهران")
    karaj_city = next(c for c in cities if c.name == "کرج")
    regions, karaj, suburbs, guilds = reference.tehran_regions(), reference.karaj_areas(), reference.tehran_suburbs(), reference.guilds()
    operators = [("irancell", 45), ("mci", 45), ("rightel", 10)]
    weights = [w for _, w in operators]
    seen: set[int] = set()
    while len(seen) < size:
        operator = rng.choices([o for o, _ in operators], weights)[0]
        prefix = "0935" if operator == "irancell" and rng.random() < 0.35 else rng.choice(OPERATOR_PREFIXES[operator])
        number = int("98" + prefix[1:]) * 10**7 + rng.randrange(10**7)
        if number in seen:
            continue
        seen.add(number)
        place = rng.random()
        area = suburb = ""
        if place < 0.4:
            city, area = tehran_city, rng.choice(regions).code
        elif place < 0.5:
            city = tehran_city
            suburb = rng.choice(suburbs).code
        elif place < 0.6:
            city, area = karaj_city, rng.choice(karaj).code
        else:
            city = rng.choice(cities)
        postal5 = _postal_base(city.code) + "".join(rng.choice(POSTAL_DIGITS) for _ in range(2))
        postal = postal5 + "".join(rng.choice("0123456789") for _ in range(5))
        gender = rng.choice(reference.GENDERS) if prefix == "0935" or rng.random() < 0.5 else ""
        guild = rng.choice(guilds).code if rng.random() < 0.33 else ""
        active = rng.random() < 0.95
        yield (database_id, number, operator, gender, city.parent, city.code, area, suburb, guild, postal, postal5, active)


async def create_synthetic(name: str, size: int, seed: int = 1403) -> NumberDatabase:
    """A ready synthetic database of ``size`` numbers, loaded with bulk inserts in one transaction."""
    async with writing():
        database = NumberDatabase(name=name, status="loading", source="synthetic")
        await database.save()
        loaded = await bulk_insert("bulk_number", COLUMNS, synthetic_rows(database.id, size, seed), chunk=10_000)
        await NumberDatabase.update(
            {
                NumberDatabase.status: "ready",
                NumberDatabase.rows: loaded,
                NumberDatabase.progress: loaded,
                NumberDatabase.finished_at: datetime.now(UTC),
            }
        ).where(NumberDatabase.id == database.id)
    database.status, database.rows = "ready", loaded
    return database


async def grant(tenant_id: int, database_id: int) -> None:
    """Let a tenant's customers send to a database (idempotent)."""
    database = await NumberDatabase.objects().where(NumberDatabase.id == database_id).first()
    if database is None or database.status != "ready":
        raise DomainError("bulk.database_not_ready", _("Only a ready database can be granted."))
    exists = await DatabaseGrant.exists().where((DatabaseGrant.tenant == tenant_id) & (DatabaseGrant.database == database_id))
    if not exists:
        await DatabaseGrant(tenant=tenant_id, database=database_id).save()


async def revoke(tenant_id: int, database_id: int) -> None:
    """Withdraw a grant."""
    await DatabaseGrant.delete().where((DatabaseGrant.tenant == tenant_id) & (DatabaseGrant.database == database_id))


async def granted(tenant_id: int) -> list[NumberDatabase]:
    """The ready databases a tenant may send to."""
    ids = [r["database"] for r in await DatabaseGrant.select(DatabaseGrant.database).where(DatabaseGrant.tenant == tenant_id)]
    if not ids:
        return []
    return (
        await NumberDatabase.objects().where(NumberDatabase.id.is_in(ids) & (NumberDatabase.status == "ready")).order_by(NumberDatabase.id)
    )


async def granted_database(tenant_id: int, database_id: Any) -> NumberDatabase:
    """One database granted to the tenant, or :class:`NotFound`."""
    try:
        wanted = int(database_id)
    except (TypeError, ValueError):
        raise NotFound("database") from None
    for database in await granted(tenant_id):
        if database.id == wanted:
            return database
    raise NotFound("database")


async def switch_to(new_id: int, old_id: int | None) -> None:
    """Make a freshly loaded database current: in one transaction it becomes ready, every grant
    of the database it replaces moves to it, and the old one is marked replaced."""
    now = datetime.now(UTC)
    async with writing():
        await NumberDatabase.update({NumberDatabase.status: "ready", NumberDatabase.finished_at: now}).where(NumberDatabase.id == new_id)
        if old_id is not None:
            already = {r["tenant"] for r in await DatabaseGrant.select(DatabaseGrant.tenant).where(DatabaseGrant.database == new_id)}
            for row in await DatabaseGrant.select(DatabaseGrant.id, DatabaseGrant.tenant).where(DatabaseGrant.database == old_id):
                if row["tenant"] in already:
                    await DatabaseGrant.delete().where(DatabaseGrant.id == row["id"])
                else:
                    await DatabaseGrant.update({DatabaseGrant.database: new_id}).where(DatabaseGrant.id == row["id"])
            await NumberDatabase.update({NumberDatabase.status: "replaced"}).where(NumberDatabase.id == old_id)


async def delete_database(database_id: int) -> None:
    """Delete a replaced or failed database and its numbers (a granted or current one cannot be)."""
    database = await NumberDatabase.objects().where(NumberDatabase.id == database_id).first()
    if database is None:
        raise NotFound("database")
    if database.status not in ("replaced", "failed") or await DatabaseGrant.exists().where(DatabaseGrant.database == database_id):
        raise DomainError("bulk.database_in_use", _("Only a replaced or failed database that no tenant uses can be deleted."))
    async with writing():
        await BulkNumber.delete().where(BulkNumber.database == database_id)
        await NumberDatabase.delete().where(NumberDatabase.id == database_id)


async def add_to_blacklist(raw_numbers: Iterable[str], reason: str = "") -> int:
    """Blacklist numbers for every tenant's bulk sends; returns how many were new."""
    added = 0
    for raw in raw_numbers:
        number = try_normalise(str(raw))
        if number is None:
            raise DomainError("bulk.blacklist_invalid", _("%(number)s is not a mobile number.", number=str(raw)))
        if not await Blacklisted.exists().where(Blacklisted.number == int(number)):
            await Blacklisted(number=int(number), reason=reason).save()
            added += 1
    return added
