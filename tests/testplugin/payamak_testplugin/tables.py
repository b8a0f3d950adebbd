"""The test plugin's one table."""

from piccolo.columns import ForeignKey, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from payamak.tables import Tenant


class Note(Table, tablename="testplugin_note"):
    """A line of text owned by a tenant, written by routes, actors, commands and reactions."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    text = Varchar(length=200)
    source = Varchar(length=20)
