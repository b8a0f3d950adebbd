"""Messaging pages: 12-1 My numbers, sends and their statuses, a quick send; tenant admins'
lines, credit and prices; platform admins' operator connections and line inventory."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from payamak.db import fetch, writing
from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.i18n import latin_digits, ngettext
from payamak.messaging import ledger, lines, pipeline, pricing
from payamak.messaging.tables import LINE_KINDS, LINE_STATUSES, LedgerEntry, Line, OperatorConnection, SendJob
from payamak.tables import Tenant, User
from payamak.tenancy import scoped
from payamak.tenancy.services import json_dict
from payamak.web.formatting import parse_jalali
from payamak.web.forms import form_data, whole_number
from payamak.web.guards import CUSTOMER, PLATFORM_ADMIN, TENANT_ADMIN
from payamak.web.rendering import flash, page

# --- customers -------------------------------------------------------------------------------


@get("/numbers", guards=CUSTOMER)
async def my_numbers(request: Request) -> Template:
    """12-1: every line the customer may send from, with its activation date and status."""
    return page(request, "messaging/numbers.html", lines=await lines.usable_lines_query(request.state.user))


async def _status_counts(job_ids: list[int]) -> dict[int, dict[str, int]]:
    if not job_ids:
        return {}
    marks = ", ".join("{}" for _ in job_ids)
    counts: dict[int, dict[str, int]] = {}
    for row in await fetch(f"SELECT job, status, COUNT(*) AS n FROM recipient WHERE job IN ({marks}) GROUP BY job, status", *job_ids):
        counts.setdefault(row["job"], {})[row["status"]] = int(row["n"])
    return counts


@get("/messages", guards=CUSTOMER)
async def my_sends(request: Request, page_no: FromQuery[int] = 1) -> Template:
    """The customer's sends, newest first, with the status of their recipients."""
    user = request.state.user
    jobs = (
        await scoped(SendJob)
        .objects()
        .where(SendJob.user == user.id)
        .order_by(SendJob.id, ascending=False)
        .limit(25)
        .offset((max(page_no, 1) - 1) * 25)
    )
    account = await ledger.account_for(user.tenant, user.id)
    return page(
        request, "messaging/sends.html", jobs=jobs, counts=await _status_counts([j.id for j in jobs]), account=account, page_no=page_no
    )


@get("/messages/new", guards=CUSTOMER)
async def send_form(request: Request) -> Template:
    """A quick send: numbers, text, line, optional Jalali time."""
    return page(request, "messaging/send.html", lines=await lines.usable_lines_query(request.state.user), values={})


@post("/messages/new", guards=CUSTOMER)
async def send_submit(request: Request) -> Template | Redirect:
    data = await form_data(request)
    user = request.state.user
    numbers = [n for n in latin_digits(str(data.get("numbers", ""))).replace(",", "\n").replace("،", "\n").splitlines() if n.strip()]
    try:
        when = parse_jalali(str(data["send_at"])) if data.get("send_at") else None
    except (ValueError, TypeError):
        when = None
        error = _("“%(value)s” is not a Jalali date and time (Y/M/D H:m).", value=data.get("send_at"))
        return page(request, "messaging/send.html", status_code=400, lines=await lines.usable_lines_query(user), values=data, error=error)
    try:
        job = await pipeline.accept_send(
            user, numbers, str(data.get("text", "")), line_id=data.get("line_id"), scheduled_at=when, source="panel"
        )
    except DomainError as exc:
        return page(
            request,
            "messaging/send.html",
            status_code=exc.status_code,
            lines=await lines.usable_lines_query(user),
            values=data,
            error=exc.message,
        )
    flash(
        request,
        ngettext("Your message to %(num)s recipient was accepted.", "Your message to %(num)s recipients was accepted.", job.recipients),
    )
    return Redirect(f"/messages/{job.id}", status_code=303)


