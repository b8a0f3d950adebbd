"""Rows a user owns: fetched by id, or NotFound (another user's or tenant's id is a 404)."""

from __future__ import annotations

from typing import Any

from payamak.errors import NotFound
from payamak.tables import User
from payamak.tenancy import scoped


async def own_row(table: Any, user: User, row_id: Any, what: str) -> Any:
    """The row ``row_id`` of a table the user owns rows of (JSON loaded), or NotFound."""
    try:
        row_id = int(row_id)
    except (TypeError, ValueError):
        raise NotFound(what) from None
    row = await scoped(table, user.tenant).objects().where((table.id == row_id) & (table.owner == user.id)).output(load_json=True).first()
    if row is None:
        raise NotFound(what)
    return row
