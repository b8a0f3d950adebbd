from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Tenant(Table, tablename="tenant", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class User(Table, tablename="account", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-27T05:55:53:966271"
VERSION = "1.38.0"
DESCRIPTION = "message boxes: templates (saved texts) of customers; indexes that read the boxes newest first"

# PostgreSQL: the boxes read a send's rows, and an owner's inbox, newest first in chunks ("id < last ORDER BY id
# DESC"); without these the planner sorts every remaining row for each chunk. SQLite needs none: its indexes on
# recipient(job) and inbound_message(owner) already end with the rowid.
POSTGRES_INDEXES = [
    "CREATE INDEX IF NOT EXISTS recipient_job_id ON recipient (job, id)",
    "CREATE INDEX IF NOT EXISTS inbound_message_owner_folder_id ON inbound_message (owner, folder, id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payamak", description=DESCRIPTION)

    manager.add_table(
        class_name="Template",
        tablename="message_template",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="Template",
        tablename="message_template",
        column_name="tenant",
        db_column_name="tenant",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Tenant,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Template",
        tablename="message_template",
        column_name="user",
        db_column_name="user",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": User,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Template",
        tablename="message_template",
        column_name="text",
        db_column_name="text",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Template",
        tablename="message_template",
        column_name="created_at",
        db_column_name="created_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def indexes():
        from piccolo.engine.postgres import PostgresEngine

        from payamak.db import engine

        db = engine()
        if isinstance(db, PostgresEngine):
            for statement in POSTGRES_INDEXES:
                await db.run_ddl(statement)

    manager.add_raw(indexes)

    return manager
