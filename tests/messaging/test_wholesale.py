"""Tenants' wholesale balances: every path that reserves, debits or refunds a customer does the
same to the tenant at its wholesale prices; an exhausted balance refuses sends and tells the
tenant's admins; platform admins set prices and balances, tenant admins only read them."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

from payamak.db import writing
from payamak.messaging import ledger, pipeline, wholesale
from payamak.messaging.connectors import DELIVERED, DeliveryReport
from payamak.messaging.ledger import InsufficientCredit, WholesaleExhausted
from payamak.messaging.pricing import price_per_part, set_price
from payamak.messaging.receiving import confirm_unconfirmed
from payamak.messaging.tables import LedgerEntry, Recipient, SendJob, WholesaleAccount, WholesaleEntry, WholesalePrice
from tests.helpers import text_of
from tests.messaging.conftest import CREDIT, assert_ledger_balances, make_world, wait_until_settled

UCS2 = 400  # wholesale per Persian part on dedicated lines in these tests
GSM7 = 300


async def wholesale_world(factory, *, balance: int, settings: dict | None = None):
    w = await make_world(factory, settings=settings)
    await set_price(w.tenant.id, "dedicated", "ucs2", UCS2, WholesalePrice)
    await set_price(w.tenant.id, "dedicated", "gsm7", GSM7, WholesalePrice)
    if balance:
        await wholesale.top_up(w.tenant.id, balance, "test top-up", None)
    w.wholesale = await ledger.wholesale_account_for(w.tenant.id)
    return w


async def wholesale_check(tenant_id: int) -> dict[str, int]:
    account = await ledger.wholesale_account_for(tenant_id)
    check = await ledger.balance_check(account.id, ledger.WHOLESALE)
    assert check["available"] == check["ledger_available"], check
    assert check["reserved"] == check["ledger_reserved"], check
    assert check["available"] >= 0 and check["reserved"] >= 0
    return check


async def test_a_send_reserves_then_debits_the_tenant_at_wholesale_beside_the_customer_at_retail(app, factory):
    w = await wholesale_world(factory, balance=10_000)
    job = await pipeline.accept_send(w.customer, ["09121111111", "09122222222", "09123333333"], "سلام")
    assert await Recipient.count().where((Recipient.job == job.id) & (Recipient.wholesale == UCS2)) == 3
    assert await wait_until_settled(job.id) == {"submitted": 3}
    check = await wholesale_check(w.tenant.id)
    assert (check["available"], check["reserved"]) == (10_000 - 3 * UCS2, 0)
    customer = await assert_ledger_balances(w.account.id)
    assert customer["available"] == CREDIT - 3 * job.per_part
    kinds = [e.kind for e in await WholesaleEntry.objects().where(WholesaleEntry.job == job.id)]
    assert kinds.count("reserve") == 1 and "debit" in kinds and "refund" not in kinds


async def test_rows_the_operator_refuses_give_the_wholesale_back_too(app, factory):
    w = await wholesale_world(factory, balance=10_000, settings={"fail_prefix": "98913"})
    job = await pipeline.accept_send(w.customer, ["09121111111", "09131111111", "09132222222"], "x")
    assert await wait_until_settled(job.id) == {"submitted": 1, "failed": 2}
    check = await wholesale_check(w.tenant.id)
    assert (check["available"], check["reserved"]) == (10_000 - GSM7, 0)  # "x" is Latin: one GSM-7 part
    await assert_ledger_balances(w.account.id)


async def test_cancelling_a_scheduled_send_returns_its_wholesale_reservation(app, factory):
    w = await wholesale_world(factory, balance=10_000)
    job = await pipeline.accept_send(
        w.customer, ["09121111111", "09122222222"], "بعداً", scheduled_at=datetime.now(UTC) + timedelta(hours=1)
    )
    assert (await wholesale_check(w.tenant.id))["reserved"] == 2 * UCS2
    await pipeline.cancel_job(w.customer, job.id)
    check = await wholesale_check(w.tenant.id)
    assert (check["available"], check["reserved"]) == (10_000, 0)


async def test_a_peer_to_peer_send_reserves_each_rows_own_wholesale_cost(app, factory):
    w = await wholesale_world(factory, balance=10_000)
    rows = [
        pipeline.PersonalRow("09121111111", "سلام"),
        pipeline.PersonalRow("09122222222", "hello"),
        pipeline.PersonalRow("09123333333", "ب" * 71),  # two Persian parts
    ]
    jobs = await pipeline.accept_personal(w.customer, rows)
    expected = UCS2 + GSM7 + 2 * UCS2
    assert sum(r["wholesale"] for r in await Recipient.select(Recipient.wholesale).where(Recipient.job == jobs[0].id)) == expected
    for job in jobs:
        await wait_until_settled(job.id)
    check = await wholesale_check(w.tenant.id)
    assert (check["available"], check["reserved"]) == (10_000 - expected, 0)


async def test_a_row_confirmed_by_its_receipt_after_a_crash_debits_the_wholesale_reservation(app, factory):
    w = await wholesale_world(factory, balance=10_000)
    job = await pipeline.accept_send(w.customer, ["09124444444"], "خرابی", scheduled_at=datetime.now(UTC) + timedelta(hours=1))
    await Recipient.update({Recipient.status: "unconfirmed", Recipient.claimed_at: datetime.now(UTC)}).where(Recipient.job == job.id)
    await SendJob.update({SendJob.status: "sending"}).where(SendJob.id == job.id)
    left = await confirm_unconfirmed(w.connection.id, [DeliveryReport("late-1", DELIVERED, recipient="09124444444", line=w.line.number)])
    assert left == []
    check = await wholesale_check(w.tenant.id)
    assert (check["available"], check["reserved"]) == (10_000 - UCS2, 0)
    await assert_ledger_balances(w.account.id)


async def test_an_exhausted_wholesale_balance_refuses_the_send_whole_and_records_it_for_the_admins(app, factory):
    w = await wholesale_world(factory, balance=UCS2)
    with pytest.raises(WholesaleExhausted) as refused:
        await pipeline.accept_send(w.customer, ["09121111111", "09122222222"], "دو نفر")
    # The customer learns nothing of the tenant's money, and nothing was kept or reserved.
    assert refused.value.code == "credit.wholesale_exhausted" and str(UCS2) not in refused.value.message
    assert await SendJob.count().where(SendJob.user == w.customer.id) == 0
    assert (await assert_ledger_balances(w.account.id))["available"] == CREDIT
    assert not await LedgerEntry.exists().where((LedgerEntry.kind == "reserve") & (LedgerEntry.account == w.account.id))
    account = await ledger.wholesale_account_for(w.tenant.id)
    assert (account.available, account.reserved, account.refused_sends) == (UCS2, 0, 1) and account.refused_at is not None
    with pytest.raises(WholesaleExhausted):
        await pipeline.accept_personal(w.customer, [pipeline.PersonalRow("09121111111", "الف"), pipeline.PersonalRow("09122222222", "ب")])
    assert (await ledger.wholesale_account_for(w.tenant.id)).refused_sends == 2
    one = await pipeline.accept_send(w.customer, ["09121111111"], "یک نفر")  # still covers one part
    await wait_until_settled(one.id)
    await wholesale.top_up(w.tenant.id, 5_000, "واریز ۱۲۳", None)
    account = await ledger.wholesale_account_for(w.tenant.id)
    assert (account.available, account.refused_sends, account.refused_at) == (5_000, 0, None)
    await wholesale_check(w.tenant.id)


async def test_a_customer_short_of_credit_hears_of_their_own_balance_first(app, factory):
    w = await wholesale_world(factory, balance=0)
    async with writing():
        await ledger.credit(w.account, -CREDIT, "adjustment", "empty")
    with pytest.raises(InsufficientCredit) as refused:
        await pipeline.accept_send(w.customer, ["09121111111"], "x")
    assert refused.value.code == "credit.insufficient"
    assert (await ledger.wholesale_account_for(w.tenant.id)).refused_sends == 0


async def test_concurrent_sends_never_overdraw_the_wholesale_balance(app, factory):
    w = await wholesale_world(factory, balance=2 * UCS2 * 8 + UCS2)  # covers 8 sends of 2

    async def one(i: int):
        try:
            return await pipeline.accept_send(w.customer, [f"0912{i:07d}", f"0913{i:07d}"], "هم‌زمان")
        except WholesaleExhausted:
            return None

    jobs = await asyncio.gather(*(one(i) for i in range(20)))
    accepted = [j for j in jobs if j is not None]
    assert len(accepted) == 8
    for job in accepted:
        await wait_until_settled(job.id)
    check = await wholesale_check(w.tenant.id)
    assert (check["available"], check["reserved"]) == (UCS2, 0)
    assert (await ledger.wholesale_account_for(w.tenant.id)).refused_sends == 12
    customer = await assert_ledger_balances(w.account.id)
    assert customer["available"] == CREDIT - 8 * 2 * await price_per_part(w.tenant.id, "dedicated", "ucs2")


async def test_a_tenant_without_wholesale_prices_sends_without_wholesale_charges(world):
    job = await pipeline.accept_send(world.customer, ["09121111111"], "free")
    await wait_until_settled(job.id)
    assert not await WholesaleEntry.exists().where(WholesaleEntry.tenant == world.tenant.id)
    assert await WholesaleAccount.count().where(WholesaleAccount.tenant == world.tenant.id) == 0


async def test_top_ups_need_a_reason_and_never_take_the_balance_below_zero(app, factory):
    w = await wholesale_world(factory, balance=1_000)
    with pytest.raises(Exception) as no_reason:
        await wholesale.top_up(w.tenant.id, 500, "  ", None)
    assert no_reason.value.code == "wholesale.reason_required"
    with pytest.raises(Exception) as too_much:
        await wholesale.top_up(w.tenant.id, -1_001, "اصلاح", None)
    assert too_much.value.code == "wholesale.below_zero"
    assert (await wholesale.top_up(w.tenant.id, -1_000, "اصلاح", None)).available == 0
    await wholesale_check(w.tenant.id)


async def test_platform_admins_set_prices_and_balance_and_tenant_admins_see_refusals(app, factory, client_for):
    w = await make_world(factory)
    root = await factory.user(None, "platform_admin")
    admin = await factory.user(w.tenant, "tenant_admin")
    platform = client_for("localhost")
    await platform.login(root)
    assert (await platform.get(f"/admin/tenants/{w.tenant.id}/wholesale")).status_code == 200
    prices = {f"{k}.{e}": "0" for k in ("dedicated", "shared", "advertising", "service") for e in ("ucs2", "gsm7")}
    saved = await platform.post_form(f"/admin/tenants/{w.tenant.id}/wholesale/prices", {**prices, "dedicated.ucs2": "۲٬۰۰۰"})
    assert saved.status_code == 303
    assert (
        await WholesalePrice.objects()
        .where((WholesalePrice.tenant == w.tenant.id) & (WholesalePrice.line_kind == "dedicated") & (WholesalePrice.encoding == "ucs2"))
        .first()
    ).per_part == 2_000
    await platform.post_form(f"/admin/tenants/{w.tenant.id}/wholesale/balance", {"amount": "۳۰۰۰", "reason": "واریز"})
    assert (await ledger.wholesale_account_for(w.tenant.id)).available == 3_000
    refused_change = await platform.post_form(f"/admin/tenants/{w.tenant.id}/wholesale/balance", {"amount": "-5000", "reason": "x"})
    assert refused_change.status_code == 303
    assert "۳٬۰۰۰" in text_of((await platform.get(f"/admin/tenants/{w.tenant.id}/wholesale")).text)

    customer = client_for(w.tenant)
    await customer.login(w.customer)
    one = await customer.post_form("/messages/new", {"line_id": str(w.line.id), "numbers": "09121111111", "text": "سلام"})
    assert one.status_code == 303
    await wait_until_settled(int(one.headers["location"].rsplit("/", 1)[1]))
    sent = await customer.post_form("/messages/new", {"line_id": str(w.line.id), "numbers": "09121111111\n09122222222", "text": "سلام"})
    assert sent.status_code == 402 and "پشتیبانی" in text_of(sent.text) and "۱٬۰۰۰" not in text_of(sent.text)
    assert (await customer.get("/manage/wholesale")).status_code == 404

    tenant_admin = client_for(w.tenant)
    await tenant_admin.login(admin)
    dashboard = text_of((await tenant_admin.get("/")).text)
    assert "اعتبار عمدهٔ شما تمام شده است" in dashboard
    own = text_of((await tenant_admin.get("/manage/wholesale")).text)
    assert "اعتبار عمدهٔ شما تمام شده است" in own and "۱٬۰۰۰" in own and "واریز" in own
    assert "تحویل به اپراتور" in own and "رزرو برای ارسال" in own and "send reserved" not in own
    assert re.search("ارسال [۰-۹]+، ۱ پیامک", own)
    assert (await tenant_admin.get(f"/admin/tenants/{w.tenant.id}/wholesale")).status_code == 404
    assert "ارسال‌ها رد شد" in text_of((await platform.get("/admin")).text)


async def test_a_wholesale_price_form_with_one_bad_or_missing_price_saves_none(app, factory, client_for):
    w = await make_world(factory)
    root = await factory.user(None, "platform_admin")
    platform = client_for("localhost")
    await platform.login(root)
    prices = {f"{k}.{e}": "100" for k in ("dedicated", "shared", "advertising", "service") for e in ("ucs2", "gsm7")}
    for bad in (
        {**prices, "service.gsm7": "20000000"},
        {**prices, "shared.ucs2": "ده"},
        {k: v for k, v in prices.items() if k != "service.ucs2"},
    ):
        assert (await platform.post_form(f"/admin/tenants/{w.tenant.id}/wholesale/prices", bad)).status_code == 303
        assert not await WholesalePrice.exists().where(WholesalePrice.tenant == w.tenant.id)
    assert (await platform.post_form(f"/admin/tenants/{w.tenant.id}/wholesale/prices", prices)).status_code == 303
    assert await WholesalePrice.count().where(WholesalePrice.tenant == w.tenant.id) == 8
    page = await platform.get(f"/admin/tenants/{w.tenant.id}/wholesale")
    # The platform console keeps its own header: the tenant shown is the subject, not the brand.
    assert w.tenant.name in page.text and f"<span>{w.tenant.name}</span>" not in page.text and "<span>سامانه پیامک</span>" in page.text
