"""Tenant-admin and staff pages: billing settings, line-request review, customers' payments and invoices, refunds."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from payamak.errors import DomainError, NotFound
from payamak.i18n import gettext as _
from payamak.i18n import localize_digits
from payamak.tables import User
from payamak.tenancy import scoped
from payamak.web.forms import form_data
from payamak.web.guards import STAFF, TENANT_ADMIN
from payamak.web.rendering import flash, page
from payamak_billing_zarinpal import refunds, requests, services
from payamak_billing_zarinpal.gateway import GATEWAYS
from payamak_billing_zarinpal.tables import Invoice, LineRequest, Payment


async def _settings_form(request: Request, error: str = "", status: int = 200, values: dict | None = None) -> Template:
    settings = await services.settings_for(request.state.tenant.id)
    if values is None:
        values = {"merchant_id": settings.merchant_id, "gateway": settings.gateway, "tax_percent": settings.tax_percent}
        values.update({f"price_{k}": v for k, v in services.line_prices(settings).items()})
    return page(
        request,
        "billing/settings.html",
        status_code=status,
        values=values,
        error=error,
        gateways=GATEWAYS,
        price_keys=services.LINE_PRICE_KEYS,
    )


@get("/billing/settings", guards=TENANT_ADMIN)
async def settings_page(request: Request) -> Template:
    """The tenant's merchant id, gateway, tax rate and retail line prices."""
    return await _settings_form(request)


@post("/billing/settings", guards=TENANT_ADMIN)
async def settings_submit(request: Request) -> Template | Redirect:
    data = await form_data(request)
    try:
        await services.update_settings(request.state.tenant.id, data)
    except DomainError as exc:
        return await _settings_form(request, exc.message, exc.status_code, data)
    flash(request, _("Billing settings were saved."))
    return Redirect("/billing/settings", status_code=303)


@get("/billing/requests", guards=STAFF)
async def review_page(request: Request) -> Template:
    """Pending line requests to approve or reject, with their documents."""
    tenant_id = request.state.tenant.id
    rows = await requests.pending_for_review(tenant_id)
    for row in rows:
        row.documents, row.company = services.loaded(row.documents) or [], services.loaded(row.company) or {}
    users = {u.id: u for u in await User.objects().where((User.tenant == tenant_id) & User.id.is_in([r.user for r in rows] or [0]))}
    return page(request, "billing/review.html", requests=rows, users=users)


@post("/billing/requests/{request_id:int}/approve", guards=STAFF)
async def approve(request: Request, request_id: FromPath[int]) -> Redirect:
    """Approve: an invoice for the line is issued to the customer."""
    try:
        await requests.approve(request.state.user, request_id)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        flash(request, exc.message, "error")
    else:
        flash(request, _("The request was approved and an invoice was issued to the customer."))
    return Redirect("/billing/requests", status_code=303)


@post("/billing/requests/{request_id:int}/reject", guards=STAFF)
async def reject(request: Request, request_id: FromPath[int]) -> Redirect:
    """Reject with a reason the customer sees."""
    data = await form_data(request)
    try:
        await requests.reject(request.state.user, request_id, str(data.get("reason", "")))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        flash(request, exc.message, "error")
    else:
        flash(request, _("The request was rejected."))
    return Redirect("/billing/requests", status_code=303)


@get("/billing/requests/{request_id:int}/documents/{index:int}", guards=STAFF)
async def document(request: Request, request_id: FromPath[int], index: FromPath[int]) -> File:
    """Download a document of a service-number request."""
    row = await scoped(LineRequest).get(request_id)
    if row is None:
        raise NotFound("line request")
    path, name = requests.document_path(row, index)
    if not path.is_file():
        raise NotFound("document")
    return File(path=path, filename=name, media_type=requests.DOCUMENT_TYPES.get(path.suffix, "application/octet-stream"))


@get("/billing/payments", guards=STAFF)
async def payments_page(request: Request, start: FromQuery[str] = "", end: FromQuery[str] = "") -> Template:
    """Every payment of the tenant's customers in a Jalali date range."""
    error = ""
    try:
        period = services.date_range(start, end)
    except DomainError as exc:
        period, error = services.date_range(), exc.message
    rows = await services.in_range(scoped(Payment).objects(), Payment.created_at, period).order_by(Payment.id, ascending=False).limit(500)
    invoices = {i.id: i for i in await scoped(Invoice).objects().where(Invoice.id.is_in([p.invoice for p in rows] or [0]))}
    users = {
        u.id: u for u in await User.objects().where((User.tenant == request.state.tenant.id) & User.id.is_in([p.user for p in rows] or [0]))
    }
    return page(request, "billing/admin_payments.html", payments=rows, invoices=invoices, users=users, period=period, error=error)


@get("/billing/invoices", guards=STAFF)
async def invoices_page(request: Request, status: FromQuery[str] = "unpaid") -> Template:
    """Every invoice of the tenant's customers, unpaid, paid (to refund) or refunded."""
    status = status if status in ("paid", "refunded") else "unpaid"
    rows = await scoped(Invoice).objects().where(Invoice.status == status).order_by(Invoice.id, ascending=False).limit(500)
    ids = {i.user for i in rows} | {i.refunded_by for i in rows if i.refunded_by}
    users = {u.id: u for u in await User.objects().where((User.tenant == request.state.tenant.id) & User.id.is_in(list(ids) or [0]))}
    return page(request, "billing/admin_invoices.html", invoices=rows, users=users, status=status)


@post("/billing/invoices/{invoice_id:int}/refund", guards=STAFF)
async def refund(request: Request, invoice_id: FromPath[int]) -> Redirect:
    """Refund a paid invoice with a reason: its credit is taken back or its line suspended."""
    data = await form_data(request)
    try:
        invoice = await refunds.refund_invoice(request.state.user, invoice_id, str(data.get("reason", "")))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        flash(request, exc.message, "error")
    else:
        flash(request, _("Invoice %(number)s was refunded.", number=localize_digits(str(invoice.number))))
    return Redirect("/billing/invoices?status=paid", status_code=303)


HANDLERS = [invoices_page, refund, settings_page, settings_submit, review_page, approve, reject, document, payments_page]
