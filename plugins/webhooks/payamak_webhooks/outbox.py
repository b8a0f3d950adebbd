"""The sender: works through due deliveries, signs and posts them, records every attempt, and
retries failures with exponential back-off. A delivery answered 2xx is never sent again.

Signature (header ``X-Payamak-Signature: t=<unix seconds>,v1=<hex>``): HMAC-SHA256 with the
customer's secret over ``"<t>." + body``. Receivers check it with :func:`verify`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta

import httpx

from payamak_webhooks.services import secret_of
from payamak_webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint

RETRY_BASE_SECONDS = 10.0  # first retry after 10 s, then 20, 40, ... capped at an hour
RETRY_CAP_SECONDS = 3600.0
MAX_ATTEMPTS = 16
TIMEOUT_SECONDS = 10.0
LEASE = timedelta(seconds=60)  # a claimed delivery is left alone this long by other senders
BATCH = 50


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The value of ``X-Payamak-Signature`` for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """Whether ``header`` is a valid signature of ``body`` made within ``tolerance`` seconds."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS))


async def _claim(delivery_id: int, now: datetime) -> bool:
    """Take a due delivery for this sender (no other sender takes it while the lease runs)."""
    rows = await (
        WebhookDelivery.update({WebhookDelivery.next_attempt_at: now + LEASE})
        .where((WebhookDelivery.id == delivery_id) & (WebhookDelivery.status == "pending") & (WebhookDelivery.next_attempt_at <= now))
        .returning(WebhookDelivery.id)
    )
    return bool(rows)


async def send_due(limit: int = BATCH) -> int:
    """Send the deliveries that are due; returns how many calls were made."""
    now = datetime.now(UTC)
    due = await (
        WebhookDelivery.select(WebhookDelivery.id)
        .where((WebhookDelivery.status == "pending") & (WebhookDelivery.next_attempt_at <= now))
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    claimed = [row["id"] for row in due if await _claim(row["id"], now)]
    if not claimed:
        return 0
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        await asyncio.gather(*(_send_one(client, delivery_id) for delivery_id in claimed))
    return len(claimed)


async def _send_one(client: httpx.AsyncClient, delivery_id: int) -> None:
    delivery = await WebhookDelivery.objects().where(WebhookDelivery.id == delivery_id).first()
    target = await WebhookEndpoint.objects().where(WebhookEndpoint.id == delivery.endpoint).first()
    if target is None or not target.active:
        await WebhookDelivery.update({WebhookDelivery.status: "failed"}).where(WebhookDelivery.id == delivery_id)
        return
    secret = await secret_of(delivery.tenant, target.owner) or ""
    body = delivery.payload.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Payamak-Webhooks/1",
        "X-Payamak-Event": delivery.event,
        "X-Payamak-Event-Id": delivery.event_id,
        "X-Payamak-Signature": sign(secret, timestamp, body),
    }
    started = time.monotonic()
    code: int | None = None
    error = ""
    try:
        response = await client.post(target.url, content=body, headers=headers)
        code = response.status_code
    except httpx.HTTPError as exc:
        error = (type(exc).__name__ + ": " + str(exc))[:200]
    duration = int((time.monotonic() - started) * 1000)
    now = datetime.now(UTC)
    await WebhookAttempt.insert(
        WebhookAttempt(
            tenant=delivery.tenant, delivery=delivery.id, endpoint=target.id, status_code=code, error=error, duration_ms=duration
        )
    )
    attempts = delivery.attempts + 1
    values: dict = {WebhookDelivery.attempts: attempts, WebhookDelivery.last_status_code: code}
    if code is not None and 200 <= code < 300:
        values.update({WebhookDelivery.status: "delivered", WebhookDelivery.delivered_at: now})
    elif attempts >= MAX_ATTEMPTS:
        values[WebhookDelivery.status] = "failed"
    else:
        values[WebhookDelivery.next_attempt_at] = now + backoff(attempts)
    await WebhookDelivery.update(values).where(WebhookDelivery.id == delivery.id)
