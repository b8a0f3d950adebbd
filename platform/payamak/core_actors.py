"""The core's own actors."""

import dramatiq


@dramatiq.actor(queue_name="default", max_retries=0)
def ping() -> str:
    """Answer ``pong``: proves a worker consumes the core's queue."""
    return "pong"
