"""The webhooks' periodic actors: collect delivery reports into the outbox, send what is due."""

from __future__ import annotations

import dramatiq

from payamak_webhooks import outbox, services


@dramatiq.actor(actor_name="webhooks_collect_reports", queue_name="webhooks", max_retries=0)
async def collect_reports() -> None:
    """Queue delivery reports past each endpoint's cursor (safe to run twice: queuing is unique)."""
    await services.collect_delivery_reports()


@dramatiq.actor(actor_name="webhooks_send_due", queue_name="webhooks", max_retries=0)
async def send_due() -> None:
    """Send the due deliveries (each is claimed first, so concurrent senders never double-send)."""
    while await outbox.send_due() == outbox.BATCH:
        pass
