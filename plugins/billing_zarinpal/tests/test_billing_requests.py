"""12 My numbers requests: availability inquiry, fixed and service requests, staff review, the line
invoice paid at the stand-in activating the line in 12-1; tenant isolation of requests and documents."""

from __future__ import annotations

import itertools

from payamak.i18n import localize_digits
from payamak.messaging.lines import create_connection
from payamak.messaging.tables import Line
from payamak_billing_zarinpal.services import loaded
from payamak_billing_zarinpal.tables import Invoice, LineRequest
from payamak_billing_zarinpal.testing import at_gateway, billing_tenant

_numbers = itertools.count(1)


def fresh(prefix: str = "3000") -> str:
    return f"{prefix}77{next(_numbers):04d}"


async def staff_client(world, factory, client_for, role: str = "tenant_admin"):
    admin = await factory.user(world.tenant, role)
    client = client_for(world.tenant)
    await client.login(admin)
    return client


async def test_inquiry_says_free_taken_or_invalid(shop):
    number = fresh()
    free = await shop.client.get(f"/numbers/inquiry?number_type=3000&number={number}")
    assert 'data-result="free"' in free.text
    await Line.insert(Line(number=number, kind="dedicated", status="active"))
    assert 'data-result="taken"' in (await shop.client.get(f"/numbers/inquiry?number_type=3000&number={number}")).text
    assert 'data-result="invalid"' in (await shop.client.get("/numbers/inquiry?number_type=3000&number=2000123")).text
    assert 'data-result="invalid"' in (await shop.client.get("/numbers/inquiry?number_type=3000&number=30ab1234")).text


async def test_fixed_request_is_pending_then_taken_for_others(shop):
    number = fresh("2000")
    response = await shop.client.post_form("/numbers/request/fixed", {"number_type": "2000", "number": number})
    assert response.status_code == 303
    page = await shop.client.get("/numbers/requests")
    assert 'data-status="pending"' in page.text
    again = await shop.client.post_form("/numbers/request/fixed", {"number_type": "2000", "number": number})
    assert again.status_code == 400 and await LineRequest.count().where(LineRequest.number == number) == 1


async def test_approve_issues_an_invoice_and_paying_it_activates_the_line_in_my_numbers(shop, factory, client_for):
    await create_connection(f"billing-conn-{shop.tenant.id}", "loopback", {})
    number = fresh("1000")
    await shop.client.post_form("/numbers/request/fixed", {"number_type": "1000", "number": number})
    request = await LineRequest.objects().where(LineRequest.number == number).first()
    admin = await staff_client(shop, factory, client_for)
    assert f'data-request="{request.id}"' in (await admin.get("/billing/requests")).text
    assert (await admin.post_form(f"/billing/requests/{request.id}/approve")).status_code == 303

    invoice = await Invoice.objects().where(Invoice.line_request == request.id).first()
    assert (invoice.kind, invoice.subtotal, invoice.tax, invoice.status) == ("line", 10_000_000, 1_000_000, "unpaid")
    assert f"/invoices/{invoice.id}" in (await shop.client.get("/invoices")).text
    paying = await shop.client.post_form(f"/invoices/{invoice.id}/pay")
    assert paying.status_code == 303
    result = await shop.client.get(await at_gateway(paying.headers["location"], "pay"))
    assert 'data-result="verified"' in result.text

    line = await Line.objects().where(Line.number == number).first()
    assert (line.tenant, line.owner, line.kind, line.status) == (shop.tenant.id, shop.customer.id, "dedicated", "active")
    assert line.activated_at is not None and line.connection is not None
    assert localize_digits(number) in (await shop.client.get("/numbers")).text
    assert (await LineRequest.objects().where(LineRequest.id == request.id).first()).status == "active"


async def test_reject_needs_a_reason_and_the_customer_sees_it(shop, factory, client_for):
    number = fresh()
    await shop.client.post_form("/numbers/request/fixed", {"number_type": "3000", "number": number})
    request = await LineRequest.objects().where(LineRequest.number == number).first()
    admin = await staff_client(shop, factory, client_for, "tenant_staff")
    await admin.post_form(f"/billing/requests/{request.id}/reject", {"reason": ""})
    assert (await LineRequest.objects().where(LineRequest.id == request.id).first()).status == "pending"
    await admin.post_form(f"/billing/requests/{request.id}/reject", {"reason": "شماره برای شرکت دیگری رزرو شده است"})
    page = await shop.client.get("/numbers/rejected")
    assert "شماره برای شرکت دیگری رزرو شده است" in page.text


