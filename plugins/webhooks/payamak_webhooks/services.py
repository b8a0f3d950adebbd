"""Webhook logic (no HTTP): secrets, endpoints, and queuing events into the outbox.

Incoming messages are queued from the core's ``payamak_on_message_received`` event; delivery
reports are collected by a periodic scan of recipient rows whose ``done_at`` is past each
endpoint's cursor, so no receipt is missed even when the worker was down.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from piccolo.columns.combination import Or
from piccolo.query.mixins import OnConflictAction

from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.messaging.tables import InboundMessage, Line, Recipient
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_webhooks.tables import EVENTS, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookSecret

MAX_ENDPOINTS = 10
SCAN_BATCH = 500
# Receipts are stamped before their transaction commits: scan only rows a little older than now.
SCAN_LAG = timedelta(seconds=3)


def _now() -> datetime:
    return datetime.now(UTC)


# --- secrets and endpoints -------------------------------------------------------------------


async def has_secret(user: User) -> bool:
    return await scoped(WebhookSecret).exists().where(WebhookSecret.owner == user.id)


async def new_secret(user: User) -> str:
    """Create or replace the customer's signing secret; the caller shows it once."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    updated = (
        await scoped(WebhookSecret)
        .update({WebhookSecret.secret: secret, WebhookSecret.created_at: _now()})
        .where(WebhookSecret.owner == user.id)
        .returning(WebhookSecret.id)
    )
    if not updated:
        await scoped(WebhookSecret).create(owner=user.id, secret=secret)
    return secret


async def secret_of(tenant_id: int, owner_id: int) -> str | None:
    row = await scoped(WebhookSecret, tenant_id).select(WebhookSecret.secret).where(WebhookSecret.owner == owner_id).first()
    return row["secret"] if row else None


def _check_url(url: str) -> str:
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or len(url) > 500:
        raise DomainError("url", _("Enter a full http:// or https:// address."))
    return url


async def add_endpoint(user: User, url: Any, events: list[str]) -> WebhookEndpoint:
    """Register a URL for some events; it receives only what happens from now on."""
    url = _check_url(str(url or ""))
    chosen = [e for e in EVENTS if e in events]
    if not chosen:
        raise DomainError("events", _("Choose at least one event."))
    if await scoped(WebhookEndpoint).count().where(WebhookEndpoint.owner == user.id) >= MAX_ENDPOINTS:
        raise DomainError("too_many", _("You can register at most %(n)s addresses.", n=MAX_ENDPOINTS))
    return await scoped(WebhookEndpoint).create(owner=user.id, url=url, events=",".join(chosen), cursor_at=_now(), cursor_id=0)


async def endpoints(user: User) -> list[WebhookEndpoint]:
    return await scoped(WebhookEndpoint).objects().where(WebhookEndpoint.owner == user.id).order_by(WebhookEndpoint.id)


async def endpoint(user: User, endpoint_id: int) -> WebhookEndpoint:
    """The customer's endpoint; another customer's or tenant's is not found."""
    row = await scoped(WebhookEndpoint).get(endpoint_id)
    if row is None or row.owner != user.id:
        raise NotFound("webhook")
    return row


async def set_active(row: WebhookEndpoint, active: bool) -> None:
    values: dict[Any, Any] = {WebhookEndpoint.active: active}
    if active and not row.active:
        values[WebhookEndpoint.cursor_at] = _now()  # reports of the paused time are not sent afterwards
        values[WebhookEndpoint.cursor_id] = 0
    await scoped(WebhookEndpoint).update(values).where(WebhookEndpoint.id == row.id)


async def delete_endpoint(row: WebhookEndpoint) -> None:
    await scoped(WebhookEndpoint).delete().where(WebhookEndpoint.id == row.id)


