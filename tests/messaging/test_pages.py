"""Messaging pages: My numbers (12-1), a quick send and its statuses, tenant admins' lines,
credit adjustments and prices, platform admins' connections (passwords never shown back)."""

from __future__ import annotations

import re

from payamak.messaging import ledger
from payamak.messaging.tables import Line, OperatorConnection
from tests.helpers import text_of
from tests.messaging.conftest import CREDIT, assert_ledger_balances, make_world, wait_until_settled


async def test_my_numbers_lists_lines_with_activation_date_and_status(app, factory, client_for):
    w = await make_world(factory)
    client = client_for(w.tenant)
    await client.login(w.customer)
    page = await client.get("/numbers")
    assert page.status_code == 200
    persian_number = w.line.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert persian_number in page.text and "فعال" in page.text


async def test_quick_send_from_the_panel_and_watch_its_statuses(app, factory, client_for):
    w = await make_world(factory)
    client = client_for(w.tenant)
    await client.login(w.customer)
    response = await client.post_form("/messages/new", {"line_id": str(w.line.id), "numbers": "09121111111\n۰۹۱۲۲۲۲۲۲۲۲", "text": "سلام"})
    assert response.status_code == 303
    job_id = int(re.search(r"/messages/(\d+)", response.headers["location"]).group(1))
    await wait_until_settled(job_id)
    detail = await client.get(f"/messages/{job_id}")
    assert detail.status_code == 200 and "ارسال به اپراتور" in text_of(detail.text)
    bad = await client.post_form("/messages/new", {"line_id": str(w.line.id), "numbers": "12", "text": "x"})
    assert bad.status_code == 400 and "#1" in bad.text


async def test_tenant_admin_assigns_lines_adjusts_credit_with_a_reason_and_sets_prices(app, factory, client_for):
    w = await make_world(factory)
    admin = await factory.user(w.tenant, "tenant_admin")
    other_customer = await factory.user(w.tenant)
    client = client_for(w.tenant)
    await client.login(admin)
    assert (await client.post_form(f"/manage/lines/{w.line.id}/assign", {"owner": str(other_customer.id)})).status_code == 303
    assert (await Line.objects().where(Line.id == w.line.id).first()).owner == other_customer.id
    no_reason = await client.post_form(f"/manage/customers/{w.customer.id}/credit", {"amount": "5000", "reason": ""})
    assert no_reason.status_code == 303  # back to the form with the message
    ok = await client.post_form(f"/manage/customers/{w.customer.id}/credit", {"amount": "-۵۰۰۰", "reason": "اصلاح"})
    assert ok.status_code == 303
    account = await ledger.account_for(w.tenant.id, w.customer.id)
    assert account.available == CREDIT - 5000
    too_much = await client.post_form(f"/manage/customers/{w.customer.id}/credit", {"amount": str(-CREDIT), "reason": "too much"})
    assert too_much.status_code == 303
    assert (await ledger.account_for(w.tenant.id, w.customer.id)).available == CREDIT - 5000
    await assert_ledger_balances(account.id)
    assert (await client.post_form("/manage/prices", {"dedicated.ucs2": "۲۰۰۰"})).status_code == 303
    from payamak.messaging.pricing import price_per_part

    assert await price_per_part(w.tenant.id, "dedicated", "ucs2") == 2000
    form = (await client.get("/manage/prices")).text
    assert 'action="/manage/prices"' in form and 'name="dedicated.ucs2" value="2000"' in form


async def test_platform_admin_registers_a_connection_and_a_line_and_never_sees_the_password(app, factory, client_for):
    root = await factory.user(None, "platform_admin")
    tenant = await factory.tenant()
    client = client_for("localhost")
    await client.login(root)
    created = await client.post_form("/admin/connections/new", {"name": "lb-admin-test", "connector": "loopback", "password": "s3cret-pass"})
    assert created.status_code == 303
    connection = await OperatorConnection.objects().where(OperatorConnection.name == "lb-admin-test").first()
    page = await client.get(f"/admin/connections/{connection.id}")
    assert "s3cret-pass" not in page.text
    await client.post_form(f"/admin/connections/{connection.id}", {"password": "", "fail_prefix": "98913", "status": "active"})
    stored = await OperatorConnection.objects().where(OperatorConnection.id == connection.id).first()
    from payamak.tenancy.services import json_dict

    assert json_dict(stored.settings)["password"] == "s3cret-pass"
    line = await client.post_form("/admin/lines/new", {"number": "۰۹۱۲۰۰۰۰۰۱۲", "kind": "shared", "connection": str(connection.id), "tenant": str(tenant.id)})
    assert line.status_code == 303
    assert await Line.exists().where((Line.number == "989120000012") & (Line.tenant == tenant.id))


async def test_the_accepted_send_message_counts_its_recipients_in_the_right_number(app, factory, client_for):
    w = await make_world(factory)
    client = client_for(w.tenant)
    await client.login(w.customer)
    one = await client.post_form("/messages/new", {"line_id": str(w.line.id), "numbers": "09121111111", "text": "سلام"})
    assert "پیام شما به ۱ گیرنده پذیرفته شد." in text_of((await client.get(one.headers["location"])).text)
    await client.get("/lang/en")
    two = await client.post_form("/messages/new", {"line_id": str(w.line.id), "numbers": "09121111111\n09122222222", "text": "hi"})
    assert "Your message to 2 recipients was accepted." in text_of((await client.get(two.headers["location"])).text)
    three = await client.post_form("/messages/new", {"line_id": str(w.line.id), "numbers": "09121111111", "text": "hi"})
    assert "Your message to 1 recipient was accepted." in text_of((await client.get(three.headers["location"])).text)
