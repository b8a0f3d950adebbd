"""Support pages: the customer's tickets under /support, staff's queue under /manage/support,
departments under /manage/support/departments, attachments for the owner and staff only."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.web.guards import CUSTOMER, PANEL, STAFF, TENANT_ADMIN
from payamak.web.rendering import flash, page
from payamak_support import services
from payamak_support.tables import STATUSES, Ticket

FORM_LIMIT = services.MAX_ATTACHMENT_BYTES + 1024 * 1024


async def _submitted(request: Request) -> tuple[dict[str, Any], services.Upload | None]:
    """The form's fields and its attachment, if one was chosen (read up to the limit + 1 byte)."""
    form = await request.form()
    data = {k: v for k, v in form.items() if k not in ("_csrf_token", "attachment")}
    file = form.get("attachment")
    upload = None
    if isinstance(file, UploadFile) and file.filename:
        upload = services.Upload(file.filename, await file.read(services.MAX_ATTACHMENT_BYTES + 1))
    return data, upload


def status_labels() -> dict[str, str]:
    return {"open": _("Open"), "answered": _("Answered"), "customer_reply": _("Customer replied"), "closed": _("Closed")}


# --- customers -------------------------------------------------------------------------------


@get("/support", guards=CUSTOMER)
async def my_tickets(request: Request, page_no: FromQuery[int] = 1) -> Template:
    """16-1: the customer's tickets."""
    tickets = await services.customer_tickets(request.state.user, page_no)
    names = {d.id: d.name for d in await services.departments()}
    return page(request, "support/my_tickets.html", tickets=tickets, departments=names, labels=status_labels(), page_no=page_no)


async def _new_form(request: Request, values: dict[str, Any], error: str = "", status: int = 200) -> Template:
    departments = await services.departments(active_only=True)
    return page(request, "support/new.html", status_code=status, values=values, departments=departments, error=error)


@get("/support/new", guards=CUSTOMER)
async def new_ticket_form(request: Request) -> Template:
    return await _new_form(request, {})


@post("/support/new", guards=CUSTOMER, request_max_body_size=FORM_LIMIT)
async def new_ticket(request: Request) -> Template | Redirect:
    data, upload = await _submitted(request)
    try:
        ticket = await services.open_ticket(request.state.user, data.get("subject"), data.get("department"), data.get("body"), upload)
    except DomainError as exc:
        return await _new_form(request, data, exc.message, exc.status_code if exc.status_code != 404 else 400)
    flash(request, _("Your ticket was sent."))
    return Redirect(f"/support/{ticket.id}", status_code=303)


async def _ticket_page(request: Request, ticket: Ticket, staff: bool, error: str = "", status: int = 200) -> Template:
    names = {d.id: d.name for d in await services.departments()}
    owner = None
    if staff:
        from payamak.tables import User

        owner = await User.objects().where(User.id == ticket.owner).first()
    return page(
        request,
        "support/ticket.html",
        status_code=status,
        ticket=ticket,
        messages=await services.messages(ticket),
        department=names.get(ticket.department, ""),
        labels=status_labels(),
        statuses=STATUSES,
        staff=staff,
        owner=owner,
        base="/manage/support" if staff else "/support",
        error=error,
    )


@get("/support/{ticket_id:int}", guards=CUSTOMER)
async def my_ticket(request: Request, ticket_id: FromPath[int]) -> Template:
    ticket = await services.customer_ticket(request.state.user, ticket_id)
    await services.mark_read(ticket)
    return await _ticket_page(request, ticket, staff=False)


@post("/support/{ticket_id:int}/reply", guards=CUSTOMER, request_max_body_size=FORM_LIMIT)
async def my_reply(request: Request, ticket_id: FromPath[int]) -> Template | Redirect:
    ticket = await services.customer_ticket(request.state.user, ticket_id)
    data, upload = await _submitted(request)
    try:
        await services.reply(ticket, request.state.user, data.get("body"), upload, from_staff=False)
    except DomainError as exc:
        return await _ticket_page(request, ticket, False, exc.message, exc.status_code)
    flash(request, _("Your reply was sent."))
    return Redirect(f"/support/{ticket.id}", status_code=303)


@post("/support/{ticket_id:int}/close", guards=CUSTOMER)
async def my_close(request: Request, ticket_id: FromPath[int]) -> Redirect:
    ticket = await services.customer_ticket(request.state.user, ticket_id)
    await services.set_status(ticket, "closed")
    flash(request, _("The ticket was closed."))
    return Redirect(f"/support/{ticket.id}", status_code=303)


