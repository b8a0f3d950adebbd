"""The phonebook's actors: large CSV imports, and picking up imports no worker holds."""

from __future__ import annotations

import dramatiq

from payamak_phonebook import imports


@dramatiq.actor(actor_name="phonebook_import_contacts", queue_name="phonebook", max_retries=3, min_backoff=2000, time_limit=6 * 3600 * 1000)
async def import_contacts(job_id: int, tenant_id: int) -> None:
    """Check and write a large import (idempotent: an ended or leased job is left alone, a rerun upserts)."""
    await imports.run_import(tenant_id, job_id)


@dramatiq.actor(actor_name="phonebook_resume_imports", queue_name="phonebook", max_retries=0)
async def resume_imports() -> None:
    """Send again the imports whose message was lost or whose worker died."""
    for tenant_id, job_id in await imports.stalled_imports():
        import_contacts.send(job_id, tenant_id)
