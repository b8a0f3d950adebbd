"""The messaging core's tables: operator connections, lines, credit, send jobs, recipients,
inbound messages, opt-outs and ported numbers."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from payamak.tables import Tenant, User

LINE_KINDS = ("dedicated", "shared", "advertising", "service")
LINE_STATUSES = ("requested", "approved", "invoiced", "active", "rejected", "suspended")
RECIPIENT_STATUSES = (
    "scheduled",
    "queued",
    "claimed",
    "submitting",
    "submitted",
    "delivered",
    "undelivered",
    "failed",
    "expired",
    "cancelled",
    "blocked",
)
JOB_STATUSES = ("scheduled", "queued", "sending", "done", "cancelled")


class OperatorConnection(Table, tablename="operator_connection"):
    """A platform-level connection to an operator (an SMPP account), used by lines."""

    name = Varchar(length=100, unique=True)
    connector = Varchar(length=50)
    settings = JSON(default={})
    status = Varchar(length=20, default="active")
    created_at = Timestamptz(default=TimestamptzNow())


class Line(Table, tablename="sender_line"):
    """A sender number: registered by platform admins, given to a tenant, assigned to a customer."""

    number = Varchar(length=20, unique=True, index=True)
    kind = Varchar(length=20, default="dedicated")
    connection = ForeignKey(OperatorConnection, null=True, on_delete=OnDelete.restrict)
    tenant = ForeignKey(Tenant, null=True, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    status = Varchar(length=20, default="active")
    route_by_operator = Boolean(default=False)
    activated_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class CreditAccount(Table, tablename="credit_account"):
    """A customer's balance in Rials: ``available`` to spend and ``reserved`` for sends in flight."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, unique=True)
    available = BigInt(default=0)
    reserved = BigInt(default=0)


class LedgerEntry(Table, tablename="ledger_entry"):
    """One movement of credit. ``amount`` changes ``available``; ``reserved_delta`` changes ``reserved``."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    account = ForeignKey(CreditAccount, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20)  # purchase, reserve, debit, refund, adjustment
    amount = BigInt(default=0)
    reserved_delta = BigInt(default=0)
    job = BigInt(null=True, default=None, index=True)
    count = Integer(default=0)
    reason = Text(default="")
    actor = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class WholesaleAccount(Table, tablename="wholesale_account"):
    """A tenant's (reseller's) wholesale balance with the platform: its customers' sends are
    reserved and debited here too, at the wholesale prices platform admins set."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, unique=True)
    available = BigInt(default=0)
    reserved = BigInt(default=0)
    refused_at = Timestamptz(null=True, default=None)
    refused_sends = Integer(default=0)


class WholesaleEntry(Table, tablename="wholesale_entry"):
    """One movement of a tenant's wholesale balance (same meaning as :class:`LedgerEntry`)."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    account = ForeignKey(WholesaleAccount, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20)  # purchase, reserve, debit, refund, adjustment
    amount = BigInt(default=0)
    reserved_delta = BigInt(default=0)
    job = BigInt(null=True, default=None, index=True)
    count = Integer(default=0)
    reason = Text(default="")
    actor = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class WholesalePrice(Table, tablename="wholesale_price"):
    """What the platform charges a tenant for one SMS part by line kind and encoding, in Rials."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    line_kind = Varchar(length=20)
    encoding = Varchar(length=10)
    per_part = Integer()


class Price(Table, tablename="sms_price"):
    """A tenant's price of one SMS part by line kind and encoding, in Rials."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    line_kind = Varchar(length=20)
    encoding = Varchar(length=10)
    per_part = Integer()


class SendJob(Table, tablename="send_job"):
    """One send: a text (or per-recipient texts) from one line to many recipients."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, index=True)
    line = ForeignKey(Line, on_delete=OnDelete.restrict)
    text = Text(default="")
    encoding = Varchar(length=10, default="ucs2")
    parts = Integer(default=1)
    per_part = Integer(default=0)
    recipients = Integer(default=0)
    blocked = Integer(default=0)
    reserved = BigInt(default=0)
    source = Varchar(length=20, default="api")
    status = Varchar(length=20, default="queued", index=True)
    scheduled_at = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    heartbeat_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    meta = JSON(default={})


class Recipient(Table, tablename="recipient"):
    """One recipient of a send job and its fate (submit result, then delivery report)."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict)
    job = ForeignKey(SendJob, on_delete=OnDelete.cascade, index=True)
    number = Varchar(length=16)
    operator = Varchar(length=12, default="")
    connection = Integer(null=True, default=None)
    text = Text(null=True, default=None)
    parts = Integer(default=1)
    price = Integer(default=0)
    wholesale = Integer(default=0)
    status = Varchar(length=12, default="queued")
    message_id = Varchar(length=64, null=True, default=None)
    error = Varchar(length=64, null=True, default=None)
    claimed_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)


class InboundMessage(Table, tablename="inbound_message"):
    """A message received on a line, in the inbox of the line's owner (or trash)."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    line = ForeignKey(Line, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    sender = Varchar(length=20)
    text = Text(default="")
    received_at = Timestamptz(default=TimestamptzNow(), index=True)
    folder = Varchar(length=10, default="inbox")  # inbox, trash


class OptOut(Table, tablename="opt_out"):
    """A number that asked a tenant's advertising lines to stop."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    number = Varchar(length=16)
    keyword = Varchar(length=50, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class PortedNumber(Table, tablename="ported_number"):
    """A number that moved to another operator: overrides the prefix guess."""

    number = Varchar(length=16, unique=True)
    operator = Varchar(length=12)
