"""The billing plugin's actor: the periodic reconciliation of pending payments."""

from __future__ import annotations

import logging
from datetime import timedelta

import dramatiq

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="billing", max_retries=0)
async def reconcile_payments() -> None:
    """Verify pending payments whose payer never came back (idempotent: settling is conditional)."""
    from payamak_billing_zarinpal.payments import reconcile

    counts = await reconcile(older_than=timedelta(seconds=60))
    if counts:
        log.info("billing reconciliation: %s", counts)
