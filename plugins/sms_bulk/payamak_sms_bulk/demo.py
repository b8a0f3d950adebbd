"""``payamak demo``: a synthetic number database (created once) granted to every demo tenant."""

from __future__ import annotations

from payamak.settings import get_settings
from payamak.tables import Tenant
from payamak_sms_bulk import databases
from payamak_sms_bulk.tables import NumberDatabase

DEMO_NAME = "پایگاه نمونه (مصنوعی)"


def demo_size() -> int:
    """Numbers in the demo database (``PAYAMAK_BULK_DEMO_SIZE``)."""
    return int(get_settings().extra.get("BULK_DEMO_SIZE", "300000"))


async def demo_database() -> NumberDatabase:
    """The synthetic demo database, created only if absent."""
    database = await NumberDatabase.objects().where((NumberDatabase.name == DEMO_NAME) & (NumberDatabase.status == "ready")).first()
    if database is None:
        database = await databases.create_synthetic(DEMO_NAME, demo_size())
    return database


async def load_demo(tenant_slug: str) -> None:
    """Grant the demo database to a tenant."""
    tenant = await Tenant.objects().where(Tenant.slug == tenant_slug).first()
    if tenant is None:
        return
    database = await demo_database()
    await databases.grant(tenant.id, database.id)
