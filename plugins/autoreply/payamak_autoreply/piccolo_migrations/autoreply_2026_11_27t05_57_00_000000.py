"""Indexes and constraints of auto-reply that Piccolo's columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from payamak.db import engine

ID = "2026-11-27T05:57:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "auto-reply indexes: one default per owner and line, keyword lookup, rate limit"

STATEMENTS = [
    # At most one default responder per owner and line (6-3), also under concurrent saves.
    "CREATE UNIQUE INDEX IF NOT EXISTS autoreply_default_per_line ON autoreply_responder (owner, line) WHERE kind = 'default'",
    "CREATE INDEX IF NOT EXISTS autoreply_keyword_lookup ON autoreply_keyword (tenant, normalised)",
    "CREATE INDEX IF NOT EXISTS autoreply_reply_rate ON autoreply_reply (line, sender, created_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="autoreply", description=DESCRIPTION)

    async def create():
        db = engine()
        for statement in STATEMENTS:
            await db.run_ddl(statement)

    manager.add_raw(create)
    return manager
