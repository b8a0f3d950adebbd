"""Announcements: posted by tenant admins, shown on their customers' dashboards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.tables import Announcement
from payamak.tenancy import scoped


def _clean(values: dict[str, Any]) -> dict[str, str]:
    title = str(values.get("title", "")).strip()
    body = str(values.get("body", "")).strip()
    if not title:
        raise DomainError("announcement.title_required", _("The announcement needs a title."))
    if len(title) > 200:
        raise DomainError("announcement.title_too_long", _("The title may be at most 200 characters."))
    return {"title": title, "body": body}


async def latest(limit: int = 5) -> list[Announcement]:
    """The tenant's newest announcements."""
    return (
        await scoped(Announcement)
        .objects()
        .order_by(Announcement.created_at, ascending=False)
        .order_by(Announcement.id, ascending=False)
        .limit(limit)
    )


async def get(announcement_id: Any) -> Announcement:
    row = await scoped(Announcement).get(announcement_id)
    if row is None:
        raise NotFound("announcement")
    return row


async def create(values: dict[str, Any], author_id: int) -> Announcement:
    """Post an announcement in the current tenant."""
    return await scoped(Announcement).create(author=author_id, **_clean(values))


async def update(announcement_id: Any, values: dict[str, Any]) -> Announcement:
    row = await get(announcement_id)
    cleaned = _clean(values)
    await (
        scoped(Announcement)
        .update({Announcement.title: cleaned["title"], Announcement.body: cleaned["body"], Announcement.updated_at: datetime.now(UTC)})
        .where(Announcement.id == row.id)
    )
    return await get(row.id)


async def delete(announcement_id: Any) -> None:
    row = await get(announcement_id)
    await scoped(Announcement).delete().where(Announcement.id == row.id)
