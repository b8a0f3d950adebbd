"""Bulk sends through a real browser, in Persian: every segment 3-1 … 3-5 is calculated and
sent once, the 0935-only filters are refused for another prefix, and the report lists them."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.helpers import PASSWORD
from tests.messaging.conftest import make_world

pytestmark = pytest.mark.browser


async def calculate_and_send(page: Page) -> None:
    await page.fill("textarea[name=text]", "جشنواره پاییزه؛ لغو۱۱")
    await page.click("#calculate")
    await expect(page.locator("#estimate")).to_be_visible()
    await expect(page.locator("#estimate")).to_contain_text("هزینه")
    await page.click("#send")
    await page.wait_for_url("**/bulk/sends/*")
    await expect(page.locator("#bulk-status")).to_have_attribute("data-status", "accepted", timeout=20000)


async def test_customer_calculates_and_sends_once_per_bulk_segment_in_persian(factory, live_server, browser_page):
    from payamak_sms_bulk import databases
    from payamak_sms_bulk.tables import BulkNumber, BulkSend

    page: Page = browser_page
    world = await make_world(factory, kind="advertising", credit=100_000_000)
    database = await databases.create_synthetic("browser synthetic", 4_000, seed=11)
    await databases.grant(world.tenant.id, database.id)
    base = f"http://{world.tenant.slug}.localhost:{live_server}"

    await page.goto(f"{base}/login")
    await page.fill("input[name=username]", world.customer.username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url("**/")
    menu = page.locator("nav.sidebar a[href='/bulk']")
    await expect(menu).to_have_text("ارسال پیامک انبوه")
    await menu.click()
    await page.wait_for_url("**/bulk/regional")
    await expect(page.locator("html[lang=fa][dir=rtl]")).to_have_count(1)

    # 3-1 regional: two areas, a random selection of 30.
    await page.check("input[name=values][value=T05]")
    await page.check("input[name=values][value=K02]")
    await page.check("input[name=mode][value=random]")
    await page.fill("input[name=count]", "30")
    await calculate_and_send(page)

    # 3-2 suburbs, public.
    await page.goto(f"{base}/bulk/suburb")
    await page.check("input[name=values][value=S08]")
    await calculate_and_send(page)

    # 3-3 guilds, sequential from row 5.
    await page.goto(f"{base}/bulk/guild")
    await page.check("input[name=values][value=G01]")
    await page.check("input[name=mode][value=sequential]")
    await page.fill("input[name=count]", "10")
    await page.fill("input[name=start]", "5")
    await calculate_and_send(page)

    # 3-4 Irancell: gender is refused for 0936, allowed for 0935 with Tehran areas.
    await page.goto(f"{base}/bulk/irancell")
    await page.select_option("select[name=prefix]", "0936")
    await page.select_option("select[name=gender]", "f")
    await page.click("#calculate")
    await expect(page.locator(".flash.error")).to_contain_text("۰۹۳۵")
    await expect(page.locator("#send")).to_have_count(0)
    await page.select_option("select[name=prefix]", "0935")
    await page.check("input[name=values][value=T01]")
    await page.check("input[name=values][value=S02]")
    await calculate_and_send(page)

    # 3-5-1 province and city.
    await page.goto(f"{base}/bulk/postal_city")
    await page.select_option("select[name=province]", "P01")
    await page.select_option("select[name=city]", "P01C01")
    await calculate_and_send(page)

    # 3-5-2 the first five digits of a postal code.
    row = await BulkNumber.select(BulkNumber.postal5).where(BulkNumber.database == database.id).first()
    await page.goto(f"{base}/bulk/postal_code")
    await page.fill("input[name=postal5]", row["postal5"])
    await calculate_and_send(page)

    sends = await BulkSend.objects().where(BulkSend.tenant == world.tenant.id).order_by(BulkSend.id)
    assert [s.segment for s in sends] == ["regional", "suburb", "guild", "irancell", "postal_city", "postal_code"]
    assert all(s.status == "accepted" and s.selected > 0 for s in sends)
    assert sends[0].selected == 30 and sends[2].selected == 10

    await page.goto(f"{base}/bulk/report")
    await expect(page.locator("main h1")).to_have_text("گزارش ارسال‌های انبوه")
    await expect(page.locator("#bulk-report tbody tr")).to_have_count(6)
