"""Sender-line requests (12-2 … 12-5): availability, fixed and service requests, review, activation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from payamak.errors import DomainError, NotFound
from payamak.i18n import latin_digits
from payamak.i18n import lazy_gettext as _
from payamak.messaging.tables import Line, OperatorConnection
from payamak.settings import get_settings
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_billing_zarinpal import services
from payamak_billing_zarinpal.tables import LineRequest

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS = 5
DOCUMENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
OPEN_STATUSES = ("pending", "invoiced")
COMPANY_FIELDS = ("company_name", "national_id", "registration_number", "address", "phone")


def normalise_number(number_type: str, number: Any) -> str | None:
    """The number's digits if it is a valid number of the type (prefix then 4 to 10 more digits)."""
    digits = re.sub(r"[\s\-]", "", latin_digits(str(number or "")))
    if number_type not in services.NUMBER_TYPES or not digits.isdigit():
        return None
    if not digits.startswith(number_type) or not 8 <= len(digits) <= 14:
        return None
    return digits


async def availability(number_type: str, number: Any) -> str:
    """12-5: ``free``, ``taken`` or ``invalid``.

    Sender numbers are unique across the platform, so this looks at every tenant's lines and
    open requests, and answers only whether the number is free.
    """
    digits = normalise_number(number_type, number)
    if digits is None:
        return "invalid"
    if await Line.exists().where(Line.number == digits):
        return "taken"
    if await LineRequest.exists().where((LineRequest.number == digits) & LineRequest.status.is_in(list(OPEN_STATUSES))):
        return "taken"
    return "free"


async def _checked_number(number_type: str, number: Any) -> str:
    state = await availability(number_type, number)
    if state == "invalid":
        raise DomainError("lines.invalid_number", _("This is not a valid number of the chosen type."))
    if state == "taken":
        raise DomainError("lines.number_taken", _("This number is already taken."))
    return normalise_number(number_type, number) or ""


async def request_fixed(user: User, number_type: str, number: Any) -> LineRequest:
    """12-3-1: ask for a fixed number of a type."""
    digits = await _checked_number(number_type, number)
    return await scoped(LineRequest, user.tenant).create(user=user.id, kind="dedicated", number_type=number_type, number=digits)


@dataclass(frozen=True)
class Document:
    """An uploaded document of a service-number request."""

    filename: str
    content: bytes


def _documents_dir(tenant_id: int, request_id: int) -> Path:
    return get_settings().var_dir / "billing" / "documents" / str(tenant_id) / str(request_id)


