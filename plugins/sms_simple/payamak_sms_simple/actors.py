"""The plugin's one periodic task: uploads nobody confirmed are deleted after an hour."""

from __future__ import annotations

import dramatiq

from payamak_sms_simple import uploads


@dramatiq.actor(actor_name="sms_simple_sweep_uploads", queue_name="sms_simple", max_retries=0)
def sms_simple_sweep_uploads() -> None:
    """Delete waiting uploads older than an hour (new uploads sweep too; this catches quiet hours)."""
    uploads.sweep()
