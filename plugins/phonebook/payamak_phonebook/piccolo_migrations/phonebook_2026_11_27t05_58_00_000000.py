"""Unique keys of the phonebook that Piccolo's columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from payamak.db import engine

ID = "2026-11-27T05:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "phonebook unique keys"

# Names end in _key / _idx: Piccolo names its one-column indexes <table>_<column>, and
# "IF NOT EXISTS" would silently skip a unique index whose name one of those took.
STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS phonebook_contact_number_key ON phonebook_contact (owner, number)",
    "CREATE INDEX IF NOT EXISTS phonebook_contact_name_idx ON phonebook_contact (owner, name)",
    "CREATE UNIQUE INDEX IF NOT EXISTS phonebook_group_name_key ON phonebook_group (owner, name)",
    "CREATE UNIQUE INDEX IF NOT EXISTS phonebook_field_name_key ON phonebook_field (owner, name)",
    "CREATE UNIQUE INDEX IF NOT EXISTS phonebook_value_key ON phonebook_value (contact, field)",
    "CREATE UNIQUE INDEX IF NOT EXISTS phonebook_membership_key ON phonebook_membership (contact, contact_group)",
    "CREATE INDEX IF NOT EXISTS phonebook_import_status_idx ON phonebook_import (status)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="phonebook", description=DESCRIPTION)

    async def create():
        db = engine()
        for statement in STATEMENTS:
            await db.run_ddl(statement)

    manager.add_raw(create)
    return manager
