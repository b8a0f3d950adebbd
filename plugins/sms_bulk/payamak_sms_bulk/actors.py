"""Background work of the bulk plugin: database imports and bulk sends."""

from __future__ import annotations

from pathlib import Path

import dramatiq


@dramatiq.actor(queue_name="bulk", max_retries=0, time_limit=3_600_000)
async def import_database(database_id: int, path: str) -> None:
    """Check and load an uploaded database, then make it current."""
    from payamak_sms_bulk.importing import run_import

    await run_import(database_id, Path(path))


@dramatiq.actor(queue_name="bulk", max_retries=0, time_limit=3_600_000)
async def run_bulk_send(tenant_id: int, bulk_id: int) -> None:
    """Select a bulk send's numbers and hand them to the send pipeline."""
    from payamak_sms_bulk.services import run_send

    await run_send(tenant_id, bulk_id)