@get("/messages/{job_id:int}", guards=CUSTOMER)
async def send_detail(request: Request, job_id: FromPath[int]) -> Template:
    job = await pipeline.user_job(request.state.user, job_id)
    from payamak.messaging.tables import Recipient

    rows = await scoped(Recipient).objects().where(Recipient.job == job.id).order_by(Recipient.id).limit(500)
    return page(request, "messaging/send_detail.html", job=job, rows=rows, counts=(await _status_counts([job.id])).get(job.id, {}))


@post("/messages/{job_id:int}/cancel", guards=CUSTOMER)
async def send_cancel(request: Request, job_id: FromPath[int]) -> Redirect:
    await pipeline.cancel_job(request.state.user, job_id)
    flash(request, _("The scheduled send was cancelled and its credit returned."))
    return Redirect(f"/messages/{job_id}", status_code=303)


# --- tenant admins -----------------------------------------------------------------------------


@get("/manage/lines", guards=TENANT_ADMIN)
async def manage_lines(request: Request) -> Template:
    """The tenant's lines and who uses them."""
    rows = await scoped(Line).objects().order_by(Line.id)
    customers = await scoped(User).objects().where(User.role == "customer").order_by(User.username)
    return page(request, "messaging/manage_lines.html", lines=rows, customers=customers)


@post("/manage/lines/{line_id:int}/assign", guards=TENANT_ADMIN)
async def manage_line_assign(request: Request, line_id: FromPath[int]) -> Redirect:
    data = await form_data(request)
    owner = data.get("owner") or None
    await lines.assign_line(line_id, int(owner) if owner else None)
    flash(request, _("The line was assigned."))
    return Redirect("/manage/lines", status_code=303)


@get("/manage/customers/{user_id:int}/credit", guards=TENANT_ADMIN)
async def manage_credit(request: Request, user_id: FromPath[int]) -> Template:
    """A customer's balance and ledger; adjust it with a reason."""
    from payamak.accounts.services import tenant_user

    customer = await tenant_user(user_id)
    account = await ledger.account_for(customer.tenant, customer.id)
    entries = (
        await scoped(LedgerEntry).objects().where(LedgerEntry.account == account.id).order_by(LedgerEntry.id, ascending=False).limit(100)
    )
    return page(request, "messaging/credit.html", customer=customer, account=account, entries=entries)


@post("/manage/customers/{user_id:int}/credit", guards=TENANT_ADMIN)
async def manage_credit_adjust(request: Request, user_id: FromPath[int]) -> Redirect:
    from payamak.accounts.services import tenant_user

    customer = await tenant_user(user_id)
    data = await form_data(request)
    amount = whole_number(data.get("amount"), _("Amount"), signed=True) or 0
    async with writing():
        account = await ledger.account_for(customer.tenant, customer.id)
        await ledger.credit(account, amount, "adjustment", str(data.get("reason", "")), request.state.user.id)
    flash(request, _("The balance was adjusted."))
    return Redirect(f"/manage/customers/{customer.id}/credit", status_code=303)


@get("/manage/prices", guards=TENANT_ADMIN)
async def manage_prices(request: Request) -> Template:
    table = await pricing.price_table(request.state.tenant.id)
    return page(request, "messaging/prices.html", table=table, kinds=LINE_KINDS, encodings=pricing.ENCODINGS)


@post("/manage/prices", guards=TENANT_ADMIN)
async def manage_prices_save(request: Request) -> Redirect:
    await pricing.save_price_form(request.state.tenant.id, await form_data(request))
    flash(request, _("The prices were saved."))
    return Redirect("/manage/prices", status_code=303)


# --- platform admins ---------------------------------------------------------------------------


@get("/admin/connections", guards=PLATFORM_ADMIN)
async def admin_connections(request: Request) -> Template:
    rows = await OperatorConnection.objects().order_by(OperatorConnection.id)
    return page(
        request, "messaging/admin_connections.html", connections=rows, classes=lines.connector_classes(), public=lines.public_settings
    )


@get("/admin/connections/new", guards=PLATFORM_ADMIN)
async def admin_connection_new(request: Request, connector: FromQuery[str] = "smpp") -> Template:
    classes = lines.connector_classes()
    if connector not in classes:
        raise NotFoundException()
    return page(request, "messaging/admin_connection_form.html", editing=None, connector=classes[connector], classes=classes, values={})


