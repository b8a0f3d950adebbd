"""The message boxes' one table: a customer's saved texts (7 Templates)."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Text, Timestamptz
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from payamak.tables import Tenant, User


class Template(Table, tablename="message_template"):
    """A text a customer sends often (پیام نمونه); at most ``services.MAX_TEMPLATES`` per user."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
