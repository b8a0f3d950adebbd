"""Support logic: departments, tickets, replies, attachments and the customer's notifications (no HTTP)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.settings import get_settings
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_support.tables import STATUSES, Department, SupportSettings, Ticket, TicketMessage

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ALLOWED_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "pdf", "txt", "csv", "doc", "docx", "xls", "xlsx", "zip"}
PAGE_SIZE = 30


@dataclass(frozen=True)
class Upload:
    """An attached file as submitted: its name and at most ``MAX_ATTACHMENT_BYTES + 1`` bytes."""

    filename: str
    content: bytes


def _now() -> datetime:
    return datetime.now(UTC)


# --- departments ---------------------------------------------------------------------------


async def departments(active_only: bool = False) -> list[Department]:
    """The tenant's departments by name (only the active ones when asked)."""
    query = scoped(Department).objects().order_by(Department.name)
    if active_only:
        query = query.where(Department.active == True)  # noqa: E712
    return await query


async def create_department(name: str) -> Department:
    name = name.strip()
    if not name:
        raise DomainError("department_name", _("Enter the department's name."))
    if len(name) > 100:
        raise DomainError("department_name", _("The department's name is too long."))
    if await scoped(Department).exists().where(Department.name == name):
        raise DomainError("department_exists", _("A department with this name exists already."))
    return await scoped(Department).create(name=name)


async def toggle_department(department_id: int) -> Department:
    department = await scoped(Department).get(department_id)
    if department is None:
        raise NotFound("department")
    await scoped(Department).update({Department.active: not department.active}).where(Department.id == department.id)
    department.active = not department.active
    return department


# --- attachments ---------------------------------------------------------------------------


def attachment_dir(tenant_id: int) -> Path:
    """Where a tenant's attachments live: ``<var dir>/support/<tenant id>/``."""
    return get_settings().var_dir / "support" / str(tenant_id)