async def test_service_request_stores_documents_and_refuses_bad_ones(shop, factory, client_for):
    number = fresh()
    company = {
        "number_type": "3000",
        "number": number,
        "company_name": "شرکت نمونه",
        "national_id": "10101234567",
        "_csrf_token": await shop.client.ensure_csrf(),
    }
    too_big = await shop.client.post(
        "/numbers/request/service",
        data=company,
        files={"documents": ("big.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024 + 1), "application/pdf")},
    )
    assert too_big.status_code == 400
    wrong_type = await shop.client.post(
        "/numbers/request/service", data=company, files={"documents": ("run.exe", b"MZ", "application/octet-stream")}
    )
    assert wrong_type.status_code == 400
    ok = await shop.client.post(
        "/numbers/request/service", data=company, files={"documents": ("آگهی.pdf", b"%PDF-1.4 test", "application/pdf")}
    )
    assert ok.status_code == 303
    request = await LineRequest.objects().where(LineRequest.number == number).first()
    company, documents = loaded(request.company), loaded(request.documents)
    assert request.kind == "service" and company["company_name"] == "شرکت نمونه" and documents[0]["name"] == "آگهی.pdf"
    admin = await staff_client(shop, factory, client_for)
    download = await admin.get(f"/billing/requests/{request.id}/documents/0")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 test"
    assert (await shop.client.get(f"/billing/requests/{request.id}/documents/0")).status_code == 404  # customers: no such page


async def test_another_tenants_requests_and_documents_answer_404(shop, factory, client_for):
    number = fresh()
    await shop.client.post_form("/numbers/request/fixed", {"number_type": "3000", "number": number})
    request = await LineRequest.objects().where(LineRequest.number == number).first()
    other = await billing_tenant(factory)
    admin = await staff_client(other, factory, client_for)
    assert (await admin.post_form(f"/billing/requests/{request.id}/approve")).status_code == 404
    assert (await admin.post_form(f"/billing/requests/{request.id}/reject", {"reason": "x"})).status_code == 404
    assert (await admin.get(f"/billing/requests/{request.id}/documents/0")).status_code == 404
    assert (await LineRequest.objects().where(LineRequest.id == request.id).first()).status == "pending"


async def test_tenant_admin_edits_merchant_tax_and_line_prices(shop, factory, client_for):
    admin = await staff_client(shop, factory, client_for)
    form = {
        "merchant_id": "not-a-merchant",
        "gateway": "standin",
        "tax_percent": "9",
        **{f"price_{k}": "3000000" for k in ("3000", "2000", "1000", "service")},
    }
    assert (await admin.post_form("/billing/settings", form)).status_code == 400
    form["merchant_id"] = "1344b5d4-0048-11e8-94db-005056a205be"
    assert (await admin.post_form("/billing/settings", form)).status_code == 303
    proforma = await shop.client.post_form("/credit/proforma", {"amount": "100000"})
    assert "۹٬۰۰۰" in proforma.text  # 9% of 100,000
    staff = await staff_client(shop, factory, client_for, "tenant_staff")
    assert (await staff.get("/billing/settings")).status_code == 404
    assert (await shop.client.get("/billing/settings")).status_code == 404


async def test_invoice_numbers_are_sequential_per_tenant(shop, factory, client_for):
    from payamak_billing_zarinpal.testing import buy

    for _ in range(3):
        await buy(shop.client)
    other = await billing_tenant(factory)
    client = client_for(other.tenant)
    await client.login(other.customer)
    await buy(client)
    mine = [r["number"] for r in await Invoice.select(Invoice.number).where(Invoice.tenant == shop.tenant.id).order_by(Invoice.id)]
    theirs = [r["number"] for r in await Invoice.select(Invoice.number).where(Invoice.tenant == other.tenant.id)]
    assert mine == [1, 2, 3] and theirs == [1]


async def test_printable_invoice_has_a_print_stylesheet(shop):
    from payamak_billing_zarinpal.testing import buy

    await buy(shop.client)
    invoice = await Invoice.objects().where(Invoice.tenant == shop.tenant.id).first()
    page = await shop.client.get(f"/invoices/{invoice.id}")
    assert page.status_code == 200 and "@media print" in page.text and 'id="print"' in page.text and 'id="pay-online"' in page.text


async def test_staff_see_every_customers_payments_and_invoices_of_their_tenant_only(shop, factory, client_for):
    from payamak_billing_zarinpal.testing import buy

    await buy(shop.client)
    invoice = await Invoice.objects().where(Invoice.tenant == shop.tenant.id).first()
    staff = await staff_client(shop, factory, client_for, "tenant_staff")
    assert f'data-number="{invoice.number}"' in (await staff.get("/billing/invoices")).text
    assert "مریم" in (await staff.get("/billing/payments")).text
    assert (await staff.get(f"/invoices/{invoice.id}")).status_code == 200
    other = await billing_tenant(factory)
    other_staff = await staff_client(other, factory, client_for)
    assert (await other_staff.get(f"/invoices/{invoice.id}")).status_code == 404
    assert "مریم" not in (await other_staff.get("/billing/payments")).text


async def test_an_invoice_downloads_as_a_pdf_and_not_for_another_customer(shop, factory, client_for):
    from payamak_billing_zarinpal.testing import buy

    await buy(shop.client)
    invoice = await Invoice.objects().where(Invoice.tenant == shop.tenant.id).first()
    response = await shop.client.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"Vazirmatn" in response.content
    assert f'filename="invoice-{invoice.number}.pdf"' in response.headers["content-disposition"]
    neighbour = await factory.user(shop.tenant)
    client = client_for(shop.tenant)
    await client.login(neighbour)
    assert (await client.get(f"/invoices/{invoice.id}/pdf")).status_code == 404
