"""Refunds of paid invoices by tenant staff: the credit bought is taken back (or the line bought is
suspended) once, in one transaction, with a reason the customer sees; never another tenant's invoice."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from payamak.db import writing
from payamak.errors import DomainError, NotFound
from payamak.messaging import ledger
from payamak.messaging.tables import LedgerEntry, Line
from payamak.tables import User
from payamak_billing_zarinpal.refunds import refund_invoice
from payamak_billing_zarinpal.tables import Invoice, LineRequest
from payamak_billing_zarinpal.testing import at_gateway, billing_tenant, buy
from tests.helpers import text_of
from tests.messaging.conftest import assert_ledger_balances

REASON = "مشتری از خرید منصرف شد"
_numbers = itertools.count(1)


async def staff_of(world, factory, client_for, role: str = "tenant_admin"):
    """A staff member of the world's tenant and a client logged in as them."""
    member = await factory.user(world.tenant, role)
    client = client_for(world.tenant)
    await client.login(member)
    return member, client


async def paid_credit_invoice(world) -> Invoice:
    """100 SMS bought and paid at the stand-in: 150,000 Rials of credit."""
    result = await world.client.get(await at_gateway(await buy(world.client, 100), "pay"))
    assert 'data-result="verified"' in result.text
    return (
        await Invoice.objects()
        .where((Invoice.tenant == world.tenant.id) & (Invoice.kind == "credit"))
        .order_by(Invoice.id, ascending=False)
        .first()
    )


async def paid_line_invoice(world, factory, client_for) -> tuple[Invoice, Line]:
    """A fixed number requested, approved by staff and paid: its line is active."""
    number = f"100066{next(_numbers):04d}"
    await world.client.post_form("/numbers/request/fixed", {"number_type": "1000", "number": number})
    request = await LineRequest.objects().where(LineRequest.number == number).first()
    _, admin = await staff_of(world, factory, client_for)
    assert (await admin.post_form(f"/billing/requests/{request.id}/approve")).status_code == 303
    invoice = await Invoice.objects().where(Invoice.line_request == request.id).first()
    paying = await world.client.post_form(f"/invoices/{invoice.id}/pay")
    assert 'data-result="verified"' in (await world.client.get(await at_gateway(paying.headers["location"], "pay"))).text
    line = await Line.objects().where(Line.number == number).first()
    assert line.status == "active"
    return await Invoice.objects().where(Invoice.id == invoice.id).first(), line


async def balance(world) -> int:
    return (await ledger.account_for(world.tenant.id, world.customer.id)).available


async def another_purchase(world) -> None:
    """150,000 Rials more, so a second refund could not fail for want of credit."""
    async with writing():
        await ledger.credit(await ledger.account_for(world.tenant.id, world.customer.id), 150_000, "purchase", "another purchase")


async def adjustments(world) -> list[LedgerEntry]:
    return await LedgerEntry.objects().where((LedgerEntry.tenant == world.tenant.id) & (LedgerEntry.kind == "adjustment"))


async def status_of(invoice: Invoice) -> str:
    return (await Invoice.objects().where(Invoice.id == invoice.id).first()).status


async def test_refunding_a_credit_invoice_takes_the_credit_back_with_one_adjustment_of_the_reason(shop, factory, client_for):
    invoice = await paid_credit_invoice(shop)
    assert await balance(shop) == 150_000
    admin, client = await staff_of(shop, factory, client_for)

    response = await client.post_form(f"/billing/invoices/{invoice.id}/refund", {"reason": REASON})
    assert response.status_code == 303 and response.headers["location"] == "/billing/invoices?status=paid"
    page = await client.get(response.headers["location"])
    assert 'class="flash success"' in page.text and f'data-number="{invoice.number}"' not in page.text

    assert await balance(shop) == 0
    entries = await adjustments(shop)
    assert len(entries) == 1
    assert entries[0].amount == -150_000 and entries[0].actor == admin.id
    assert entries[0].reason == f"refund of invoice {invoice.number}: {REASON}"
    await assert_ledger_balances((await ledger.account_for(shop.tenant.id, shop.customer.id)).id)
    row = await Invoice.objects().where(Invoice.id == invoice.id).first()
    assert (row.status, row.refund_reason, row.refunded_by) == ("refunded", REASON, admin.id) and row.refunded_at is not None


