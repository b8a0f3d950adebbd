"""``/api/v1/contacts`` and ``/api/v1/groups``: the phonebook for web-service clients.

Custom values are keyed by the field's name (``{"تولد": "1370/01/01"}``); numbers are given in
any form and returned as ``98912…``. Errors are JSON (``{"error": {"code", "message"}}``);
another user's or tenant's ids answer 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, delete, get, patch, post, route
from litestar.params import FromPath, FromQuery
from msgspec import Struct

from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.tables import User
from payamak.web.guards import API_CUSTOMER
from payamak_phonebook import services
from payamak_phonebook.services import ContactInput


class ContactIn(Struct):
    """A new contact: ``number`` in any form; ``groups`` are group ids; ``fields`` by field name."""

    number: str
    name: str = ""
    groups: list[int] = []
    fields: dict[str, str] = {}


class ContactChange(Struct):
    """Changes to a contact: what is left out stays; ``groups`` replaces the list; an empty field value clears it."""

    number: str | None = None
    name: str | None = None
    groups: list[int] | None = None
    fields: dict[str, str] | None = None


class GroupIn(Struct):
    name: str


def _required(data: Any) -> Any:
    # Bodies of id routes are optional in the signature so that another user's id answers 404
    # whatever the body; a missing body on one's own id is a 400 here.
    if data is None:
        raise DomainError("bad_request", _("A JSON body is required."))
    return data


async def _field_ids(user: User, fields: dict[str, str] | None) -> dict[int, Any] | None:
    if fields is None:
        return None
    by_name = {f.name: f.id for f in await services.list_fields(user)}
    unknown = [name for name in fields if name not in by_name]
    if unknown:
        raise DomainError("phonebook.unknown_field", _("“%(name)s” is not one of your fields."), name=unknown[0])
    return {by_name[name]: value for name, value in fields.items()}


async def contact_json(user: User, rows: list[dict]) -> list[dict[str, Any]]:
    """Contacts as the API shows them."""
    names = {f.id: f.name for f in await services.list_fields(user)}
    return [
        {
            "id": c["id"],
            "name": c["name"],
            "number": c["number"],
            "groups": [g["id"] for g in c["groups"]],
            "fields": {names[fid]: value for fid, value in c["values"].items() if fid in names},
            "created_at": c["created_at"].isoformat(),
            "updated_at": c["updated_at"].isoformat(),
        }
        for c in await services.describe(user, rows)
    ]


async def _one(user: User, contact_id: int) -> dict[str, Any]:
    contact = await services.user_contact(user, contact_id)
    return (await contact_json(user, [contact.to_dict()]))[0]


@get("/api/v1/contacts", guards=API_CUSTOMER, tags=["phonebook"])
async def list_contacts(
    request: Request, q: FromQuery[str] = "", group: FromQuery[int | None] = None, offset: FromQuery[int] = 0, limit: FromQuery[int] = 100
) -> dict[str, Any]:
    """The caller's contacts by name, searched (``q``: name, number or field text) and/or in a group; paged (``limit`` ≤ 1000)."""
    user = request.state.user
    rows, total = await services.find_contacts(user, q, group, max(offset, 0), min(max(limit, 1), 1000))
    return {"total": total, "offset": max(offset, 0), "items": await contact_json(user, rows)}


@post("/api/v1/contacts", guards=API_CUSTOMER, tags=["phonebook"], status_code=201)
async def create_contact(request: Request, data: ContactIn) -> dict[str, Any]:
    """Add a contact; a number already in the phonebook is refused (409)."""
    user = request.state.user
    values = await _field_ids(user, data.fields)
    contact = await services.save_contact(user, ContactInput(data.name, data.number, data.groups, values))
    return await _one(user, contact.id)


@get("/api/v1/contacts/{contact_id:int}", guards=API_CUSTOMER, tags=["phonebook"])
async def get_contact(request: Request, contact_id: FromPath[int]) -> dict[str, Any]:
    """One contact."""
    return await _one(request.state.user, contact_id)


@route("/api/v1/contacts/{contact_id:int}", http_method=["PUT", "PATCH"], guards=API_CUSTOMER, tags=["phonebook"])
async def update_contact(request: Request, contact_id: FromPath[int], data: ContactChange | None = None) -> dict[str, Any]:
    """Change a contact (PUT and PATCH alike: fields left out stay as they are)."""
    user = request.state.user
    contact = await services.user_contact(user, contact_id)
    data = _required(data)
    values = await _field_ids(user, data.fields)
    change = ContactInput(
        contact.name if data.name is None else data.name,
        contact.number if data.number is None else data.number,
        data.groups,
        values,
    )
    await services.save_contact(user, change, contact)
    return await _one(user, contact.id)


@delete("/api/v1/contacts/{contact_id:int}", guards=API_CUSTOMER, tags=["phonebook"])
async def delete_contact(request: Request, contact_id: FromPath[int]) -> None:
    """Delete a contact."""
    await services.delete_contacts(request.state.user, [contact_id])


@get("/api/v1/groups", guards=API_CUSTOMER, tags=["phonebook"])
async def list_groups(request: Request) -> list[dict[str, Any]]:
    """The caller's groups with their number of contacts."""
    return await services.list_groups(request.state.user)


@post("/api/v1/groups", guards=API_CUSTOMER, tags=["phonebook"], status_code=201)
async def create_group(request: Request, data: GroupIn) -> dict[str, Any]:
    """Create a group (names are unique in a phonebook)."""
    group = await services.create_group(request.state.user, data.name)
    return {"id": group.id, "name": group.name, "count": 0}


@patch("/api/v1/groups/{group_id:int}", guards=API_CUSTOMER, tags=["phonebook"])
async def rename_group(request: Request, group_id: FromPath[int], data: GroupIn | None = None) -> dict[str, Any]:
    """Rename a group."""
    await services.user_group(request.state.user, group_id)  # another's id is a 404 before the body is looked at
    group = await services.rename_group(request.state.user, group_id, _required(data).name)
    counts = {g["id"]: g["count"] for g in await services.list_groups(request.state.user)}
    return {"id": group.id, "name": group.name, "count": counts.get(group.id, 0)}


@delete("/api/v1/groups/{group_id:int}", guards=API_CUSTOMER, tags=["phonebook"])
async def delete_group(request: Request, group_id: FromPath[int]) -> None:
    """Delete a group; its contacts stay."""
    await services.delete_group(request.state.user, group_id)


HANDLERS = [
    list_contacts,
    create_contact,
    get_contact,
    update_contact,
    delete_contact,
    list_groups,
    create_group,
    rename_group,
    delete_group,
]