def _check_upload(upload: Upload | None) -> Upload | None:
    if upload is None or not upload.filename:
        return None
    if len(upload.content) > MAX_ATTACHMENT_BYTES:
        raise DomainError("attachment_size", _("The attachment is larger than %(mb)s MB.", mb=MAX_ATTACHMENT_BYTES // (1024 * 1024)))
    extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise DomainError("attachment_type", _("This kind of file cannot be attached."))
    return upload


def _store(tenant_id: int, upload: Upload) -> dict[Any, Any]:
    folder = attachment_dir(tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    (folder / stored).write_bytes(upload.content)
    name = Path(upload.filename.replace("\\", "/")).name[-200:]
    return {"attachment_name": name, "attachment_file": stored, "attachment_size": len(upload.content)}


def attachment_path(message: TicketMessage) -> Path:
    return attachment_dir(message.tenant) / message.attachment_file


# --- tickets ----------------------------------------------------------------------------------


def _text(value: Any, code: str, message: Any, limit: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise DomainError(code, message)
    return text[:limit]


async def open_ticket(user: User, subject: Any, department_id: Any, body: Any, upload: Upload | None = None) -> Ticket:
    """16: a customer's new ticket with its question (and an optional attachment)."""
    subject = _text(subject, "subject", _("Enter a subject."), 200)
    department = await scoped(Department).get(department_id)
    if department is None or not department.active:
        raise DomainError("department", _("Choose a department."))
    body = _text(body, "body", _("Write your question."), 10_000)
    upload = _check_upload(upload)
    ticket = await scoped(Ticket).create(owner=user.id, department=department.id, subject=subject, status="open")
    await _add_message(ticket, user, body, upload, from_staff=False)
    return ticket


async def _add_message(ticket: Ticket, user: User, body: str, upload: Upload | None, from_staff: bool) -> TicketMessage:
    extra = _store(ticket.tenant, upload) if upload else {}
    return await scoped(TicketMessage).create(ticket=ticket.id, author=user.id, from_staff=from_staff, body=body, **extra)


async def customer_tickets(user: User, page_no: int = 1) -> list[Ticket]:
    """The customer's own tickets, the most recently active first."""
    offset = max(page_no - 1, 0) * PAGE_SIZE
    return await (
        scoped(Ticket).objects().where(Ticket.owner == user.id).order_by(Ticket.updated_at, ascending=False).limit(PAGE_SIZE).offset(offset)
    )


async def customer_ticket(user: User, ticket_id: int) -> Ticket:
    """The customer's ticket; another customer's or another tenant's is not found."""
    ticket = await scoped(Ticket).get(ticket_id)
    if ticket is None or ticket.owner != user.id:
        raise NotFound("ticket")
    return ticket


async def staff_ticket(ticket_id: int) -> Ticket:
    ticket = await scoped(Ticket).get(ticket_id)
    if ticket is None:
        raise NotFound("ticket")
    return ticket


async def messages(ticket: Ticket) -> list[TicketMessage]:
    return await scoped(TicketMessage).objects().where(TicketMessage.ticket == ticket.id).order_by(TicketMessage.id)


async def mark_read(ticket: Ticket) -> None:
    """The customer opened the ticket: its notification is cleared."""
    if ticket.customer_unread:
        await scoped(Ticket).update({Ticket.customer_unread: False}).where(Ticket.id == ticket.id)
        ticket.customer_unread = False


async def reply(ticket: Ticket, user: User, body: Any, upload: Upload | None = None, from_staff: bool = False) -> TicketMessage:
    """A reply of the customer or of staff; a staff reply notifies the customer on the dashboard."""
    body = _text(body, "body", _("Write your reply."), 10_000)
    upload = _check_upload(upload)
    if ticket.status == "closed" and not from_staff:
        raise DomainError("closed", _("This ticket is closed."))
    message = await _add_message(ticket, user, body, upload, from_staff)
    values: dict[Any, Any] = {Ticket.updated_at: _now(), Ticket.status: "answered" if from_staff else "customer_reply"}
    if from_staff:
        values[Ticket.customer_unread] = True
    await scoped(Ticket).update(values).where(Ticket.id == ticket.id)
    return message


async def set_status(ticket: Ticket, status: str) -> None:
    """Staff change a ticket's status; a customer may only close."""
    if status not in STATUSES:
        raise DomainError("status", _("Choose a status."))
    await scoped(Ticket).update({Ticket.status: status, Ticket.updated_at: _now()}).where(Ticket.id == ticket.id)
    ticket.status = status


async def queue(department_id: int | None, status: str, page_no: int = 1) -> list[Ticket]:
    """Staff's queue: tickets of a department (or all) in a status (``waiting``: open or customer reply)."""
    query = scoped(Ticket).objects(Ticket.owner, Ticket.department).order_by(Ticket.updated_at, ascending=False)
    if department_id:
        query = query.where(Ticket.department == department_id)
    if status == "waiting":
        query = query.where(Ticket.status.is_in(["open", "customer_reply"]))
    elif status in STATUSES:
        query = query.where(Ticket.status == status)
    return await query.limit(PAGE_SIZE).offset(max(page_no - 1, 0) * PAGE_SIZE)


async def waiting_counts() -> dict[int, int]:
    """Tickets waiting for staff per department id."""
    rows = await scoped(Ticket).select(Ticket.department).where(Ticket.status.is_in(["open", "customer_reply"]))
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["department"]] = counts.get(row["department"], 0) + 1
    return counts


async def unread_for(tenant_id: int, user_id: int) -> list[dict[str, Any]]:
    """The customer's tickets with replies they have not read (the dashboard's notification)."""
    return await (
        scoped(Ticket, tenant_id)
        .select(Ticket.id, Ticket.subject, Ticket.updated_at)
        .where((Ticket.owner == user_id) & (Ticket.customer_unread == True))  # noqa: E712
        .order_by(Ticket.updated_at, ascending=False)
        .limit(10)
    )


async def attachment_for(user: User, message_id: int) -> TicketMessage:
    """A message's attachment, for the ticket's owner or the tenant's staff only."""
    message = await scoped(TicketMessage).get(message_id)
    if message is None or not message.attachment_file:
        raise NotFound("attachment")
    if user.role == "customer":
        ticket = await scoped(Ticket).get(message.ticket)
        if ticket is None or ticket.owner != user.id:
            raise NotFound("attachment")
    elif user.role not in ("tenant_staff", "tenant_admin"):
        raise NotFound("attachment")
    return message


# --- SMS notification of staff replies -----------------------------------------------------------


async def sms_settings() -> SupportSettings | None:
    return await scoped(SupportSettings).objects().first()


async def sender_lines(admin: User) -> list[Any]:
    """The lines the admin may send the notifications from (their own, the tenant's shared ones)."""
    from payamak.messaging.lines import usable_lines_query

    return await usable_lines_query(admin)


async def save_sms_settings(admin: User, enabled: bool, line_id: Any) -> SupportSettings:
    """Turn the SMS notification on (from a line the admin may use, charged to the admin's credit) or off."""
    from payamak.messaging.lines import usable_line

    line = None
    if enabled:
        line = (await usable_line(admin, line_id or None)).id
    values = {
        SupportSettings.sms_enabled: enabled,
        SupportSettings.line: line,
        SupportSettings.sender: admin.id,
        SupportSettings.updated_at: _now(),
    }
    row = await sms_settings()
    if row is None:
        return await scoped(SupportSettings).create(sms_enabled=enabled, line=line, sender=admin.id)
    await scoped(SupportSettings).update(values).where(SupportSettings.id == row.id)
    return await sms_settings()


async def notify_by_sms(ticket: Ticket, message: TicketMessage) -> str:
    """Tell the customer of a staff reply by SMS when the tenant wants it; returns why not, if it failed."""
    from payamak.messaging import pipeline

    settings = await sms_settings()
    if settings is None or not settings.sms_enabled:
        return ""
    customer = await User.objects().where(User.id == ticket.owner).first()
    sender = await User.objects().where((User.id == settings.sender) & (User.tenant == ticket.tenant)).first() if settings.sender else None
    error = ""
    if customer is None or not customer.mobile:
        error = str(_("The customer has no mobile number."))
    elif sender is None or sender.status != "active":
        error = str(_("The account the SMS is charged to is not active."))
    else:
        text = str(_("Your support ticket “%(subject)s” has a new reply.", subject=ticket.subject[:80]))
        try:
            job = await pipeline.accept_send(sender, [customer.mobile], text, line_id=settings.line, source="support")
        except DomainError as exc:
            error = str(exc.message)
        else:
            await scoped(TicketMessage).update({TicketMessage.sms_job: job.id}).where(TicketMessage.id == message.id)
            return ""
    await scoped(TicketMessage).update({TicketMessage.sms_error: error[:200]}).where(TicketMessage.id == message.id)
    return error
