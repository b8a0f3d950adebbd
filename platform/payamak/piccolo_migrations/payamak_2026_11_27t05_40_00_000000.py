"""Usernames are unique per tenant, and among platform admins (tenant IS NULL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from payamak.db import engine

ID = "2026-11-27T05:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique usernames per tenant"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payamak", description=DESCRIPTION)

    async def unique_usernames():
        db = engine()
        await db.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS account_tenant_username ON account (tenant, username) WHERE tenant IS NOT NULL")
        await db.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS account_platform_username ON account (username) WHERE tenant IS NULL")

    manager.add_raw(unique_usernames)
    return manager
