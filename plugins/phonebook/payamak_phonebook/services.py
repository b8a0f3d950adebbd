"""The phonebook's logic: contacts of one user (no HTTP here); groups and custom fields are in
:mod:`~payamak_phonebook.groups` and :mod:`~payamak_phonebook.custom_fields`, re-exported here.

Every function takes the user whose phonebook it works on; rows of other users and other
tenants do not exist for it (:class:`~payamak.errors.NotFound`, which pages and the API turn
into 404).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from payamak.db import writing
from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.messaging.numbers import normalise
from payamak.tables import User
from payamak.tenancy import scoped

# Groups and custom fields are part of this module's surface (pages and the API call them here).
from payamak_phonebook.custom_fields import create_field as create_field
from payamak_phonebook.custom_fields import delete_field as delete_field
from payamak_phonebook.custom_fields import list_fields
from payamak_phonebook.custom_fields import update_field as update_field
from payamak_phonebook.custom_fields import user_field as user_field
from payamak_phonebook.fields import clean_text, parse_value
from payamak_phonebook.groups import create_group as create_group
from payamak_phonebook.groups import delete_group as delete_group
from payamak_phonebook.groups import list_groups as list_groups
from payamak_phonebook.groups import own_group_ids, user_group
from payamak_phonebook.groups import rename_group as rename_group
from payamak_phonebook.ownership import own_row
from payamak_phonebook.search import display_number, matches, query_pattern, search_text
from payamak_phonebook.tables import Contact, ContactValue, Membership

PAGE_SIZE = 50


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


# --- contacts ------------------------------------------------------------------------------


@dataclass
class ContactInput:
    """What a form or the API gives for a contact; ``None`` leaves groups or values as they are.

    ``values`` maps field ids to what was typed; an empty text clears that value.
    """

    name: str = ""
    number: str = ""
    group_ids: list[Any] | None = None
    values: dict[int, Any] | None = field(default=None)


async def user_contact(user: User, contact_id: Any) -> Contact:
    """One of the user's contacts, or NotFound."""
    return await own_row(Contact, user, contact_id, "contact")


async def own_contact_ids(user: User, contact_ids: Iterable[Any]) -> list[int]:
    """``contact_ids`` as ints, every one the user's (NotFound otherwise)."""
    try:
        ids = sorted({int(c) for c in contact_ids})
    except (TypeError, ValueError):
        raise NotFound("contact") from None
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found = await scoped(Contact, user.tenant).count().where((Contact.owner == user.id) & Contact.id.is_in(chunk))
        if found != len(chunk):
            raise NotFound("contact")
    return ids


class DuplicateNumber(DomainError):
    """The number is in the user's phonebook already."""

    def __init__(self, number: str, name: str) -> None:
        super().__init__(
            "phonebook.duplicate_number",
            _("%(number)s is already in your phonebook (“%(name)s”)."),
            status_code=409,
            number=display_number(number),
            name=name or display_number(number),
        )


async def save_contact(user: User, data: ContactInput, contact: Contact | None = None) -> Contact:
    """Create a contact, or update ``contact``: number normalised and unique, values checked, groups filed."""
    name = clean_text(data.name, 200)
    number = normalise(str(data.number or ""))
    fields = {f.id: f for f in await list_fields(user)}
    values: dict[int, str | None] = {}
    for field_id, raw in (data.values or {}).items():
        spec = fields.get(int(field_id))
        if spec is None:
            raise NotFound("field")
        values[spec.id] = parse_value(spec.name, spec.kind, spec.options or [], raw)
    group_ids = None if data.group_ids is None else await own_group_ids(user, data.group_ids)
    same = await scoped(Contact, user.tenant).objects().where((Contact.owner == user.id) & (Contact.number == number)).first()
    if same is not None and (contact is None or same.id != contact.id):
        raise DuplicateNumber(number, same.name)
    async with writing():
        if contact is None:
            contact = await scoped(Contact, user.tenant).create(owner=user.id, name=name, number=number)
        else:
            await (
                scoped(Contact, user.tenant)
                .update({Contact.name: name, Contact.number: number, Contact.updated_at: now()})
                .where(Contact.id == contact.id)
            )
            contact.name, contact.number = name, number
        await _write_values(user, contact.id, values)
        if group_ids is not None:
            await _set_groups(user, contact.id, group_ids)
        await refresh_search_text(user, [contact.id])
    return contact


async def _write_values(user: User, contact_id: int, values: dict[int, str | None]) -> None:
    cleared = [fid for fid, v in values.items() if v is None]
    if cleared:
        await scoped(ContactValue, user.tenant).delete().where((ContactValue.contact == contact_id) & ContactValue.field.is_in(cleared))
    rows = [scoped(ContactValue, user.tenant).new(contact=contact_id, field=fid, value=v) for fid, v in values.items() if v is not None]
    if rows:
        await (
            ContactValue.insert(*rows)
            .on_conflict(target=(ContactValue.contact, ContactValue.field), action="DO UPDATE", values=[ContactValue.value])
            .run()
        )


async def _set_groups(user: User, contact_id: int, group_ids: list[int]) -> None:
    query = scoped(Membership, user.tenant).delete().where(Membership.contact == contact_id)
    if group_ids:
        query = query.where(Membership.contact_group.not_in(group_ids))
    await query
    await add_to_group_ids(user, [contact_id], group_ids)