async def recent_attempts(user: User, endpoint_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The customer's latest calls with their response codes."""
    query = (
        scoped(WebhookAttempt)
        .select(
            WebhookAttempt.id,
            WebhookAttempt.status_code,
            WebhookAttempt.error,
            WebhookAttempt.duration_ms,
            WebhookAttempt.created_at,
            WebhookAttempt.delivery.event,
            WebhookAttempt.delivery.event_id,
            WebhookAttempt.endpoint.url,
        )
        .where(WebhookAttempt.endpoint.owner == user.id)
        .order_by(WebhookAttempt.id, ascending=False)
        .limit(limit)
    )
    if endpoint_id:
        query = query.where(WebhookAttempt.endpoint == endpoint_id)
    return await query


# --- queuing events ----------------------------------------------------------------------------


def _payload(event_id: str, event: str, data: dict[str, Any]) -> str:
    return json.dumps({"id": event_id, "event": event, "created_at": _now().isoformat(), "data": data}, ensure_ascii=False)


async def _enqueue(tenant_id: int, endpoint_id: int, event: str, source_key: str, data: dict[str, Any]) -> None:
    """Queue one event for one endpoint (once: a second queuing of the same source is ignored)."""
    event_id = uuid.uuid4().hex
    row = WebhookDelivery(
        tenant=tenant_id,
        endpoint=endpoint_id,
        event_id=event_id,
        event=event,
        source_key=source_key,
        payload=_payload(event_id, event, data),
        next_attempt_at=_now(),
    )
    await WebhookDelivery.insert(row).on_conflict(action=OnConflictAction.do_nothing)


async def queue_incoming(tenant_id: int, message_id: int) -> int:
    """An incoming message: queued for the line owner's endpoints that want it."""
    message = await scoped(InboundMessage, tenant_id).get(message_id)
    if message is None or message.owner is None:
        return 0
    targets = await (
        scoped(WebhookEndpoint, tenant_id).objects().where((WebhookEndpoint.owner == message.owner) & (WebhookEndpoint.active == True))  # noqa: E712
    )
    line = await Line.select(Line.number).where(Line.id == message.line).first()
    data = {
        "message_id": message.id,
        "line": line["number"] if line else "",
        "sender": message.sender,
        "text": message.text,
        "received_at": message.received_at.isoformat(),
    }
    count = 0
    for target in targets:
        if target.wants("message_received"):
            await _enqueue(tenant_id, target.id, "message_received", f"in:{message.id}", data)
            count += 1
    return count


async def collect_delivery_reports() -> int:
    """Queue the delivery reports past each active endpoint's cursor; returns how many were queued."""
    from payamak.registry import get_registry
    from payamak.tables import Tenant
    from payamak.tenancy.services import enabled_plugins

    queued = 0
    upper = _now() - SCAN_LAG
    targets = [t for t in await WebhookEndpoint.objects().where(WebhookEndpoint.active == True) if t.wants("delivery_report")]  # noqa: E712
    tenants = {t.id: t for t in await Tenant.objects().where(Tenant.id.is_in(list({t.tenant for t in targets}) or [0]))}
    registry = get_registry()
    for target in targets:
        tenant = tenants.get(target.tenant)
        if tenant is not None and tenant.status == "active" and registry.is_enabled("webhooks", enabled_plugins(tenant)):
            queued += await _collect_for(target, upper)
    return queued


async def _collect_for(target: WebhookEndpoint, upper: datetime) -> int:
    queued = 0
    cursor_at, cursor_id = target.cursor_at or target.created_at, target.cursor_id
    while True:
        rows = await (
            Recipient.select(
                Recipient.id, Recipient.job, Recipient.number, Recipient.status, Recipient.error, Recipient.parts, Recipient.done_at
            )
            .where(
                (Recipient.tenant == target.tenant)
                & (Recipient.job.user == target.owner)
                & (Recipient.done_at.is_not_null())
                & (Recipient.done_at <= upper),
                Or(Recipient.done_at > cursor_at, (Recipient.done_at == cursor_at) & (Recipient.id > cursor_id)),
            )
            .order_by(Recipient.done_at)
            .order_by(Recipient.id)
            .limit(SCAN_BATCH)
        )
        for row in rows:
            data = {
                "recipient_id": row["id"],
                "job_id": row["job"],
                "number": row["number"],
                "status": row["status"],
                "error": row["error"],
                "parts": row["parts"],
                "done_at": row["done_at"].isoformat(),
            }
            await _enqueue(target.tenant, target.id, "delivery_report", f"dlr:{row['id']}:{row['status']}", data)
        if rows:
            cursor_at, cursor_id = rows[-1]["done_at"], rows[-1]["id"]
            await WebhookEndpoint.update({WebhookEndpoint.cursor_at: cursor_at, WebhookEndpoint.cursor_id: cursor_id}).where(
                WebhookEndpoint.id == target.id
            )
            queued += len(rows)
        if len(rows) < SCAN_BATCH:
            return queued
