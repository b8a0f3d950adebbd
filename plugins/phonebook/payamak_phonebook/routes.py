"""Phonebook pages: 9-1 all contacts (search, groups, bulk actions), 9-2 groups, 9-3 new contact,
custom fields. Imports and exports are in :mod:`payamak_phonebook.routes_files`."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from payamak.errors import DomainError, NotFound
from payamak.i18n import gettext as _
from payamak.i18n import localize_digits
from payamak.web.forms import safe_next
from payamak.web.guards import CUSTOMER
from payamak.web.rendering import flash, page
from payamak_phonebook import services
from payamak_phonebook.fields import KIND_LABELS
from payamak_phonebook.services import PAGE_SIZE, ContactInput


async def _form(request: Request) -> Any:
    return await request.form()


# --- 9-1 all contacts ---------------------------------------------------------------------------


@get("/phonebook", guards=CUSTOMER)
async def contacts_page(request: Request, q: FromQuery[str] = "", group: FromQuery[str] = "", page_no: FromQuery[int] = 1) -> Template:
    """9-1: the user's contacts, searched by name, number or field text, in a group or all, a page at a time."""
    user = request.state.user
    page_no = max(page_no, 1)
    selected = await services.user_group(user, group) if group else None
    rows, total = await services.find_contacts(user, q, selected.id if selected else None, (page_no - 1) * PAGE_SIZE, PAGE_SIZE)
    return page(
        request,
        "phonebook/contacts.html",
        contacts=await services.describe(user, rows),
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
        page_no=page_no,
        q=q,
        selected=selected,
        groups=await services.list_groups(user),
        fields=await services.list_fields(user),
        back=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    )


@post("/phonebook/bulk", guards=CUSTOMER)
async def contacts_bulk(request: Request) -> Redirect:
    """Delete the chosen contacts, or add them to (or take them out of) a group."""
    form = await _form(request)
    user = request.state.user
    ids = form.getall("ids") if "ids" in form else []
    back = safe_next(str(form.get("back") or ""), "/phonebook")
    action = form.get("action")
    if not ids:
        flash(request, _("Choose one or more contacts first."), "error")
    elif action == "delete":
        n = await services.delete_contacts(user, ids)
        flash(request, _("%(n)s contact(s) deleted.", n=localize_digits(n)))
    elif action in ("add", "remove") and not form.get("target_group"):
        flash(request, _("Choose a group."), "error")
    elif action == "add":
        n = await services.add_to_group(user, ids, form.get("target_group"))
        flash(request, _("%(n)s contact(s) added to the group.", n=localize_digits(n)))
    elif action == "remove":
        n = await services.remove_from_group(user, ids, form.get("target_group"))
        flash(request, _("%(n)s contact(s) taken out of the group.", n=localize_digits(n)))
    return Redirect(back, status_code=303)


# --- 9-3 new contact, edit ------------------------------------------------------------------------


async def _contact_form(
    request: Request, contact: Any = None, values: dict | None = None, status_code: int = 200, error: str = ""
) -> Template:
    user = request.state.user
    fields = await services.list_fields(user)
    if values is None:
        values = {"name": "", "number": "", "groups": [], "fields": {}}
        if contact is not None:
            described = (await services.describe(user, [contact.to_dict()]))[0]
            values = {
                "name": contact.name,
                "number": described["display"],
                "groups": [g["id"] for g in described["groups"]],
                "fields": described["values"],
            }
    return page(
        request,
        "phonebook/contact_form.html",
        status_code=status_code,
        editing=contact,
        values=values,
        fields=fields,
        groups=await services.list_groups(user),
        error=error,
    )


async def _submitted(request: Request) -> tuple[ContactInput, dict[str, Any]]:
    form = await _form(request)
    fields = await services.list_fields(request.state.user)
    groups = form.getall("groups") if "groups" in form else []
    values = {f.id: str(form.get(f"field_{f.id}") or "") for f in fields}
    data = ContactInput(str(form.get("name") or ""), str(form.get("number") or ""), groups, values)
    shown = {"name": data.name, "number": data.number, "groups": [int(g) for g in groups if str(g).isdigit()], "fields": values}
    return data, shown


@get("/phonebook/contacts/new", guards=CUSTOMER)
async def contact_new(request: Request) -> Template:
    """9-3: a new contact with its custom fields and groups."""
    return await _contact_form(request)


@post("/phonebook/contacts/new", guards=CUSTOMER)
async def contact_create(request: Request) -> Template | Redirect:
    """Save a new contact; a problem shows the form again with what was typed."""
    data, shown = await _submitted(request)
    try:
        await services.save_contact(request.state.user, data)
    except NotFound:
        raise
    except DomainError as exc:
        return await _contact_form(request, values=shown, status_code=exc.status_code, error=exc.message)
    flash(request, _("The contact was saved."))
    return Redirect("/phonebook", status_code=303)


@get("/phonebook/contacts/{contact_id:int}", guards=CUSTOMER)
async def contact_edit(request: Request, contact_id: FromPath[int]) -> Template:
    """A contact's name, number, fields and groups, all editable."""
    return await _contact_form(request, await services.user_contact(request.state.user, contact_id))


