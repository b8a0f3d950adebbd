"""The test plugin's actor: writes a note for a tenant."""

import dramatiq

from payamak.tenancy import scoped
from payamak_testplugin.tables import Note


@dramatiq.actor(queue_name="testplugin", max_retries=0)
async def record_note(tenant_id: int, text: str) -> None:
    """Write ``text`` as a note of the tenant (proves a plugin actor runs in the worker)."""
    await scoped(Note, tenant_id).create(text=text, source="actor")