async def test_a_refund_without_a_reason_is_refused_and_changes_nothing(shop, factory, client_for):
    invoice = await paid_credit_invoice(shop)
    admin, client = await staff_of(shop, factory, client_for, "tenant_staff")
    with pytest.raises(DomainError) as refused:
        await refund_invoice(admin, invoice.id, "   ")
    assert refused.value.code == "billing.refund_reason_required"

    response = await client.post_form(f"/billing/invoices/{invoice.id}/refund", {"reason": ""})
    assert response.status_code == 303
    page = await client.get("/billing/invoices?status=paid")
    assert 'class="flash error"' in page.text and "دلیل استرداد فاکتور را بنویسید." in page.text
    assert await status_of(invoice) == "paid" and await balance(shop) == 150_000 and not await adjustments(shop)


async def test_a_refund_of_credit_the_customer_already_spent_says_how_much_is_left_and_changes_nothing(shop, factory, client_for):
    invoice = await paid_credit_invoice(shop)
    account = await ledger.account_for(shop.tenant.id, shop.customer.id)
    async with writing():  # a send of 100,000 Rials: reserved, then debited
        await ledger.reserve(account, 100_000, job_id=1, count=1)
    await ledger.settle(account.id, shop.tenant.id, 1, debit=100_000, debit_count=1)
    admin, client = await staff_of(shop, factory, client_for)

    with pytest.raises(DomainError) as refused:
        await refund_invoice(admin, invoice.id, REASON)
    assert refused.value.code == "billing.refund_credit_spent" and refused.value.status_code == 409
    assert "۵۰٬۰۰۰" in refused.value.message and "۱۵۰٬۰۰۰" in refused.value.message

    await client.post_form(f"/billing/invoices/{invoice.id}/refund", {"reason": REASON})
    page = text_of((await client.get("/billing/invoices?status=paid")).text)
    assert "فقط ۵۰٬۰۰۰ ریال" in page and "چیزی مسترد نشد" in page

    # Nothing half-applied: the invoice is still paid and unmarked, the balance and the ledger untouched.
    row = await Invoice.objects().where(Invoice.id == invoice.id).first()
    assert (row.status, row.refund_reason, row.refunded_at, row.refunded_by) == ("paid", "", None, None)
    assert await balance(shop) == 50_000 and not await adjustments(shop)
    await assert_ledger_balances(account.id)


async def test_refunding_twice_refunds_once_and_the_second_is_told_it_was_already_refunded(shop, factory, client_for):
    invoice = await paid_credit_invoice(shop)
    await another_purchase(shop)
    admin, client = await staff_of(shop, factory, client_for)
    await client.post_form(f"/billing/invoices/{invoice.id}/refund", {"reason": REASON})
    await client.get("/billing/invoices?status=paid")  # the success message is shown and consumed

    await client.post_form(f"/billing/invoices/{invoice.id}/refund", {"reason": REASON})
    page = await client.get("/billing/invoices?status=paid")
    assert 'class="flash error"' in page.text and "این فاکتور قبلاً مسترد شده است." in page.text
    with pytest.raises(DomainError) as again:
        await refund_invoice(admin, invoice.id, REASON)
    assert again.value.code == "billing.already_refunded" and again.value.status_code == 409
    assert await balance(shop) == 150_000 and len(await adjustments(shop)) == 1


async def test_two_concurrent_refunds_refund_once(shop, factory):
    invoice = await paid_credit_invoice(shop)
    await another_purchase(shop)
    admin = await factory.user(shop.tenant, "tenant_admin")
    results = await asyncio.gather(*(refund_invoice(admin, invoice.id, REASON) for _ in range(2)), return_exceptions=True)
    refunded = [r for r in results if isinstance(r, Invoice)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refunded) == 1 and len(refused) == 1, results
    assert refused[0].code == "billing.already_refunded"
    assert await balance(shop) == 150_000 and len(await adjustments(shop)) == 1
    await assert_ledger_balances((await ledger.account_for(shop.tenant.id, shop.customer.id)).id)


