"""Webhook tables: a customer's signing secret, endpoints with their report cursor, the outbox
of deliveries, and the attempts made for each delivery."""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from payamak.tables import Tenant, User

EVENTS = ("delivery_report", "message_received")
DELIVERY_STATUSES = ("pending", "delivered", "failed")


class WebhookSecret(Table, tablename="webhook_secret"):
    """The customer's signing secret (kept in clear: the signature needs it; shown once)."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, unique=True)
    secret = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())


class WebhookEndpoint(Table, tablename="webhook_endpoint"):
    """A URL a customer registered for some events.

    ``cursor_at``/``cursor_id`` mark the last recipient row (by ``done_at``, ``id``) whose
    delivery report was queued for this endpoint; the collector moves them forward.
    """

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    url = Varchar(length=500)
    events = Varchar(length=100, default="delivery_report,message_received")
    active = Boolean(default=True)
    cursor_at = Timestamptz(null=True, default=None)
    cursor_id = BigInt(default=0)
    created_at = Timestamptz(default=TimestamptzNow())

    def wants(self, event: str) -> bool:
        return event in self.events.split(",")


class WebhookDelivery(Table, tablename="webhook_delivery"):
    """One event for one endpoint: the outbox row the sender works through.

    ``event_id`` is unique and sent with every attempt (receivers de-duplicate on it);
    ``source_key`` (unique per endpoint) keeps the same event from being queued twice.
    A delivery answered 2xx becomes ``delivered`` and is never sent again.
    """

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    endpoint = ForeignKey(WebhookEndpoint, on_delete=OnDelete.cascade, index=True)
    event_id = Varchar(length=40, unique=True)
    event = Varchar(length=30)
    source_key = Varchar(length=80)
    payload = Text(default="")
    status = Varchar(length=12, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    last_status_code = Integer(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class WebhookAttempt(Table, tablename="webhook_attempt"):
    """One call made for a delivery: the response code (none when the call failed) and the error."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    delivery = ForeignKey(WebhookDelivery, on_delete=OnDelete.cascade, index=True)
    endpoint = ForeignKey(WebhookEndpoint, on_delete=OnDelete.cascade, index=True)
    status_code = Integer(null=True, default=None)
    error = Varchar(length=200, default="")
    duration_ms = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
