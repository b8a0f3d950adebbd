"""8 Reports through a real browser: a customer narrows the sent report to a Jalali range and
a line, reads the totals and the table behind the chart, and downloads the .xlsx."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.async_api import Page, expect

from payamak.messaging.tables import Recipient, SendJob
from payamak.web.formatting import TEHRAN
from payamak_reports.services import jalali_text
from tests.helpers import PASSWORD
from tests.messaging.conftest import make_world

pytestmark = pytest.mark.browser


async def test_customer_reads_the_sent_report_of_a_range_and_downloads_it(factory, live_server, browser_page):
    page: Page = browser_page
    world = await make_world(factory)
    today = datetime.now(TEHRAN).date()
    for back, statuses in ((1, ["delivered", "delivered", "undelivered"]), (3, ["delivered", "submitted"]), (12, ["delivered"])):
        created = datetime.combine(today - timedelta(days=back), time(10), tzinfo=TEHRAN).astimezone(UTC)
        job = await SendJob.insert(
            SendJob(tenant=world.tenant.id, user=world.customer.id, line=world.line.id, text="x", created_at=created)
        )
        await Recipient.insert(
            *[
                Recipient(tenant=world.tenant.id, job=job[0]["id"], number=f"9891200000{n}", parts=2, price=2000, status=s)
                for n, s in enumerate(statuses)
            ]
        )

    await page.goto(f"http://{world.tenant.slug}.localhost:{live_server}/login")
    await page.fill("input[name=username]", world.customer.username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url("**/")
    await expect(page.locator("#traffic-30")).to_be_visible()

    await page.click("nav.sidebar a[href='/reports/sent']")
    await page.wait_for_url("**/reports/sent")
    await expect(page.locator("main h1")).to_have_text("گزارش ارسال")
    await page.fill("input[name=date_from]", jalali_text(today - timedelta(days=6)))
    await page.fill("input[name=date_to]", jalali_text(today))
    await page.select_option("select[name=line]", str(world.line.id))
    await page.click("#report-filters button[type=submit]")
    await expect(page.locator("[data-total=messages]")).to_have_text("۵")
    await expect(page.locator("[data-total=parts]")).to_have_text("۱۰")
    await expect(page.locator("[data-total=delivered]")).to_have_text("۳ (۶۰٫۰٪)")
    await expect(page.locator("#daily tbody tr")).to_have_count(7)

    async with page.expect_download() as download_info:
        await page.click("#export-link")
    download = await download_info.value
    assert download.suggested_filename.startswith("sent-report-") and download.suggested_filename.endswith(".xlsx")
