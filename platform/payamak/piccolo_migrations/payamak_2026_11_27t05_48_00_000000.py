"""Indexes and constraints of the messaging core that Piccolo's columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from payamak.db import engine

ID = "2026-11-27T05:48:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "messaging indexes and constraints"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS recipient_job_status ON recipient (job, status)",
    "CREATE INDEX IF NOT EXISTS recipient_connection_message ON recipient (connection, message_id)",
    "CREATE INDEX IF NOT EXISTS recipient_tenant_number ON recipient (tenant, number)",
    "CREATE UNIQUE INDEX IF NOT EXISTS opt_out_tenant_number ON opt_out (tenant, number)",
    "CREATE UNIQUE INDEX IF NOT EXISTS sms_price_key ON sms_price (tenant, line_kind, encoding)",
]
POSTGRES_ONLY = [
    # A second wall behind the conditional updates: a balance can never go negative.
    "ALTER TABLE credit_account ADD CONSTRAINT credit_account_available_nonnegative CHECK (available >= 0)",
    "ALTER TABLE credit_account ADD CONSTRAINT credit_account_reserved_nonnegative CHECK (reserved >= 0)",
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