async def add_to_group_ids(user: User, contact_ids: list[int], group_ids: list[int]) -> None:
    """File contacts in groups (ids already checked as the user's); existing memberships stay."""
    rows = [scoped(Membership, user.tenant).new(contact=c, contact_group=g) for c in contact_ids for g in group_ids]
    for start in range(0, len(rows), 1000):
        await Membership.insert(*rows[start : start + 1000]).on_conflict(action="DO NOTHING").run()


async def refresh_search_text(user: User, contact_ids: list[int]) -> None:
    """Rebuild the search text of some contacts from their name, number and values."""
    if not contact_ids:
        return
    contacts = await scoped(Contact, user.tenant).select(Contact.id, Contact.name, Contact.number).where(Contact.id.is_in(contact_ids))
    values = await values_of(user, contact_ids)
    for row in contacts:
        text = search_text(row["name"], row["number"], values.get(row["id"], {}).values())
        await scoped(Contact, user.tenant).update({Contact.search_text: text}).where(Contact.id == row["id"])


async def values_of(user: User, contact_ids: list[int]) -> dict[int, dict[int, str]]:
    """``{contact_id: {field_id: value}}`` for some contacts."""
    out: dict[int, dict[int, str]] = {}
    if not contact_ids:
        return out
    rows = (
        await scoped(ContactValue, user.tenant)
        .select(ContactValue.contact, ContactValue.field, ContactValue.value)
        .where(ContactValue.contact.is_in(contact_ids))
    )
    for row in rows:
        out.setdefault(row["contact"], {})[row["field"]] = row["value"]
    return out


async def groups_of(user: User, contact_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """``{contact_id: [{id, name}]}`` for some contacts, groups by name."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not contact_ids:
        return out
    rows = (
        await scoped(Membership, user.tenant)
        .select(Membership.contact, Membership.contact_group.id.as_alias("gid"), Membership.contact_group.name.as_alias("gname"))
        .where(Membership.contact.is_in(contact_ids))
        .order_by(Membership.contact_group.name)
    )
    for row in rows:
        out.setdefault(row["contact"], []).append({"id": row["gid"], "name": row["gname"]})
    return out


async def delete_contacts(user: User, contact_ids: Iterable[Any]) -> int:
    """Delete some of the user's contacts (all must be the user's); returns how many."""
    ids = await own_contact_ids(user, contact_ids)
    async with writing():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            await scoped(ContactValue, user.tenant).delete().where(ContactValue.contact.is_in(chunk))
            await scoped(Membership, user.tenant).delete().where(Membership.contact.is_in(chunk))
            await scoped(Contact, user.tenant).delete().where((Contact.owner == user.id) & Contact.id.is_in(chunk))
    return len(ids)


async def add_to_group(user: User, contact_ids: Iterable[Any], group_id: Any) -> int:
    """File some contacts in a group; returns how many were chosen."""
    group = await user_group(user, group_id)
    ids = await own_contact_ids(user, contact_ids)
    async with writing():
        await add_to_group_ids(user, ids, [group.id])
    return len(ids)


async def remove_from_group(user: User, contact_ids: Iterable[Any], group_id: Any) -> int:
    """Take some contacts out of a group (they stay in the phonebook)."""
    group = await user_group(user, group_id)
    ids = await own_contact_ids(user, contact_ids)
    for start in range(0, len(ids), 500):
        await (
            scoped(Membership, user.tenant)
            .delete()
            .where((Membership.contact_group == group.id) & Membership.contact.is_in(ids[start : start + 500]))
        )
    return len(ids)


def contacts_query(user: User, query: str = "", group_id: int | None = None, columns: tuple[Any, ...] = ()) -> Any:
    """A select of the user's contacts matching a search text and, optionally, in a group."""
    select = scoped(Contact, user.tenant).select(*columns).where(Contact.owner == user.id)
    return _filtered(select, user, query, group_id)


def _filtered(select: Any, user: User, query: str, group_id: int | None) -> Any:
    pattern = query_pattern(query)
    if pattern:
        select = select.where(matches(pattern))
    if group_id is not None:
        members = scoped(Membership, user.tenant).select(Membership.contact).where(Membership.contact_group == group_id)
        select = select.where(Contact.id.is_in(members))
    return select


async def find_contacts(
    user: User, query: str = "", group_id: Any = None, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[list[dict], int]:
    """One page of the user's contacts matching ``query`` (name, number, field text), in a group or
    not, by name; and how many match in all."""
    gid = (await user_group(user, group_id)).id if group_id not in (None, "") else None
    rows = (
        await contacts_query(user, query, gid, (Contact.id, Contact.name, Contact.number, Contact.created_at, Contact.updated_at))
        .order_by(Contact.name, Contact.id)
        .offset(max(offset, 0))
        .limit(limit)
    )
    total = await _filtered(scoped(Contact, user.tenant).count().where(Contact.owner == user.id), user, query, gid)
    return rows, total


async def describe(user: User, rows: list[dict]) -> list[dict[str, Any]]:
    """Contact rows with their values (``{field_id: value}``), groups and displayed number."""
    ids = [r["id"] for r in rows]
    values, groups = await values_of(user, ids), await groups_of(user, ids)
    return [
        {**r, "display": display_number(r["number"]), "values": values.get(r["id"], {}), "groups": groups.get(r["id"], [])} for r in rows
    ]
