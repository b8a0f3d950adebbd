"""Support tables: the tenant's departments, tickets and the messages of a ticket."""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from payamak.tables import Tenant, User

STATUSES = ("open", "answered", "customer_reply", "closed")


class Department(Table, tablename="support_department"):
    """A department tickets are addressed to; the tenant admin maintains the list."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=100)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Ticket(Table, tablename="support_ticket"):
    """A customer's ticket.

    ``status``: ``open`` (new, waiting for staff), ``answered`` (staff replied),
    ``customer_reply`` (the customer wrote again), ``closed``. ``customer_unread`` is the
    notification of the customer: set when staff reply, cleared when the customer opens the ticket.
    """

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    department = ForeignKey(Department, on_delete=OnDelete.restrict, index=True)
    subject = Varchar(length=200)
    status = Varchar(length=20, default="open", index=True)
    customer_unread = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)


class TicketMessage(Table, tablename="support_message"):
    """One message of a ticket (the question, a reply); at most one attachment, stored on disk."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    ticket = ForeignKey(Ticket, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    from_staff = Boolean(default=False)
    body = Text(default="")
    attachment_name = Varchar(length=200, default="")
    attachment_file = Varchar(length=100, default="")
    attachment_size = Integer(default=0)
    sms_job = BigInt(null=True, default=None)  # the SMS that told the customer of this staff reply
    sms_error = Varchar(length=200, default="")  # why no SMS went out, when the tenant wants one
    created_at = Timestamptz(default=TimestamptzNow())


class SupportSettings(Table, tablename="support_settings"):
    """A tenant's support options: tell customers of staff replies by SMS, from ``line``, charged
    to ``sender`` (the tenant admin who turned it on)."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, unique=True)
    sms_enabled = Boolean(default=False)
    line = BigInt(null=True, default=None)
    sender = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())
