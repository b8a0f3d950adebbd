"""One customer's walk through sending and the boxes in a real browser (Persian UI), on a line whose
connection is a simulator SMSC that sends delivery receipts:

(a) a simple send to two phonebook groups sharing a contact reaches that contact once;
(b) an advanced send from a .txt of Persian-digit numbers;
(c) a peer-to-peer .xlsx with three different future times makes three scheduled jobs;
(d) cancelling one of them on the scheduled page (5-1) returns its credit;
(e) the outbox shows the simulator's 'delivered' receipts;
(f) a received message is replied to, moved to the trash and restored.

The live server's embedded simulator listens on PAYAMAK_SIMULATOR_PORT (2775) only when that port is
free; the test does not depend on it and runs its own simulator on a free port instead."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

import jdatetime
import pytest
from openpyxl import Workbook
from playwright.async_api import Page, expect

from payamak.messaging import ledger
from payamak.messaging.connectors import DELIVERED, IncomingMessage
from payamak.messaging.receiving import store_incoming
from payamak.messaging.tables import Recipient, SendJob
from payamak.web.formatting import TEHRAN
from payamak_operators.simulator import SmscSimulator
from payamak_phonebook import services as phonebook
from tests.browser.test_foundation import log_in, url
from tests.helpers import PASSWORD
from tests.messaging.conftest import make_world

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def jalali_in(days: int, hour: int, minute: int) -> tuple[str, datetime]:
    """A Jalali ``Y/M/D H:m`` some days ahead (Tehran) and the UTC time it names."""
    local = (jdatetime.datetime.now(TEHRAN) + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.strftime("%Y/%m/%d %H:%M"), local.togregorian().astimezone(UTC)


async def available(world) -> int:
    return (await ledger.account_for(world.tenant.id, world.customer.id)).available


async def numbers_of(job_id: int) -> list[str]:
    return sorted(r["number"] for r in await Recipient.select(Recipient.number).where(Recipient.job == job_id))


async def newest_job(world, source: str) -> SendJob:
    job = (
        await SendJob.objects()
        .where((SendJob.user == world.customer.id) & (SendJob.source == source))
        .order_by(SendJob.id, ascending=False)
        .first()
    )
    assert job is not None, source
    return job


@pytest.fixture
async def smsc():
    """A simulator SMSC of this test on a free port: every message delivered, its receipt half a second later."""
    simulator = SmscSimulator("127.0.0.1", 0, receipt_delay=0.5, outcomes={DELIVERED: 1.0})
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()


async def test_a_customer_sends_every_way_cancels_a_scheduled_send_sees_receipts_and_handles_the_inbox(
    app, factory, live_server, browser_page, smsc
):
    # ``app``: with Redis (PostgreSQL runs) ``payamak serve`` only queues sends; this process's worker sends them.
    page: Page = browser_page
    world = await make_world(factory, connector="simulator", settings={"host": "127.0.0.1", "port": smsc.port, "system_id": "payamak"})
    customers = await phonebook.create_group(world.customer, "مشتریان")
    colleagues = await phonebook.create_group(world.customer, "همکاران")
    for name, number, groups in (
        ("سارا", "09124440001", [customers.id]),
        ("رضا", "09124440002", [colleagues.id]),
        ("مینا", "09124440003", [customers.id, colleagues.id]),  # in both groups
    ):
        await phonebook.save_contact(world.customer, phonebook.ContactInput(name=name, number=number, group_ids=groups))

    await page.goto(url(world.tenant, live_server, "/login"))
    await log_in(page, world.customer.username, PASSWORD)

    # (a) 2-1 to both groups: four memberships, three people; the shared contact gets one message.
    await page.click("nav.sidebar a[href='/send/simple']")
    await page.wait_for_url("**/send/simple")
    await page.locator("label.check", has_text="مشتریان").locator("input[name=group]").check()
    await page.locator("label.check", has_text="همکاران").locator("input[name=group]").check()
    await expect(page.locator("#recipient-count")).to_have_attribute("data-count", "3")
    await page.fill("textarea[name=text]", "سلام، جشنوارهٔ پاییزه از فردا آغاز می‌شود.")
    await page.click("#send-form button[type=submit]")
    await page.wait_for_url("**/send/done?jobs=*")
    await expect(page.locator("#jobs tbody tr")).to_have_count(1)
    simple = await newest_job(world, "simple")
    assert simple.recipients == 3
    assert await numbers_of(simple.id) == ["989124440001", "989124440002", "989124440003"]

    # (b) 2-2 from a .txt in Persian digits (one repeated): checked, then sent to the two numbers once each.
    await page.click("nav.sidebar a[href='/send/advanced']")
    await page.wait_for_url("**/send/advanced")
    numbers = "۰۹۱۲۴۴۴۰۰۱۱\r\n۰۹۱۲۴۴۴۰۰۱۲\r\n۰۹۱۲۴۴۴۰۰۱۱\r\n".encode()
    await page.set_input_files(
        "#advanced-form input[name=file]", files=[{"name": "numbers.txt", "mimeType": "text/plain", "buffer": numbers}]
    )
    await page.fill("#advanced-form textarea[name=text]", "یادآوری: نوبت شما فردا ساعت ۱۰ است.")
    await page.click("#advanced-form button[type=submit]")
    await page.wait_for_url("**/send/advanced/*")
    confirm = page.locator("#confirm-form button[type=submit]")
    await expect(confirm).to_contain_text("۲")
    await confirm.click()
    await page.wait_for_url("**/send/done?jobs=*")
    advanced = await newest_job(world, "advanced")
    assert await numbers_of(advanced.id) == ["989124440011", "989124440012"]

    # (c) 2-3: three rows at three future times → three scheduled jobs.
    times = [jalali_in(1, 10, 0), jalali_in(2, 11, 30), jalali_in(3, 18, 45)]
    rows = [["شماره موبایل", "متن", "زمان ارسال"]] + [
        [f"0912444002{i}", f"پیام شخصی {i}", when] for i, (when, _utc) in enumerate(times, start=1)
    ]
    await page.click("nav.sidebar a[href='/send/p2p']")
    await page.wait_for_url("**/send/p2p")
    await page.set_input_files("#p2p-form input[name=file]", files=[{"name": "p2p.xlsx", "mimeType": XLSX, "buffer": workbook(rows)}])
    await page.click("#p2p-form button[type=submit]")
    await page.wait_for_url("**/send/p2p/*")
    await expect(page.locator("#p2p-rows tbody tr")).to_have_count(3)
    await page.click("#confirm-form button[type=submit]")
    await page.wait_for_url("**/send/done?jobs=*")
    await expect(page.locator("#jobs tbody tr[data-status=scheduled]")).to_have_count(3)
    scheduled = (
        await SendJob.objects().where((SendJob.user == world.customer.id) & (SendJob.source == "p2p")).order_by(SendJob.scheduled_at)
    )
    assert [(j.status, j.scheduled_at) for j in scheduled] == [("scheduled", utc) for _when, utc in times]

    # (d) 5-1: cancelling the middle one returns exactly its reserved credit.
    victim = scheduled[1]
    balance = await available(world)
    await page.click("nav.sidebar a[href='/scheduled']")
    await page.wait_for_url("**/scheduled")
    await expect(page.locator("table.scheduled tbody tr[data-id]")).to_have_count(3)
    row = page.locator(f"table.scheduled tbody tr[data-id='{victim.id}']")
    await expect(row.locator("td.time")).to_have_text(times[1][0].translate(PERSIAN))
    page.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="لغو").click()
    await page.wait_for_url("**/scheduled")
    await expect(page.locator(".flash[role=status]")).to_contain_text("به اعتبار شما برگشت")
    await expect(page.locator("table.scheduled tbody tr[data-id]")).to_have_count(2)
    assert (await SendJob.objects().get(SendJob.id == victim.id)).status == "cancelled"
    assert victim.reserved > 0 and await available(world) == balance + victim.reserved

    # (e) The outbox: the simulator's receipts mark the simple and advanced sends delivered.
    await page.click("nav.sidebar a[href='/outbox']")
    await page.wait_for_url("**/outbox")
    delivered = page.locator("table.outbox tbody tr .status-delivered")
    for _ in range(60):
        if await delivered.count() >= 5:
            break
        await asyncio.sleep(0.5)
        await page.reload()
    await expect(delivered).to_have_count(5)
    await expect(delivered.first).to_have_text("تحویل‌شده")
    saga = page.locator("table.outbox tbody tr").filter(has_text="جشنوارهٔ پاییزه")
    await expect(saga).to_have_count(3)
    await expect(saga.locator(".status-delivered")).to_have_count(3)
    assert smsc.parts_accepted == 5  # this test's simulator took them (the scheduled ones have not gone yet)

    # (f) A message arrives: replied to, trashed, restored.
    await store_incoming(
        [
            IncomingMessage(
                line=world.line.number, sender="09124449999", text="سلام، جشنواره تا کی ادامه دارد؟", received_at=datetime.now(UTC)
            )
        ]
    )
    await page.click("nav.sidebar a[href='/inbox']")
    await page.wait_for_url("**/inbox")
    question = page.locator("table.inbox tbody tr").filter(has_text="جشنواره تا کی")
    await expect(question).to_have_count(1)
    await question.get_by_role("link", name="پاسخ").click()
    await page.wait_for_url("**/reply")
    await page.fill("textarea[name=text]", "تا پایان آبان ادامه دارد.")
    await page.get_by_role("button", name="ارسال پاسخ").click()
    await page.wait_for_url("**/outbox")
    await expect(page.locator(".flash[role=status]")).to_contain_text("پاسخ شما به ۹۸۹۱۲۴۴۴۹۹۹۹ ارسال شد")
    await expect(page.locator("table.outbox tbody tr").filter(has_text="تا پایان آبان")).to_have_count(1)

    await page.click("nav.sidebar a[href='/inbox']")
    await page.wait_for_url("**/inbox")
    await page.locator("table.inbox tbody tr").filter(has_text="جشنواره تا کی").get_by_role("button", name="حذف").click()
    await page.wait_for_url("**/inbox")
    await expect(page.locator(".flash[role=status]")).to_have_text("پیام به زباله‌دان منتقل شد.")
    await expect(page.locator("table.inbox tbody tr").filter(has_text="جشنواره تا کی")).to_have_count(0)
    await page.click("nav.sidebar a[href='/trash']")
    await page.wait_for_url("**/trash")
    trashed = page.locator("table.trash tbody tr").filter(has_text="جشنواره تا کی")
    await expect(trashed).to_have_count(1)
    await trashed.get_by_role("button", name="برگرداندن به صندوق دریافت").click()
    await page.wait_for_url("**/trash")
    await expect(page.locator(".flash[role=status]")).to_have_text("۱ پیام به صندوق دریافت برگردانده شد.")
    await page.click("nav.sidebar a[href='/inbox']")
    await expect(page.locator("table.inbox tbody tr").filter(has_text="جشنواره تا کی")).to_have_count(1)
