"""Sending (section 2) in a real browser: a simple send whose parts and cost update as the customer
types, then a peer-to-peer file refused for one bad row (shown with its row), fixed and sent."""

from __future__ import annotations

import io
from datetime import timedelta

import jdatetime
import pytest
from openpyxl import Workbook
from playwright.async_api import Page, expect

from payamak.messaging.tables import Recipient, SendJob
from payamak.web.formatting import TEHRAN
from tests.browser.test_foundation import log_in, url
from tests.helpers import PASSWORD
from tests.messaging.conftest import make_world

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_customer_sees_parts_and_cost_live_sends_then_fixes_and_sends_a_p2p_file(factory, live_server, browser_page):
    page: Page = browser_page
    world = await make_world(factory)
    await page.goto(url(world.tenant, live_server, "/login"))
    await log_in(page, world.customer.username, PASSWORD)

    # 2-1 from the menu: two typed numbers (one in Persian digits) are counted by the server.
    menu = page.locator("nav.sidebar a[href='/send/simple']")
    await expect(menu).to_have_text("ارسال ساده")
    await menu.click()
    await page.wait_for_url("**/send/simple")
    await expect(page.locator("main h1")).to_have_text("ارسال ساده")
    await page.fill("textarea[name=numbers]", "09121112222\n۰۹۱۲۱۱۱۳۳۳۳، 09121112222")
    await expect(page.locator("#recipient-count")).to_have_attribute("data-count", "2")
    await expect(page.locator("#recipient-count .duplicates")).to_contain_text("۱")

    # The meter follows the text as it is typed: one Persian part, then two; cost = parts × 1,500 × 2.
    meter = page.locator(".sms-meter")
    await page.locator("textarea[name=text]").press_sequentially("سلام")
    await expect(meter.locator(".sms-chars")).to_have_text("۴")
    await expect(meter.locator(".sms-parts")).to_have_text("۱")
    await expect(meter.locator(".sms-cost")).to_have_text("۳٬۰۰۰")
    await page.fill("textarea[name=text]", "س" * 71)
    await expect(meter.locator(".sms-parts")).to_have_text("۲")
    await expect(meter.locator(".sms-remaining")).to_have_text("۶۳")
    await expect(meter.locator(".sms-cost")).to_have_text("۶٬۰۰۰")
    await page.fill("textarea[name=text]", "Hello Sara")
    await expect(meter.locator("[data-encoding=gsm7]")).to_be_visible()
    await expect(meter.locator(".sms-cost")).to_have_text("۴٬۰۰۰")  # Latin parts cost 2,000 on a dedicated line

    # A third recipient changes the cost without touching the text.
    await page.locator("textarea[name=numbers]").press_sequentially("\n09121114444")
    await expect(page.locator("#recipient-count")).to_have_attribute("data-count", "3")
    await expect(meter.locator(".sms-cost")).to_have_text("۶٬۰۰۰")

    await page.click("#send-form button[type=submit]")
    await page.wait_for_url("**/send/done?jobs=*")
    await expect(page.locator("main h1")).to_have_text("ارسال پذیرفته شد")
    job_row = page.locator("#jobs tbody tr")
    await expect(job_row).to_have_count(1)
    await expect(job_row.locator(".cost")).to_have_text("۶٬۰۰۰")
    job = await SendJob.objects().where(SendJob.user == world.customer.id).first()
    await expect(job_row.locator(f"a[href='/messages/{job.id}']")).to_have_count(1)
    assert job.recipients == 3 and job.text == "Hello Sara"

    # 2-3: a spreadsheet with one bad number in row 3; the error names row 3 and nothing is sent.
    await page.click("nav.sidebar a[href='/send/p2p']")
    await page.wait_for_url("**/send/p2p")
    await expect(page.locator("a.sample[href='/send/p2p/sample/xls']")).to_have_count(1)
    when = (jdatetime.datetime.now(TEHRAN) + timedelta(days=1)).strftime("%Y/%m/%d") + " 10:30"
    rows = [
        ["شماره موبایل", "متن", "زمان ارسال"],
        ["09125550001", "سلام مینا، سفارش شما آماده است.", ""],
        ["0912555", "سلام رضا", when],
        ["09125550003", "سلام سارا", when],
    ]
    await page.set_input_files("#p2p-form input[name=file]", files=[{"name": "p2p.xlsx", "mimeType": XLSX, "buffer": workbook(rows)}])
    await page.click("#p2p-form button[type=submit]")
    await expect(page.locator(".flash.error[role=alert]")).to_contain_text("۱ ردیف خطا دارد")
    bad = page.locator("#row-errors tbody tr")
    await expect(bad).to_have_count(1)
    await expect(bad.locator("td").nth(0)).to_have_text("۳")
    await expect(bad.locator("td").nth(1)).to_have_text("شماره موبایل")
    assert await SendJob.count().where(SendJob.user == world.customer.id) == 1

    # Fixed, checked, previewed and sent: one job now, one at 10:30 tomorrow.
    rows[2][0] = "09125550002"
    await page.set_input_files("#p2p-form input[name=file]", files=[{"name": "p2p.xlsx", "mimeType": XLSX, "buffer": workbook(rows)}])
    await page.click("#p2p-form button[type=submit]")
    await page.wait_for_url("**/send/p2p/*")
    await expect(page.locator("#send-summary .rows")).to_have_text("۳")
    await expect(page.locator("#p2p-rows tbody tr")).to_have_count(3)
    await page.click("#confirm-form button[type=submit]")
    await page.wait_for_url("**/send/done?jobs=*")
    await expect(page.locator("#jobs tbody tr")).to_have_count(2)
    await expect(page.locator("#jobs tbody tr[data-status=scheduled] .when")).to_have_text(
        when.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    )
    texts = sorted(
        r["text"]
        for r in await Recipient.select(Recipient.text).where(
            Recipient.job.is_in(SendJob.select(SendJob.id).where((SendJob.user == world.customer.id) & (SendJob.source == "p2p")))
        )
    )
    assert texts == sorted(["سلام مینا، سفارش شما آماده است.", "سلام رضا", "سلام سارا"])