@post("/admin/connections/new", guards=PLATFORM_ADMIN)
async def admin_connection_create(request: Request) -> Redirect:
    data = await form_data(request)
    row = await lines.create_connection(str(data.get("name", "")), str(data.get("connector", "")), data)
    flash(request, _("The connection was saved."))
    return Redirect(f"/admin/connections/{row.id}", status_code=303)


async def _connection(connection_id: int) -> OperatorConnection:
    row = await OperatorConnection.objects().where(OperatorConnection.id == connection_id).first()
    if row is None:
        raise NotFoundException()
    return row


@get("/admin/connections/{connection_id:int}", guards=PLATFORM_ADMIN)
async def admin_connection_edit(request: Request, connection_id: FromPath[int]) -> Template:
    row = await _connection(connection_id)
    classes = lines.connector_classes()
    values = lines.public_settings(row.connector, json_dict(row.settings))
    return page(
        request,
        "messaging/admin_connection_form.html",
        editing=row,
        connector=classes[row.connector],
        classes=classes,
        values={**values, "name": row.name, "status": row.status},
    )


@post("/admin/connections/{connection_id:int}", guards=PLATFORM_ADMIN)
async def admin_connection_update(request: Request, connection_id: FromPath[int]) -> Redirect:
    row = await _connection(connection_id)
    data = await form_data(request)
    settings = lines.clean_settings(row.connector, data, json_dict(row.settings))
    status = data.get("status", row.status) if data.get("status") in ("active", "disabled") else row.status
    await OperatorConnection.update({OperatorConnection.settings: settings, OperatorConnection.status: status}).where(
        OperatorConnection.id == row.id
    )
    flash(request, _("The connection was saved."))
    return Redirect(f"/admin/connections/{row.id}", status_code=303)


@get("/admin/lines", guards=PLATFORM_ADMIN)
async def admin_lines(request: Request) -> Template:
    rows = await Line.objects().order_by(Line.id)
    return page(
        request,
        "messaging/admin_lines.html",
        lines=rows,
        tenants=await Tenant.objects().order_by(Tenant.slug),
        connections=await OperatorConnection.objects().order_by(OperatorConnection.id),
        kinds=LINE_KINDS,
        statuses=LINE_STATUSES,
    )


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


@post("/admin/lines/new", guards=PLATFORM_ADMIN)
async def admin_line_create(request: Request) -> Redirect:
    data = await form_data(request)
    await lines.register_line(
        str(data.get("number", "")),
        str(data.get("kind", "dedicated")),
        _int_or_none(data.get("connection")),
        _int_or_none(data.get("tenant")),
        bool(data.get("route_by_operator")),
    )
    flash(request, _("The line was registered."))
    return Redirect("/admin/lines", status_code=303)


@post("/admin/lines/{line_id:int}", guards=PLATFORM_ADMIN)
async def admin_line_update(request: Request, line_id: FromPath[int]) -> Redirect:
    line = await Line.objects().where(Line.id == line_id).first()
    if line is None:
        raise NotFoundException()
    data = await form_data(request)
    tenant = _int_or_none(data.get("tenant"))
    values: dict[Any, Any] = {Line.tenant: tenant, Line.connection: _int_or_none(data.get("connection"))}
    if tenant != line.tenant:
        values[Line.owner] = None  # a line moving to another tenant leaves its old customer
    await Line.update(values).where(Line.id == line.id)
    if data.get("status"):
        await lines.set_line_status(line, str(data["status"]))
    flash(request, _("The line was saved."))
    return Redirect("/admin/lines", status_code=303)


HANDLERS = [
    my_numbers,
    my_sends,
    send_form,
    send_submit,
    send_detail,
    send_cancel,
    manage_lines,
    manage_line_assign,
    manage_credit,
    manage_credit_adjust,
    manage_prices,
    manage_prices_save,
    admin_connections,
    admin_connection_new,
    admin_connection_create,
    admin_connection_edit,
    admin_connection_update,
    admin_lines,
    admin_line_create,
    admin_line_update,
]
