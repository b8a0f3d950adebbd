"""The messaging core's actors: dispatching jobs and the periodic upkeep the scheduler sends."""

from __future__ import annotations

import dramatiq

from payamak.messaging import dispatch


@dramatiq.actor(queue_name="messaging", max_retries=3, min_backoff=2000, time_limit=24 * 3600 * 1000)
async def dispatch_job(job_id: int) -> None:
    """Submit a job's queued rows (idempotent: claims are exclusive, finished jobs are skipped)."""
    await dispatch.run_job(job_id)


@dramatiq.actor(queue_name="messaging", max_retries=0)
async def promote_scheduled() -> None:
    """Queue scheduled jobs whose time has come."""
    for job_id in await dispatch.promote_due_jobs():
        dispatch_job.send(job_id)


@dramatiq.actor(queue_name="messaging", max_retries=0)
async def recover_stuck() -> None:
    """Settle rows a crash left in ``submitting`` and re-queue idle jobs with queued rows."""
    result = await dispatch.recover()
    for job_id in result["jobs"]:
        dispatch_job.send(job_id)


@dramatiq.actor(queue_name="messaging", max_retries=0)
async def keep_connections() -> None:
    """Keep this worker bound to every active operator connection (receipts, incoming)."""
    await dispatch.POOL.ensure_all()