@get("/support/attachments/{message_id:int}", guards=PANEL)
async def attachment(request: Request, message_id: FromPath[int]) -> File:
    """An attachment, to the ticket's owner and the tenant's staff; always downloaded, never rendered."""
    message = await services.attachment_for(request.state.user, message_id)
    return File(
        path=services.attachment_path(message),
        filename=message.attachment_name,
        media_type="application/octet-stream",
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )


# --- staff -----------------------------------------------------------------------------------


@get("/manage/support", guards=STAFF)
async def staff_queue(
    request: Request, department: FromQuery[int] = 0, status: FromQuery[str] = "waiting", page_no: FromQuery[int] = 1
) -> Template:
    """Staff's queue per department."""
    all_departments = await services.departments()
    tickets = await services.queue(department or None, status, page_no)
    return page(
        request,
        "support/queue.html",
        tickets=tickets,
        departments=all_departments,
        department=department,
        status=status,
        counts=await services.waiting_counts(),
        labels=status_labels(),
        statuses=STATUSES,
        page_no=page_no,
    )


@get("/manage/support/{ticket_id:int}", guards=STAFF)
async def staff_view(request: Request, ticket_id: FromPath[int]) -> Template:
    return await _ticket_page(request, await services.staff_ticket(ticket_id), staff=True)


@post("/manage/support/{ticket_id:int}/reply", guards=STAFF, request_max_body_size=FORM_LIMIT)
async def staff_reply(request: Request, ticket_id: FromPath[int]) -> Template | Redirect:
    ticket = await services.staff_ticket(ticket_id)
    data, upload = await _submitted(request)
    try:
        message = await services.reply(ticket, request.state.user, data.get("body"), upload, from_staff=True)
    except DomainError as exc:
        return await _ticket_page(request, ticket, True, exc.message, exc.status_code)
    flash(request, _("Your reply was sent."))
    sms_error = await services.notify_by_sms(ticket, message)
    if sms_error:
        flash(request, _("The customer could not be told by SMS: %(reason)s", reason=sms_error), "error")
    return Redirect(f"/manage/support/{ticket.id}", status_code=303)


@post("/manage/support/{ticket_id:int}/status", guards=STAFF)
async def staff_status(request: Request, ticket_id: FromPath[int]) -> Template | Redirect:
    ticket = await services.staff_ticket(ticket_id)
    data, _upload = await _submitted(request)
    try:
        await services.set_status(ticket, str(data.get("status", "")))
    except DomainError as exc:
        return await _ticket_page(request, ticket, True, exc.message, exc.status_code)
    flash(request, _("The status was changed."))
    return Redirect(f"/manage/support/{ticket.id}", status_code=303)


async def _departments(request: Request, values: dict[str, Any] | None = None, error: str = "", status: int = 200) -> Template:
    return page(
        request,
        "support/departments.html",
        status_code=status,
        departments=await services.departments(),
        values=values or {},
        settings=await services.sms_settings(),
        lines=await services.sender_lines(request.state.user),
        error=error,
    )


@get("/manage/support/departments", guards=TENANT_ADMIN)
async def departments_page(request: Request) -> Template:
    return await _departments(request)


@post("/manage/support/settings", guards=TENANT_ADMIN)
async def settings_save(request: Request) -> Template | Redirect:
    """Turn the SMS notification of staff replies on or off."""
    data, _upload = await _submitted(request)
    try:
        await services.save_sms_settings(request.state.user, bool(data.get("sms_enabled")), data.get("line"))
    except DomainError as exc:
        return await _departments(request, error=exc.message, status=exc.status_code)
    flash(request, _("The support settings were saved."))
    return Redirect("/manage/support/departments", status_code=303)


@post("/manage/support/departments", guards=TENANT_ADMIN)
async def department_add(request: Request) -> Template | Redirect:
    data, _upload = await _submitted(request)
    try:
        await services.create_department(str(data.get("name", "")))
    except DomainError as exc:
        return await _departments(request, data, exc.message, 400)
    flash(request, _("The department was added."))
    return Redirect("/manage/support/departments", status_code=303)


@post("/manage/support/departments/{department_id:int}/toggle", guards=TENANT_ADMIN)
async def department_toggle(request: Request, department_id: FromPath[int]) -> Redirect:
    department = await services.toggle_department(department_id)
    flash(request, _("The department was enabled.") if department.active else _("The department was disabled."))
    return Redirect("/manage/support/departments", status_code=303)


HANDLERS = [
    my_tickets,
    new_ticket_form,
    new_ticket,
    my_ticket,
    my_reply,
    my_close,
    attachment,
    staff_queue,
    staff_view,
    staff_reply,
    staff_status,
    departments_page,
    department_add,
    department_toggle,
    settings_save,
]
