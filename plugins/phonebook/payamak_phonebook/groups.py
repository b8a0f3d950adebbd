"""A user's groups: creating, renaming, deleting, counting; contacts are filed in several."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from piccolo.query.functions.aggregate import Count

from payamak.db import writing
from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_phonebook.fields import MAX_NAME, clean_text
from payamak_phonebook.ownership import own_row
from payamak_phonebook.tables import ContactGroup, Membership


def _group_name(raw: Any) -> str:
    name = clean_text(raw, MAX_NAME)
    if not name:
        raise DomainError("phonebook.group_name", _("Give the group a name."))
    if "," in name or "،" in name:
        raise DomainError("phonebook.group_comma", _("A group name cannot contain a comma (the CSV files separate groups with commas)."))
    return name


async def _check_group_name(user: User, name: str, group_id: int | None = None) -> None:
    query = scoped(ContactGroup, user.tenant).objects().where((ContactGroup.owner == user.id) & (ContactGroup.name == name))
    if group_id is not None:
        query = query.where(ContactGroup.id != group_id)
    if await query.first() is not None:
        raise DomainError("phonebook.group_exists", _("You already have a group named “%(name)s”."), name=name)


async def list_groups(user: User) -> list[dict[str, Any]]:
    """The user's groups by name, each with its number of contacts: ``[{id, name, count}]``."""
    groups = (
        await scoped(ContactGroup, user.tenant)
        .select(ContactGroup.id, ContactGroup.name)
        .where(ContactGroup.owner == user.id)
        .order_by(ContactGroup.name)
    )
    if not groups:
        return []
    counts = (
        await scoped(Membership, user.tenant)
        .select(Membership.contact_group, Count(alias="n"))
        .where(Membership.contact_group.is_in([g["id"] for g in groups]))
        .group_by(Membership.contact_group)
    )
    by_group = {row["contact_group"]: row["n"] for row in counts}
    return [{"id": g["id"], "name": g["name"], "count": by_group.get(g["id"], 0)} for g in groups]


async def user_group(user: User, group_id: Any) -> ContactGroup:
    """One of the user's groups, or NotFound."""
    return await own_row(ContactGroup, user, group_id, "group")


async def create_group(user: User, name: Any) -> ContactGroup:
    """A new group (names are unique in a phonebook and may not hold commas)."""
    name = _group_name(name)
    await _check_group_name(user, name)
    return await scoped(ContactGroup, user.tenant).create(owner=user.id, name=name)


async def rename_group(user: User, group_id: Any, name: Any) -> ContactGroup:
    """Give one of the user's groups another (unique) name."""
    row = await user_group(user, group_id)
    name = _group_name(name)
    await _check_group_name(user, name, row.id)
    await scoped(ContactGroup, user.tenant).update({ContactGroup.name: name}).where(ContactGroup.id == row.id)
    row.name = name
    return row


async def delete_group(user: User, group_id: Any) -> None:
    """Delete a group; its contacts stay in the phonebook (and in their other groups)."""
    row = await user_group(user, group_id)
    async with writing():
        await scoped(Membership, user.tenant).delete().where(Membership.contact_group == row.id)
        await scoped(ContactGroup, user.tenant).delete().where(ContactGroup.id == row.id)


async def own_group_ids(user: User, group_ids: Iterable[Any]) -> list[int]:
    """``group_ids`` as ints, every one the user's (NotFound otherwise)."""
    try:
        ids = sorted({int(g) for g in group_ids})
    except (TypeError, ValueError):
        raise NotFound("group") from None
    if ids:
        found = await scoped(ContactGroup, user.tenant).count().where((ContactGroup.owner == user.id) & ContactGroup.id.is_in(ids))
        if found != len(ids):
            raise NotFound("group")
    return ids
