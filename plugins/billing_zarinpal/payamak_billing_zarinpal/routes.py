"""Customer pages: 13 My credit, 14 Invoices, 12-2 … 12-5 number requests, and the gateway's callback."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.messaging.ledger import account_for
from payamak.messaging.tables import LedgerEntry
from payamak.tables import User
from payamak.tenancy import scoped
from payamak.web.forms import form_data
from payamak.web.guards import CUSTOMER, PANEL, on_tenant
from payamak.web.rendering import flash, page
from payamak_billing_zarinpal import payments, requests, services
from payamak_billing_zarinpal.tables import Invoice

DOCUMENTS_LIMIT = requests.MAX_DOCUMENTS * requests.MAX_DOCUMENT_BYTES + 1024 * 1024


def callback_url(request: Request) -> str:
    """Where the gateway sends the payer back: this tenant's own host."""
    return str(request.base_url).rstrip("/") + "/billing/callback"


# --- 13 My credit ---------------------------------------------------------------------------


async def _credit_form(request: Request, values: dict, error: str = "", status: int = 200) -> Template:
    user = request.state.user
    account = await account_for(user.tenant, user.id)
    offer = await services.proforma(user.tenant, sms_count=1000)
    return page(
        request,
        "billing/credit_add.html",
        status_code=status,
        account=account,
        unit_price=offer.unit_price,
        values=values,
        error=error,
        tab="add",
    )


@get("/credit", guards=CUSTOMER)
async def credit_page(request: Request) -> Template:
    """13-3: add credit (number of SMS or an amount)."""
    return await _credit_form(request, {})


@post("/credit/proforma", guards=CUSTOMER)
async def credit_proforma(request: Request) -> Template:
    """The pro-forma invoice (پیش‌فاکتور) of the purchase, to confirm."""
    data = await form_data(request)
    try:
        offer = await services.proforma(request.state.user.tenant, data.get("sms_count"), data.get("amount"))
    except DomainError as exc:
        return await _credit_form(request, data, exc.message, exc.status_code)
    return page(request, "billing/proforma.html", offer=offer, values=data, tab="add")


@post("/credit/confirm", guards=CUSTOMER)
async def credit_confirm(request: Request) -> Template | Redirect:
    """Confirmed: issue the invoice and send the payer to the gateway."""
    user = request.state.user
    data = await form_data(request)
    try:
        offer = await services.proforma(user.tenant, data.get("sms_count"), data.get("amount"))
        invoice = await services.credit_invoice(user, offer)
        target = await payments.start_payment(user, invoice, callback_url(request))
    except DomainError as exc:
        return await _credit_form(request, data, exc.message, exc.status_code)
    return Redirect(target, status_code=303)


@get("/billing/callback", guards=[on_tenant])
async def gateway_callback(request: Request, authority: FromQuery[str] = "", status: FromQuery[str] = "") -> Template:
    """The payer is back from ZarinPal (``?Authority=…&Status=OK|NOK``); credit only after verifying."""
    authority = authority or request.query_params.get("Authority", "")
    status = status or request.query_params.get("Status", "")
    tenant = request.state.tenant
    outcome = await payments.handle_callback(tenant.id, request.state.get("user"), authority, status)
    invoice = await scoped(Invoice, tenant.id).get(outcome.payment.invoice) if outcome.payment else None
    code = 200 if outcome.result in ("verified", "already", "pending") else 400
    return page(request, "billing/callback.html", status_code=code, outcome=outcome, message=payments.describe(outcome), invoice=invoice)


@get("/credit/payments", guards=CUSTOMER)
async def online_payments(request: Request, start: FromQuery[str] = "", end: FromQuery[str] = "") -> Template:
    """13-1: every online charge purchase in a Jalali date range."""
    return await _payments_page(request, start, end, verified_only=False, tab="payments")


@get("/credit/charges", guards=CUSTOMER)
async def registered_charges(request: Request, start: FromQuery[str] = "", end: FromQuery[str] = "") -> Template:
    """13-2: the full detail of each verified charge."""
    return await _payments_page(request, start, end, verified_only=True, tab="charges")


