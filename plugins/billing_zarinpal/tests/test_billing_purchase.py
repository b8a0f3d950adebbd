"""13-3 over real HTTP against the ZarinPal stand-in: buying credit, and every way a callback
must not add credit (cancel, replay, forgery, amount mismatch, network error, concurrency)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from payamak.messaging import ledger
from payamak.messaging.tables import LedgerEntry
from payamak.tenancy import scoped
from payamak_billing_zarinpal import payments
from payamak_billing_zarinpal.standin import StandIn
from payamak_billing_zarinpal.tables import Invoice, Payment
from payamak_billing_zarinpal.testing import at_gateway, authority_of, billing_tenant, buy
from tests.helpers import text_of
from tests.messaging.conftest import assert_ledger_balances


async def balance(world) -> int:
    return (await ledger.account_for(world.tenant.id, world.customer.id)).available


async def purchases(world) -> int:
    return len(await LedgerEntry.select(LedgerEntry.id).where((LedgerEntry.tenant == world.tenant.id) & (LedgerEntry.kind == "purchase")))


async def test_proforma_shows_price_tax_and_total_of_the_sms_count(shop):
    page = await shop.client.post_form("/credit/proforma", {"sms_count": "۱۰۰"})
    text = text_of(page.text)
    assert page.status_code == 200
    assert "۱۵۰٬۰۰۰" in text and "۱۵٬۰۰۰" in text and "۱۶۵٬۰۰۰" in text  # 100 × 1,500; 10% tax; total


async def test_full_purchase_credits_the_price_once_after_verification(shop):
    start = await buy(shop.client, 100)
    assert start.startswith("http://127.0.0.1:")
    payment = await Payment.objects().where(Payment.tenant == shop.tenant.id).first()
    invoice = await Invoice.objects().where(Invoice.id == payment.invoice).first()
    assert (payment.amount, invoice.subtotal, invoice.tax, invoice.total, invoice.status) == (165_000, 150_000, 15_000, 165_000, "unpaid")
    assert await balance(shop) == 0

    callback = await at_gateway(start, "pay")
    result = await shop.client.get(callback)
    assert result.status_code == 200 and 'data-result="verified"' in result.text
    assert await balance(shop) == 150_000
    payment = await Payment.objects().where(Payment.id == payment.id).first()
    assert payment.status == "verified" and payment.ref_id
    assert (await Invoice.objects().where(Invoice.id == invoice.id).first()).status == "paid"
    await assert_ledger_balances((await ledger.account_for(shop.tenant.id, shop.customer.id)).id)

    # The lists show it: 13-1, 13-2, 13-4 and 14-2.
    for url in ("/credit/payments", "/credit/charges", "/credit/history", "/invoices?status=paid"):
        page = await shop.client.get(url)
        assert page.status_code == 200 and ("۱۶۵٬۰۰۰" in page.text or "۱۵۰٬۰۰۰" in page.text), url


async def test_cancel_at_the_gateway_adds_no_credit(shop):
    callback = await at_gateway(await buy(shop.client), "cancel")
    assert "Status=NOK" in callback
    result = await shop.client.get(callback)
    assert 'data-result="cancelled"' in result.text
    assert await balance(shop) == 0
    assert (await Payment.objects().where(Payment.tenant == shop.tenant.id).first()).status == "cancelled"


async def test_a_replayed_callback_credits_once(shop):
    callback = await at_gateway(await buy(shop.client), "pay")
    first = await shop.client.get(callback)
    second = await shop.client.get(callback)
    assert 'data-result="verified"' in first.text and 'data-result="already"' in second.text
    assert await balance(shop) == 150_000 and await purchases(shop) == 1


async def test_a_forged_callback_with_an_unknown_authority_adds_nothing(shop):
    result = await shop.client.get("/billing/callback?Authority=A" + "0" * 35 + "&Status=OK")
    assert result.status_code == 400 and 'data-result="unknown"' in result.text
    assert await balance(shop) == 0


async def test_status_ok_on_an_unpaid_payment_adds_nothing(shop):
    start = await buy(shop.client)
    authority = start.rsplit("/", 1)[1]
    result = await shop.client.get(f"/billing/callback?Authority={authority}&Status=OK")
    assert 'data-result="failed"' in result.text and await balance(shop) == 0


async def test_an_amount_mismatch_adds_no_credit(shop):
    callback = await at_gateway(await buy(shop.client), "pay")
    await Payment.update({Payment.amount: 1_000}).where(Payment.tenant == shop.tenant.id)  # our record differs from the gateway's
    result = await shop.client.get(callback)
    assert 'data-result="failed"' in result.text and await balance(shop) == 0
    assert (await Payment.objects().where(Payment.tenant == shop.tenant.id).first()).gateway_code == -50


async def test_verify_answering_101_credits_once(shop, standin):
    callback = await at_gateway(await buy(shop.client), "pay")
    payment = await Payment.objects().where(Payment.tenant == shop.tenant.id).first()
    # Someone (another worker, the merchant's dashboard) verified it first: ZarinPal answers 101.
    standin.ledger.payments[payment.authority].status = "verified"
    result = await shop.client.get(callback)
    assert 'data-result="verified"' in result.text
    assert await balance(shop) == 150_000
    assert (await Payment.objects().where(Payment.id == payment.id).first()).gateway_code == 101
    assert 'data-result="already"' in (await shop.client.get(callback)).text
    assert await purchases(shop) == 1


async def test_network_error_during_verify_then_reconciliation_credits(shop, standin):
    callback = await at_gateway(await buy(shop.client), "pay")
    port = standin.port
    await standin.stop()
    try:
        result = await shop.client.get(callback)
        assert result.status_code == 200 and 'data-result="pending"' in result.text
        assert await balance(shop) == 0
    finally:
        restarted = StandIn(port, standin.ledger)
        await restarted.start()
        standin._server, standin._task = restarted._server, restarted._task
    counts = await payments.reconcile()
    assert counts.get("verified", 0) >= 1
    assert await balance(shop) == 150_000
    await payments.reconcile()
    assert await purchases(shop) == 1


async def test_a_payer_who_closed_the_browser_is_credited_by_reconciliation(shop):
    await at_gateway(await buy(shop.client), "pay")  # paid, never came back
    await payments.reconcile()
    assert await balance(shop) == 150_000


async def test_reconciliation_keeps_fresh_unpaid_payments_pending_and_expires_stale_ones(shop):
    await buy(shop.client)
    await payments.reconcile()
    payment = await Payment.objects().where(Payment.tenant == shop.tenant.id).first()
    assert payment.status == "pending"
    await Payment.update({Payment.created_at: payment.created_at - timedelta(hours=1)}).where(Payment.id == payment.id)
    await payments.reconcile()
    assert (await Payment.objects().where(Payment.id == payment.id).first()).status == "expired"
    assert await balance(shop) == 0


async def test_twenty_concurrent_callbacks_for_one_payment_credit_once(shop):
    callback = await at_gateway(await buy(shop.client), "pay")
    results = await asyncio.gather(*(shop.client.get(callback) for _ in range(20)))
    outcomes = [r.text.split('data-result="')[1].split('"')[0] for r in results]
    assert outcomes.count("verified") == 1 and set(outcomes) <= {"verified", "already"}
    assert await balance(shop) == 150_000 and await purchases(shop) == 1


async def test_another_tenants_payment_and_invoice_answer_404_and_its_callback_is_unknown(shop, factory, client_for):
    callback = await at_gateway(await buy(shop.client), "pay")
    invoice = await scoped(Invoice, shop.tenant.id).objects().first()
    other = await billing_tenant(factory)
    client = client_for(other.tenant)
    await client.login(other.customer)
    assert (await client.get(f"/invoices/{invoice.id}")).status_code == 404
    assert (await client.post_form(f"/invoices/{invoice.id}/pay")).status_code == 404
    assert 'data-result="unknown"' in (await client.get(callback)).text
    assert await balance(shop) == 0
    assert authority_of(callback)


async def test_the_periodic_reconciliation_actor_runs_in_the_worker_and_credits_a_paid_payment(shop):
    from payamak.jobs import periodic_tasks
    from payamak_billing_zarinpal.actors import reconcile_payments

    assert ("reconcile_payments", 120) in periodic_tasks()
    await at_gateway(await buy(shop.client), "pay")
    await Payment.update({Payment.created_at: Payment.created_at - timedelta(minutes=2)}).where(Payment.tenant == shop.tenant.id)
    reconcile_payments.send()
    for _ in range(200):
        if await balance(shop) == 150_000:
            break
        await asyncio.sleep(0.05)
    assert await balance(shop) == 150_000 and await purchases(shop) == 1