async def test_a_customer_gets_404_on_the_refund_url(shop):
    invoice = await paid_credit_invoice(shop)
    assert (await shop.client.post_form(f"/billing/invoices/{invoice.id}/refund", {"reason": REASON})).status_code == 404
    assert await status_of(invoice) == "paid" and await balance(shop) == 150_000


async def test_another_tenants_admin_gets_404_and_refunds_nothing(shop, factory, client_for):
    invoice = await paid_credit_invoice(shop)
    other = await billing_tenant(factory)
    stranger, client = await staff_of(other, factory, client_for)
    assert (await client.post_form(f"/billing/invoices/{invoice.id}/refund", {"reason": REASON})).status_code == 404
    with pytest.raises(NotFound):
        await refund_invoice(stranger, invoice.id, REASON)
    assert f'data-number="{invoice.number}"' not in (await client.get("/billing/invoices?status=paid")).text
    assert await status_of(invoice) == "paid" and await balance(shop) == 150_000


async def test_an_unpaid_invoice_cannot_be_refunded(shop, factory):
    await buy(shop.client, 100)
    invoice = await Invoice.objects().where(Invoice.tenant == shop.tenant.id).first()
    admin = await factory.user(shop.tenant, "tenant_admin")
    with pytest.raises(NotFound):
        await refund_invoice(admin, invoice.id, REASON)
    assert await status_of(invoice) == "unpaid"


async def test_refunding_a_line_invoice_suspends_the_line(shop, factory, client_for):
    invoice, line = await paid_line_invoice(shop, factory, client_for)
    _, client = await staff_of(shop, factory, client_for)
    assert (await client.post_form(f"/billing/invoices/{invoice.id}/refund", {"reason": REASON})).status_code == 303
    assert (await Line.objects().where(Line.id == line.id).first()).status == "suspended"
    assert await status_of(invoice) == "refunded"
    assert not await adjustments(shop)  # a line invoice moves no credit


async def test_a_refunded_invoice_shows_in_the_refunded_lists_and_on_the_customers_invoice_with_the_reason(shop, factory, client_for):
    invoice = await paid_credit_invoice(shop)
    admin, client = await staff_of(shop, factory, client_for)
    await User.update({User.first_name: "سارا"}).where(User.id == admin.id)
    await client.post_form(f"/billing/invoices/{invoice.id}/refund", {"reason": REASON})

    refunded = await client.get("/billing/invoices?status=refunded")
    assert f'data-number="{invoice.number}"' in refunded.text and REASON in refunded.text and "سارا" in refunded.text
    assert 'id="refund-note"' in refunded.text
    assert f'data-number="{invoice.number}"' not in (await client.get("/billing/invoices?status=paid")).text

    mine = await shop.client.get("/invoices?status=refunded")
    assert f'data-number="{invoice.number}"' in mine.text and REASON in mine.text
    assert f'data-number="{invoice.number}"' not in (await shop.client.get("/invoices?status=paid")).text
    page = await shop.client.get(f"/invoices/{invoice.id}")
    assert page.status_code == 200 and 'data-status="refunded"' in page.text
    assert f"دلیل استرداد: {REASON}" in page.text and "استرداد‌شده در" in page.text and 'id="pay-online"' not in page.text
    pdf = await shop.client.get(f"/invoices/{invoice.id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_the_paid_list_has_a_refund_form_with_a_reason_and_the_csrf_token(shop, factory, client_for):
    invoice = await paid_credit_invoice(shop)
    _, client = await staff_of(shop, factory, client_for, "tenant_staff")
    page = await client.get("/billing/invoices?status=paid")
    assert f'action="/billing/invoices/{invoice.id}/refund"' in page.text
    assert 'name="reason"' in page.text and 'name="_csrf_token"' in page.text


async def test_refunding_a_line_invoice_leaves_a_line_since_given_to_another_customer_alone(shop, factory, client_for):
    invoice, line = await paid_line_invoice(shop, factory, client_for)
    other = await factory.user(shop.tenant)
    await Line.update({Line.owner: other.id}).where(Line.id == line.id)
    _, client = await staff_of(shop, factory, client_for)
    assert (await client.post_form(f"/billing/invoices/{invoice.id}/refund", {"reason": REASON})).status_code == 303
    assert await status_of(invoice) == "refunded"
    assert (await Line.objects().where(Line.id == line.id).first()).status == "active"