async def _payments_page(request: Request, start: str, end: str, verified_only: bool, tab: str) -> Template:
    user = request.state.user
    error = ""
    try:
        period = services.date_range(start, end)
    except DomainError as exc:
        period, error = services.date_range(), exc.message
    rows = await services.payments_of(user, period, verified_only)
    invoices = {i.id: i for i in await scoped(Invoice).objects().where(Invoice.id.is_in([p.invoice for p in rows] or [0]))}
    return page(request, "billing/payments.html", payments=rows, invoices=invoices, period=period, error=error, tab=tab)


@get("/credit/history", guards=CUSTOMER)
async def charge_history(request: Request, start: FromQuery[str] = "", end: FromQuery[str] = "") -> Template:
    """13-4: credit added (purchases, refunds, adjustments) between two Jalali dates."""
    user = request.state.user
    error = ""
    try:
        period = services.date_range(start, end)
    except DomainError as exc:
        period, error = services.date_range(), exc.message
    account = await account_for(user.tenant, user.id)
    query = scoped(LedgerEntry).objects().where((LedgerEntry.account == account.id) & LedgerEntry.kind.is_in(["purchase", "adjustment"]))
    entries = await services.in_range(query, LedgerEntry.created_at, period).order_by(LedgerEntry.id, ascending=False).limit(500)
    return page(request, "billing/history.html", entries=entries, period=period, error=error, tab="history", account=account)


# --- 14 Invoices ------------------------------------------------------------------------------


@get("/invoices", guards=CUSTOMER)
async def invoices_page(request: Request, status: FromQuery[str] = "unpaid") -> Template:
    """14-1 unpaid invoices (pay online), 14-2 paid invoices and the refunded ones."""
    status = status if status in ("paid", "refunded") else "unpaid"
    rows = await services.invoices_query(request.state.user, status)
    return page(request, "billing/invoices.html", invoices=rows, status=status)


@get("/invoices/{invoice_id:int}", guards=PANEL)
async def invoice_page(request: Request, invoice_id: FromPath[int]) -> Template:
    """An invoice, printable (print stylesheet); customers see their own, staff every one of the tenant."""
    invoice = await services.own_invoice(request.state.user, invoice_id)
    invoice.items = services.loaded(invoice.items) or []
    settings = await services.settings_for(invoice.tenant)
    customer = await User.objects().where((User.id == invoice.user) & (User.tenant == invoice.tenant)).first()
    return page(request, "billing/invoice.html", invoice=invoice, tax_percent=settings.tax_percent, customer=customer)