async def request_service(user: User, number_type: str, number: Any, company: dict[str, Any], documents: list[Document]) -> LineRequest:
    """12-3-2: a legal entity asks for a service number, with company details and documents."""
    details = {name: str(company.get(name, "")).strip()[:300] for name in COMPANY_FIELDS}
    if not details["company_name"] or not details["national_id"]:
        raise DomainError("lines.company_required", _("The company name and national id are required."))
    if not latin_digits(details["national_id"]).isdigit() or len(details["national_id"]) != 11:
        raise DomainError("lines.bad_national_id", _("A company's national id has 11 digits."))
    documents = [d for d in documents if d.filename]
    if not documents:
        raise DomainError("lines.documents_required", _("Attach at least one document (the company's registration notice)."))
    if len(documents) > MAX_DOCUMENTS:
        raise DomainError("lines.too_many_documents", _("Attach at most %(n)s documents."), n=MAX_DOCUMENTS)
    for doc in documents:
        if Path(doc.filename).suffix.lower() not in DOCUMENT_TYPES:
            raise DomainError("lines.document_type", _("%(name)s: only PDF, JPG and PNG files are accepted."), name=doc.filename)
        if len(doc.content) > MAX_DOCUMENT_BYTES:
            raise DomainError("lines.document_size", _("%(name)s is larger than 5 MB."), name=doc.filename)
    digits = await _checked_number(number_type, number)
    row = await scoped(LineRequest, user.tenant).create(
        user=user.id, kind="service", number_type=number_type, number=digits, company=details
    )
    folder = _documents_dir(user.tenant, row.id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = []
    for index, doc in enumerate(documents):
        name = f"{index}{Path(doc.filename).suffix.lower()}"
        (folder / name).write_bytes(doc.content)
        stored.append({"name": Path(doc.filename).name[:100], "file": name, "size": len(doc.content)})
    await scoped(LineRequest, user.tenant).update({LineRequest.documents: stored}).where(LineRequest.id == row.id)
    row.documents = stored
    return row


def document_path(request: LineRequest, index: int) -> tuple[Path, str]:
    """The stored file of a request's document and its original name; 404 when absent."""
    docs = services.loaded(request.documents) or []
    if not 0 <= index < len(docs):
        raise NotFound("document")
    return _documents_dir(request.tenant, request.id) / docs[index]["file"], docs[index]["name"]


def requests_query(user: User, statuses: tuple[str, ...]) -> Any:
    """The user's requests in ``statuses``, newest first."""
    return (
        scoped(LineRequest, user.tenant)
        .objects()
        .where((LineRequest.user == user.id) & LineRequest.status.is_in(list(statuses)))
        .order_by(LineRequest.id, ascending=False)
    )


async def pending_for_review(tenant_id: int) -> list[LineRequest]:
    """Requests staff have to review."""
    return await scoped(LineRequest, tenant_id).objects().where(LineRequest.status == "pending").order_by(LineRequest.id)


async def _pending(tenant_id: int, request_id: Any) -> LineRequest:
    row = await scoped(LineRequest, tenant_id).get(request_id)
    if row is None:
        raise NotFound("line request")
    if row.status != "pending":
        raise DomainError("lines.already_reviewed", _("This request was already reviewed."))
    return row


async def approve(reviewer: User, request_id: Any) -> int:
    """Approve a request: issue an invoice to the customer for the line; returns the invoice id."""
    row = await _pending(reviewer.tenant, request_id)
    settings = await services.settings_for(reviewer.tenant)
    price = services.line_prices(settings)["service" if row.kind == "service" else row.number_type]
    customer = await User.objects().where((User.id == row.user) & (User.tenant == reviewer.tenant)).first()
    description = str(_("Sender line %(number)s")) % {"number": row.number}
    invoice = await services.create_invoice(customer, "line", description, price, settings.tax_percent, line_request=row.id)
    await (
        scoped(LineRequest, reviewer.tenant)
        .update({LineRequest.status: "invoiced", LineRequest.reviewed_at: services.now()})
        .where(LineRequest.id == row.id)
    )
    return invoice.id


async def reject(reviewer: User, request_id: Any, reason: str) -> None:
    """Reject a request with a reason the customer sees (12-4)."""
    row = await _pending(reviewer.tenant, request_id)
    reason = reason.strip()
    if not reason:
        raise DomainError("lines.reason_required", _("Say why the request is rejected."))
    await (
        scoped(LineRequest, reviewer.tenant)
        .update({LineRequest.status: "rejected", LineRequest.reason: reason[:500], LineRequest.reviewed_at: services.now()})
        .where(LineRequest.id == row.id)
    )


async def platform_connection() -> int | None:
    """The connection new lines use: ``BILLING_LINE_CONNECTION`` by name, else the first active one."""
    name = get_settings().extra.get("BILLING_LINE_CONNECTION", "")
    query = OperatorConnection.select(OperatorConnection.id).where(OperatorConnection.status == "active")
    if name:
        query = query.where(OperatorConnection.name == name)
    row = await query.order_by(OperatorConnection.id).first()
    return row["id"] if row else None


async def activate_line(tenant_id: int, request_id: int) -> int | None:
    """Create the active line a paid request bought (inside the payment's transaction); its id."""
    row = await scoped(LineRequest, tenant_id).get(request_id)
    if row is None or row.status not in OPEN_STATUSES:
        return None
    if await Line.exists().where(Line.number == row.number):
        await (
            scoped(LineRequest, tenant_id)
            .update({LineRequest.status: "paid", LineRequest.reason: "number taken at activation; support will assign another"})
            .where(LineRequest.id == row.id)
        )
        return None
    line = Line(
        number=row.number,
        kind="service" if row.kind == "service" else "dedicated",
        connection=await platform_connection(),
        tenant=tenant_id,
        owner=row.user,
        status="active",
        activated_at=services.now(),
    )
    await line.save()
    await scoped(LineRequest, tenant_id).update({LineRequest.status: "active", LineRequest.line: line.id}).where(LineRequest.id == row.id)
    return line.id
