"""Upserts of many rows in one statement prepared once (``executemany``), inside the running transaction.

Building a Piccolo row object and a query string for each of 100,000 imported contacts costs
several times what the database does with them; here rows are plain tuples. This is raw SQL,
so callers put the tenant into every row themselves (the import takes it from the user).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from payamak.db import current_connection, is_postgres


def _sql(table: str, columns: Sequence[str], conflict: Sequence[str], update: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1)) if is_postgres() else ", ".join("?" for _ in columns)
    target = ", ".join(f'"{c}"' for c in conflict)
    action = "DO UPDATE SET " + ", ".join(f'"{c}" = excluded."{c}"' for c in update) if update else "DO NOTHING"
    return f'INSERT INTO "{table}" ({names}) VALUES ({marks}) ON CONFLICT ({target}) {action}'


async def upsert(
    table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], conflict: Sequence[str], update: Sequence[str] = ()
) -> None:
    """Insert ``rows``; a row whose ``conflict`` key exists updates the ``update`` columns (or is skipped)."""
    if rows:
        await current_connection().executemany(_sql(table, columns, conflict, update), list(rows))
