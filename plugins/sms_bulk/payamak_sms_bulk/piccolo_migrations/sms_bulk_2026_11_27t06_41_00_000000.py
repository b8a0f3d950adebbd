"""Indexes of the segment queries (every one starts with the database) and unique grants."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-27T06:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "segment indexes of bulk numbers and unique grants"

INDEXES = (
    "CREATE INDEX IF NOT EXISTS bulk_number_db_number ON bulk_number (database, number)",
    "CREATE INDEX IF NOT EXISTS bulk_number_db_area ON bulk_number (database, area, active)",
    "CREATE INDEX IF NOT EXISTS bulk_number_db_suburb ON bulk_number (database, suburb, active)",
    "CREATE INDEX IF NOT EXISTS bulk_number_db_guild ON bulk_number (database, guild, active)",
    "CREATE INDEX IF NOT EXISTS bulk_number_db_city ON bulk_number (database, province, city, active)",
    "CREATE INDEX IF NOT EXISTS bulk_number_db_postal5 ON bulk_number (database, postal5, active)",
    "CREATE UNIQUE INDEX IF NOT EXISTS bulk_grant_tenant_database ON bulk_grant (tenant, database)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sms_bulk", description=DESCRIPTION)

    async def create():
        from payamak.db import engine

        db = engine()
        for statement in INDEXES:
            await db.run_ddl(statement)

    manager.add_raw(create)
    return manager
