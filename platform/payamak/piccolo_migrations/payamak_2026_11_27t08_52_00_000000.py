"""Constraints of tenants' wholesale balances that Piccolo's columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from payamak.db import engine

ID = "2026-11-27T08:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "wholesale indexes and constraints"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS wholesale_price_key ON wholesale_price (tenant, line_kind, encoding)",
]
POSTGRES_ONLY = [
    "ALTER TABLE wholesale_account ADD CONSTRAINT wholesale_account_available_nonnegative CHECK (available >= 0)",
    "ALTER TABLE wholesale_account ADD CONSTRAINT wholesale_account_reserved_nonnegative CHECK (reserved >= 0)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payamak", description=DESCRIPTION)

    async def create():
        db = engine()
        for statement in STATEMENTS:
            await db.run_ddl(statement)
        if isinstance(db, PostgresEngine):
            for statement in POSTGRES_ONLY:
                await db.run_ddl(statement)

    manager.add_raw(create)
    return manager