@get("/invoices/{invoice_id:int}/pdf", guards=PANEL)
async def invoice_pdf(request: Request, invoice_id: FromPath[int]) -> Response:
    """The invoice as a PDF download."""
    from payamak_billing_zarinpal.pdf import invoice_pdf as render

    invoice = await services.own_invoice(request.state.user, invoice_id)
    settings = await services.settings_for(invoice.tenant)
    customer = await User.objects().where((User.id == invoice.user) & (User.tenant == invoice.tenant)).first()
    body = render(invoice, request.state.tenant, customer, settings.tax_percent)
    headers = {"Content-Disposition": f'attachment; filename="invoice-{invoice.number}.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)


@post("/invoices/{invoice_id:int}/pay", guards=CUSTOMER)
async def invoice_pay(request: Request, invoice_id: FromPath[int]) -> Redirect:
    """Pay an unpaid invoice online."""
    user = request.state.user
    invoice = await services.own_invoice(user, invoice_id)
    try:
        target = await payments.start_payment(user, invoice, callback_url(request))
    except DomainError as exc:
        flash(request, exc.message, "error")
        return Redirect(f"/invoices/{invoice.id}", status_code=303)
    return Redirect(target, status_code=303)


# --- 12 My numbers: requests --------------------------------------------------------------------


@get("/numbers/requests", guards=CUSTOMER)
async def requested_numbers(request: Request) -> Template:
    """12-2: pending requests and their status."""
    rows = await requests.requests_query(request.state.user, ("pending", "invoiced", "paid"))
    return page(request, "billing/requests.html", requests=rows, tab="requests")


@get("/numbers/rejected", guards=CUSTOMER)
async def rejected_numbers(request: Request) -> Template:
    """12-4: rejected requests and why."""
    rows = await requests.requests_query(request.state.user, ("rejected",))
    return page(request, "billing/rejected.html", requests=rows, tab="rejected")


@get("/numbers/inquiry", guards=CUSTOMER)
async def number_inquiry(request: Request, number_type: FromQuery[str] = "", number: FromQuery[str] = "") -> Template:
    """12-5: is a number free, taken or invalid."""
    result = await requests.availability(number_type, number) if number else ""
    return page(
        request,
        "billing/inquiry.html",
        result=result,
        values={"number_type": number_type, "number": number},
        types=services.NUMBER_TYPES,
        tab="inquiry",
    )


async def _fixed_form(request: Request, values: dict, error: str = "", status: int = 200) -> Template:
    settings = await services.settings_for(request.state.user.tenant)
    return page(
        request,
        "billing/request_fixed.html",
        status_code=status,
        values=values,
        error=error,
        types=services.NUMBER_TYPES,
        prices=services.line_prices(settings),
        tab="fixed",
    )


@get("/numbers/request/fixed", guards=CUSTOMER)
async def fixed_form(request: Request) -> Template:
    """12-3-1: ask for a fixed number."""
    return await _fixed_form(request, {"number_type": services.NUMBER_TYPES[0]})


@post("/numbers/request/fixed", guards=CUSTOMER)
async def fixed_submit(request: Request) -> Template | Redirect:
    data = await form_data(request)
    try:
        await requests.request_fixed(request.state.user, str(data.get("number_type", "")), data.get("number"))
    except DomainError as exc:
        return await _fixed_form(request, data, exc.message, exc.status_code)
    flash(request, _("Your request was sent; you will get an invoice once it is approved."))
    return Redirect("/numbers/requests", status_code=303)


async def _service_form(request: Request, values: dict, error: str = "", status: int = 200) -> Template:
    settings = await services.settings_for(request.state.user.tenant)
    return page(
        request,
        "billing/request_service.html",
        status_code=status,
        values=values,
        error=error,
        types=services.NUMBER_TYPES,
        price=services.line_prices(settings)["service"],
        tab="service",
    )


@get("/numbers/request/service", guards=CUSTOMER)
async def service_form(request: Request) -> Template:
    """12-3-2: a legal entity asks for a service number."""
    return await _service_form(request, {"number_type": services.NUMBER_TYPES[0]})


@post("/numbers/request/service", guards=CUSTOMER, request_max_body_size=DOCUMENTS_LIMIT)
async def service_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "_csrf_token"}
    documents = []
    for upload in form.getall("documents") if hasattr(form, "getall") else [form.get("documents")]:
        if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
            continue
        documents.append(requests.Document(upload.filename, await upload.read(requests.MAX_DOCUMENT_BYTES + 1)))
    try:
        await requests.request_service(request.state.user, values.get("number_type", ""), values.get("number"), values, documents)
    except DomainError as exc:
        return await _service_form(request, values, exc.message, exc.status_code)
    flash(request, _("Your request was sent; staff will review your documents. Please also post the originals."))
    return Redirect("/numbers/requests", status_code=303)


HANDLERS = [
    credit_page,
    credit_proforma,
    credit_confirm,
    gateway_callback,
    online_payments,
    registered_charges,
    charge_history,
    invoices_page,
    invoice_page,
    invoice_pdf,
    invoice_pay,
    requested_numbers,
    rejected_numbers,
    number_inquiry,
    fixed_form,
    fixed_submit,
    service_form,
    service_submit,
]