@post("/phonebook/contacts/{contact_id:int}", guards=CUSTOMER)
async def contact_update(request: Request, contact_id: FromPath[int]) -> Template | Redirect:
    """Save changes to a contact."""
    contact = await services.user_contact(request.state.user, contact_id)
    data, shown = await _submitted(request)
    try:
        await services.save_contact(request.state.user, data, contact)
    except NotFound:
        raise
    except DomainError as exc:
        return await _contact_form(request, contact, values=shown, status_code=exc.status_code, error=exc.message)
    flash(request, _("The contact was saved."))
    return Redirect("/phonebook", status_code=303)


@post("/phonebook/contacts/{contact_id:int}/delete", guards=CUSTOMER)
async def contact_delete(request: Request, contact_id: FromPath[int]) -> Redirect:
    """Delete one contact."""
    await services.delete_contacts(request.state.user, [contact_id])
    flash(request, _("The contact was deleted."))
    return Redirect("/phonebook", status_code=303)


# --- 9-2 groups ----------------------------------------------------------------------------------


async def _groups_page(request: Request, status_code: int = 200, error: str = "", name: str = "") -> Template:
    groups = await services.list_groups(request.state.user)
    return page(request, "phonebook/groups.html", status_code=status_code, groups=groups, error=error, name=name)


@get("/phonebook/groups", guards=CUSTOMER)
async def groups_page(request: Request) -> Template:
    """9-2: the user's groups with their sizes; create, rename, delete."""
    return await _groups_page(request)


@post("/phonebook/groups", guards=CUSTOMER)
async def group_create(request: Request) -> Template | Redirect:
    """Create a group."""
    name = str((await _form(request)).get("name") or "")
    try:
        await services.create_group(request.state.user, name)
    except DomainError as exc:
        return await _groups_page(request, exc.status_code, exc.message, name)
    flash(request, _("The group was created."))
    return Redirect("/phonebook/groups", status_code=303)


@post("/phonebook/groups/{group_id:int}/rename", guards=CUSTOMER)
async def group_rename(request: Request, group_id: FromPath[int]) -> Template | Redirect:
    """Rename a group."""
    await services.user_group(request.state.user, group_id)
    try:
        await services.rename_group(request.state.user, group_id, (await _form(request)).get("name"))
    except DomainError as exc:
        return await _groups_page(request, exc.status_code, exc.message)
    flash(request, _("The group was renamed."))
    return Redirect("/phonebook/groups", status_code=303)


@post("/phonebook/groups/{group_id:int}/delete", guards=CUSTOMER)
async def group_delete(request: Request, group_id: FromPath[int]) -> Redirect:
    """Delete a group (its contacts stay)."""
    await services.delete_group(request.state.user, group_id)
    flash(request, _("The group was deleted; its contacts are still in your phonebook."))
    return Redirect("/phonebook/groups", status_code=303)


# --- custom fields -------------------------------------------------------------------------------


async def _fields_page(request: Request, status_code: int = 200, error: str = "", values: dict | None = None) -> Template:
    fields = await services.list_fields(request.state.user)
    return page(
        request, "phonebook/fields.html", status_code=status_code, fields=fields, kinds=KIND_LABELS, error=error, values=values or {}
    )


@get("/phonebook/fields", guards=CUSTOMER)
async def fields_page(request: Request) -> Template:
    """The fields (شاخص‌ها) the user added to contacts: add, rename, change options, delete."""
    return await _fields_page(request)


@post("/phonebook/fields", guards=CUSTOMER)
async def field_create(request: Request) -> Template | Redirect:
    """Add a field to every contact."""
    form = await _form(request)
    values = {k: str(form.get(k) or "") for k in ("name", "kind", "options")}
    try:
        await services.create_field(request.state.user, values["name"], values["kind"], values["options"])
    except DomainError as exc:
        return await _fields_page(request, exc.status_code, exc.message, values)
    flash(request, _("The field was added to every contact."))
    return Redirect("/phonebook/fields", status_code=303)


@post("/phonebook/fields/{field_id:int}", guards=CUSTOMER)
async def field_update(request: Request, field_id: FromPath[int]) -> Template | Redirect:
    """Rename a field or change a choice field's options."""
    await services.user_field(request.state.user, field_id)
    form = await _form(request)
    try:
        await services.update_field(request.state.user, field_id, form.get("name"), form.get("options"))
    except DomainError as exc:
        return await _fields_page(request, exc.status_code, exc.message)
    flash(request, _("The field was saved."))
    return Redirect("/phonebook/fields", status_code=303)


@post("/phonebook/fields/{field_id:int}/delete", guards=CUSTOMER)
async def field_delete(request: Request, field_id: FromPath[int]) -> Redirect:
    """Delete a field and its values."""
    await services.delete_field(request.state.user, field_id)
    flash(request, _("The field and its values were deleted."))
    return Redirect("/phonebook/fields", status_code=303)


HANDLERS = [
    contacts_page,
    contacts_bulk,
    contact_new,
    contact_create,
    contact_edit,
    contact_update,
    contact_delete,
    groups_page,
    group_create,
    group_rename,
    group_delete,
    fields_page,
    field_create,
    field_update,
    field_delete,
]
