"""The core's tables: tenants, users, API keys, announcements."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Bytea,
    ForeignKey,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Tenant(Table):
    """A reseller: a white-label panel on its own subdomain or domains."""

    slug = Varchar(length=63, unique=True, index=True)
    name = Varchar(length=200)
    domains = JSON(default=[])
    primary_color = Varchar(length=20, default="#0f766e")
    secondary_color = Varchar(length=20, default="#134e4a")
    logo = Bytea(null=True, default=None)
    logo_type = Varchar(length=50, default="")
    plugins = JSON(default=[])
    status = Varchar(length=20, default="active")
    support_phone = Varchar(length=50, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class User(Table, tablename="account"):
    """An account: platform admins have no tenant; everyone else belongs to one."""

    tenant = ForeignKey(Tenant, null=True, on_delete=OnDelete.restrict, index=True)
    username = Varchar(length=100)
    password_hash = Varchar(length=200)
    role = Varchar(length=20, default="customer")
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100, default="")
    email = Varchar(length=200, default="")
    mobile = Varchar(length=20, default="")
    company = Varchar(length=200, default="")
    national_code = Varchar(length=20, default="")
    address = Text(default="")
    status = Varchar(length=20, default="active")
    locale = Varchar(length=5, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username


class ApiKey(Table):
    """A customer's web-service key: only its SHA-256 is stored; shown once when created."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    prefix = Varchar(length=16)
    key_hash = Varchar(length=64, unique=True, index=True)
    allowed_ips = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Announcement(Table):
    """A notice a tenant admin posts on the customers' dashboard."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=200)
    body = Text(default="")
    author = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
