"""The database: one Piccolo engine for SQLite or PostgreSQL, transactions, migrations."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from payamak.settings import Settings, get_settings

PICCOLO_CONF = "payamak.piccolo_conf"


def make_engine(settings: Settings) -> Engine:
    """The Piccolo engine the database URL names."""
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: writers wait for the lock instead of failing at once.
        return SQLiteEngine(path=str(path), timeout=30)
    parsed = urlparse(settings.database_url)
    config: dict[str, Any] = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "database": parsed.path.lstrip("/"),
        "user": unquote(parsed.username) if parsed.username else "postgres",
    }
    if parsed.password:
        config["password"] = unquote(parsed.password)
    return PostgresEngine(config=config)


def use_piccolo_conf() -> None:
    """Point Piccolo at the core's configuration module (tables find their engine there)."""
    os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF)


def engine() -> Engine:
    """The process-wide engine, as Piccolo's tables see it."""
    from payamak import piccolo_conf

    return piccolo_conf.DB


@asynccontextmanager
async def writing() -> AsyncIterator[Any]:
    """A writing transaction: IMMEDIATE on SQLite so concurrent writers queue, not fail."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    else:
        async with db.transaction() as tx:
            yield tx


async def prepare_sqlite() -> None:
    """Switch a SQLite database to WAL once (readers do not block the writer)."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        await db.run_ddl("PRAGMA journal_mode=WAL")


async def start_pool(min_size: int = 1, max_size: int = 10) -> None:
    """Open the PostgreSQL connection pool on the running event loop (no-op on SQLite)."""
    db = engine()
    if isinstance(db, PostgresEngine) and db.pool is None:
        await db.start_connection_pool(min_size=min_size, max_size=max_size)


async def close_pool() -> None:
    """Close the pool opened by :func:`start_pool`."""
    db = engine()
    if isinstance(db, PostgresEngine) and db.pool is not None:
        await db.close_connection_pool()
        db.pool = None


async def migrate() -> None:
    """Apply every app's migrations; safe to run twice and from several replicas at once."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    use_piccolo_conf()
    await prepare_sqlite()
    db = engine()
    if isinstance(db, PostgresEngine):
        # One migrator at a time across replicas: a session-level advisory lock.
        import asyncpg

        conn = await asyncpg.connect(**db.config)
        try:
            await conn.execute("SELECT pg_advisory_lock(727272)")
            result = await run_forwards(app_name="all", migration_id="all", fake=False)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(727272)")
            await conn.close()
    else:
        result = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")


__all__ = ["engine", "get_settings", "make_engine", "migrate", "writing"]


def is_postgres() -> bool:
    """Whether the engine is PostgreSQL (some statements differ from SQLite's)."""
    return isinstance(engine(), PostgresEngine)


def current_connection() -> Any:
    """The driver connection of the running transaction (for bulk inserts); fails outside one."""
    tx = engine().current_transaction.get()
    if tx is None:
        raise RuntimeError("current_connection() needs a transaction")
    return tx.connection


async def bulk_insert(table: str, columns: list[str], rows: Any, chunk: int = 5000) -> int:
    """Insert an iterable of tuples inside the running transaction, a chunk at a time.

    PostgreSQL uses COPY; SQLite uses executemany. Rows are consumed lazily, so a million
    rows never sit in memory at once. Returns the number of rows inserted.
    """
    conn = current_connection()
    total = 0
    batch: list[tuple[Any, ...]] = []

    async def flush() -> None:
        if not batch:
            return
        if is_postgres():
            await conn.copy_records_to_table(table, records=batch, columns=columns)
        else:
            marks = ", ".join("?" for _ in columns)
            await conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch)

    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            await flush()
            total += len(batch)
            batch = []
    await flush()
    total += len(batch)
    return total


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run a raw statement with ``{}`` placeholders (Piccolo style) and return its rows."""
    from piccolo.querystring import QueryString

    return await engine().run_querystring(QueryString(sql, *args))
