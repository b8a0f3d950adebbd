"""A user's custom fields (شاخص‌ها): defining, renaming, changing options, deleting.

What a value of each kind may be is in :mod:`payamak_phonebook.fields`.
"""

from __future__ import annotations

from typing import Any

from payamak.db import writing
from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_phonebook.fields import MAX_NAME, clean_text, parse_options
from payamak_phonebook.ownership import own_row
from payamak_phonebook.search import fold
from payamak_phonebook.tables import FIELD_KINDS, ContactField, ContactValue

# Column titles of the CSV files (in either language); a custom field may not take them.
RESERVED_NAMES = {fold(n) for n in ("name", "mobile", "number", "groups", "group", "نام", "موبایل", "شماره", "گروه", "گروه‌ها")}


async def list_fields(user: User) -> list[ContactField]:
    """The user's custom fields in display order."""
    return (
        await scoped(ContactField, user.tenant)
        .objects()
        .where(ContactField.owner == user.id)
        .order_by(ContactField.sort_order, ContactField.id)
        .output(load_json=True)
    )


async def user_field(user: User, field_id: Any) -> ContactField:
    """One of the user's fields, or NotFound."""
    return await own_row(ContactField, user, field_id, "field")


def _field_name(raw: Any) -> str:
    name = clean_text(raw, MAX_NAME)
    if not name:
        raise DomainError("phonebook.field_name", _("Give the field a name."))
    if fold(name) in RESERVED_NAMES:
        raise DomainError("phonebook.field_reserved", _("“%(name)s” is a column of every contact already; choose another name."), name=name)
    if "," in name or "،" in name:
        raise DomainError("phonebook.field_comma", _("A field name cannot contain a comma."))
    return name


async def _check_field_name(user: User, name: str, field_id: int | None = None) -> None:
    query = scoped(ContactField, user.tenant).objects().where((ContactField.owner == user.id) & (ContactField.name == name))
    if field_id is not None:
        query = query.where(ContactField.id != field_id)
    if await query.first() is not None:
        raise DomainError("phonebook.field_exists", _("You already have a field named “%(name)s”."), name=name)


def _options(kind: str, raw: Any) -> list[str]:
    if kind != "choice":
        return []
    options = parse_options(raw)
    if not options:
        raise DomainError("phonebook.field_options", _("A choice field needs at least one option (one a line)."))
    return options


async def create_field(user: User, name: Any, kind: Any, options: Any = "") -> ContactField:
    """Add a field to every contact of the user's phonebook."""
    name = _field_name(name)
    kind = str(kind or "text")
    if kind not in FIELD_KINDS:
        raise DomainError("phonebook.field_kind", _("Choose the kind of the field."))
    await _check_field_name(user, name)
    count = await scoped(ContactField, user.tenant).count().where(ContactField.owner == user.id)
    return await scoped(ContactField, user.tenant).create(
        owner=user.id, name=name, kind=kind, options=_options(kind, options), sort_order=count
    )


async def update_field(user: User, field_id: Any, name: Any, options: Any = "") -> ContactField:
    """Rename a field and, for a choice, change its options (the kind stays; values already stored stay)."""
    row = await user_field(user, field_id)
    name = _field_name(name)
    await _check_field_name(user, name, row.id)
    await (
        scoped(ContactField, user.tenant)
        .update({ContactField.name: name, ContactField.options: _options(row.kind, options)})
        .where(ContactField.id == row.id)
    )
    return await user_field(user, row.id)


async def delete_field(user: User, field_id: Any) -> None:
    """Remove a field and its values from every contact (their search text is rebuilt)."""
    from payamak_phonebook.services import refresh_search_text

    row = await user_field(user, field_id)
    async with writing():
        affected = await scoped(ContactValue, user.tenant).select(ContactValue.contact).where(ContactValue.field == row.id)
        await scoped(ContactValue, user.tenant).delete().where(ContactValue.field == row.id)
        await scoped(ContactField, user.tenant).delete().where(ContactField.id == row.id)
        ids = [r["contact"] for r in affected]
        for start in range(0, len(ids), 500):
            await refresh_search_text(user, ids[start : start + 500])
