"""Indexes of the billing plugin that Piccolo's columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from payamak.db import engine

ID = "2026-11-27T06:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "billing indexes"

STATEMENTS = [
    # Invoice numbers are sequential per tenant and never repeat.
    "CREATE UNIQUE INDEX IF NOT EXISTS billing_invoice_tenant_number ON billing_invoice (tenant, number)",
    "CREATE INDEX IF NOT EXISTS billing_invoice_tenant_user_status ON billing_invoice (tenant, \"user\", status)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def create():
        db = engine()
        for statement in STATEMENTS:
            await db.run_ddl(statement)

    manager.add_raw(create)
    return manager
