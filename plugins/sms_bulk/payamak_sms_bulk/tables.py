"""Tables of the bulk plugin: platform-level number databases and blacklist, tenants' grants,
calculations (calculate-count records) and bulk sends."""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from payamak.tables import Tenant, User

DATABASE_STATUSES = ("loading", "ready", "failed", "replaced")
SEND_STATUSES = ("pending", "selecting", "accepted", "failed")


class NumberDatabase(Table, tablename="bulk_database"):
    """A number database (platform-level); an import loads a new row and then replaces the old one."""

    name = Varchar(length=100)
    status = Varchar(length=12, default="loading")
    rows = Integer(default=0)
    progress = Integer(default=0)
    error = Text(default="")
    source = Varchar(length=200, default="")
    replaces = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class BulkNumber(Table, tablename="bulk_number"):
    """One number of a database with the attributes segments select by (codes of the reference lists)."""

    database = ForeignKey(NumberDatabase, on_delete=OnDelete.cascade)
    number = BigInt()
    operator = Varchar(length=10, default="")
    gender = Varchar(length=1, default="")
    province = Varchar(length=8, default="")
    city = Varchar(length=8, default="")
    area = Varchar(length=8, default="")
    suburb = Varchar(length=8, default="")
    guild = Varchar(length=8, default="")
    postal_code = Varchar(length=10, default="")
    postal5 = Varchar(length=5, default="")
    active = Boolean(default=True)


class Blacklisted(Table, tablename="bulk_blacklist"):
    """A number no bulk send of any tenant may reach."""

    number = BigInt(unique=True)
    reason = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class DatabaseGrant(Table, tablename="bulk_grant"):
    """A database the platform lets a tenant's customers send to."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    database = ForeignKey(NumberDatabase, on_delete=OnDelete.restrict, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Calculation(Table, tablename="bulk_calculation"):
    """A calculate-count: the selection, its count and seed; a send must present a fresh one."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict)
    database = Integer()
    selection = JSON(default={})
    key = Varchar(length=64)
    seed = BigInt(default=0)
    segment_total = Integer(default=0)
    count = Integer(default=0)
    opted_out = Integer(default=0)
    blacklisted = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)


class BulkSend(Table, tablename="bulk_send"):
    """One bulk send: its segment, mode, seed, counts and the send job it became."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, index=True)
    database = Integer()
    calculation = Integer()
    segment = Varchar(length=20)
    selection = JSON(default={})
    mode = Varchar(length=12, default="public")
    seed = BigInt(default=0)
    start = Integer(default=1)
    requested = Integer(default=0)
    selected = Integer(default=0)
    skipped_opt_out = Integer(default=0)
    skipped_blacklist = Integer(default=0)
    line = Integer()
    text = Text(default="")
    scheduled_at = Timestamptz(null=True, default=None)
    job = BigInt(null=True, default=None)
    cost = BigInt(default=0)
    status = Varchar(length=12, default="pending")
    progress = Integer(default=0)
    error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    accepted_at = Timestamptz(null=True, default=None)
