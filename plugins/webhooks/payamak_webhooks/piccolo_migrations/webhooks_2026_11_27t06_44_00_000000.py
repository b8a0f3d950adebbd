"""Indexes of the webhooks that Piccolo's columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from payamak.db import engine

ID = "2026-11-27T06:44:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "webhook indexes: one delivery per endpoint and source, the due outbox, the report scan"

STATEMENTS = [
    # The same event (an incoming message, a recipient's status) is queued at most once per endpoint.
    "CREATE UNIQUE INDEX IF NOT EXISTS webhook_delivery_source ON webhook_delivery (endpoint, source_key)",
    "CREATE INDEX IF NOT EXISTS webhook_delivery_due ON webhook_delivery (status, next_attempt_at)",
    # The delivery-report collector scans recipient rows of a tenant by done_at.
    "CREATE INDEX IF NOT EXISTS webhooks_recipient_done ON recipient (tenant, done_at, id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)

    async def create():
        db = engine()
        for statement in STATEMENTS:
            await db.run_ddl(statement)

    manager.add_raw(create)
    return manager
