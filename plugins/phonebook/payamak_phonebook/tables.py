"""The phonebook's tables: each customer's contacts, groups, custom fields and imports.

Every table is tenant-owned (``tenant``) and, but for values and memberships, owned by one
user (``owner``): a phonebook is personal. Composite unique keys (one number per owner, one
group or field name per owner, one value per contact and field, one membership per contact
and group) are created by the second migration.
"""

from __future__ import annotations

from piccolo.columns import JSON, Bytea, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from payamak.tables import Tenant, User

FIELD_KINDS = ("text", "number", "date", "choice")
IMPORT_STATUSES = ("queued", "checking", "importing", "done", "failed")


class ContactGroup(Table, tablename="phonebook_group"):
    """A named group of a user's contacts (a contact may be filed in several)."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())


class ContactField(Table, tablename="phonebook_field"):
    """A field (شاخص) the user added to every contact's profile: text, number, Jalali date or choice."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100)
    kind = Varchar(length=10, default="text")
    options = JSON(default=[])
    sort_order = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class Contact(Table, tablename="phonebook_contact"):
    """A name and a mobile number (stored normalised, ``98912…``), unique in its owner's phonebook.

    ``search_text`` is the name, both spellings of the number and the custom values, folded
    (case, Arabic letters, digits) so one LIKE finds a contact by any of them.
    """

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200, default="")
    number = Varchar(length=20)
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ContactValue(Table, tablename="phonebook_value"):
    """One custom field's value of one contact, in canonical form (dates as Jalali ``1403/05/12``)."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    contact = ForeignKey(Contact, on_delete=OnDelete.cascade, index=True)
    field = ForeignKey(ContactField, on_delete=OnDelete.cascade, index=True)
    value = Varchar(length=500)


class Membership(Table, tablename="phonebook_membership"):
    """A contact filed in a group."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    contact = ForeignKey(Contact, on_delete=OnDelete.cascade, index=True)
    contact_group = ForeignKey(ContactGroup, on_delete=OnDelete.cascade, index=True)


class ImportJob(Table, tablename="phonebook_import"):
    """A large CSV import run by the worker: the file, its progress and its outcome.

    ``checked`` and ``imported`` count rows of the two passes (check every row, then write);
    ``lease_until`` keeps a second delivery of the actor off a job that is being worked on;
    ``attempts`` counts the runs, so a job that keeps failing is given up instead of retried for ever.
    The file is dropped when the job ends.
    """

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=200, default="")
    status = Varchar(length=20, default="queued")
    total = Integer(default=0)
    checked = Integer(default=0)
    imported = Integer(default=0)
    created = Integer(default=0)
    updated = Integer(default=0)
    errors = JSON(default=[])
    error_count = Integer(default=0)
    attempts = Integer(default=0)
    content = Bytea(null=True, default=None)
    lease_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)

    @property
    def percent(self) -> int:
        """Progress of both passes, 0–100."""
        if self.status == "done":
            return 100
        if not self.total:
            return 0
        return min(99, (self.checked + self.imported) * 100 // (2 * self.total))
