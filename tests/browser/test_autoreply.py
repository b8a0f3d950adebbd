"""Auto-reply (section 6) through a real browser: a single responder, a group upload refused for
one bad row (named by its row number, nothing created) then accepted once fixed, a default reply."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from playwright.async_api import Page, expect

from payamak_autoreply.tables import Responder
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


async def keyword_responders(customer_id: int) -> list[Responder]:
    return await Responder.objects().where((Responder.owner == customer_id) & (Responder.kind == "keyword")).order_by(Responder.id)


async def test_customer_adds_a_responder_uploads_a_group_file_fixes_its_bad_row_and_sets_a_default_reply(
    factory, live_server, browser_page
):
    page: Page = browser_page
    world = await make_world(factory)
    await page.goto(url(world.tenant, live_server, "/login"))
    await log_in(page, world.customer.username, PASSWORD)

    # The menu entry, in Persian.
    menu = page.locator("nav.sidebar a[href='/autoreply']")
    await expect(menu).to_have_text("پاسخگویی خودکار")
    await menu.click()
    await page.wait_for_url("**/autoreply")
    await expect(page.locator("main h1")).to_have_text("پاسخگویی خودکار")

    # 6-1 a single responder on the customer's line.
    await page.click("nav.tabs a[href='/autoreply/new']")
    await page.wait_for_url("**/autoreply/new")
    await page.fill("input[name=keywords]", "قیمت، price")
    await page.fill("textarea[name=reply_text]", "فهرست قیمت‌ها: example.com/prices")
    await page.select_option("select[name=line_id]", str(world.line.id))
    await page.click("#responder-form button[type=submit]")
    await page.wait_for_url("**/autoreply")
    await expect(page.locator(".flash[role=status]")).to_have_text("پاسخگو ثبت شد.")
    row = page.locator("#responders tbody tr").first
    await expect(row.locator(".keywords")).to_have_text("قیمت، price")
    await expect(row.locator(".fired")).to_have_text("۰")
    assert [r.keywords for r in await keyword_responders(world.customer.id)] == ["قیمت\nprice"]

    # 6-2 a group file with one bad row: the error names row 3, nothing is created.
    await page.click("nav.tabs a[href='/autoreply/group']")
    await page.wait_for_url("**/autoreply/group")
    await expect(page.locator("a.sample[href='/autoreply/group/sample/xlsx']")).to_have_count(1)
    rows = [
        ["کلمات کلیدی", "پاسخ", "شماره خط"],
        ["ساعت کاری، ساعت", "شنبه تا چهارشنبه ۹ تا ۱۷", ""],
        ["آدرس", "", world.line.number],
        ["تخفیف", "ده درصد تا پایان ماه", world.line.number],
    ]
    await page.set_input_files("#group-form input[name=file]", files=[{"name": "group.xlsx", "mimeType": XLSX, "buffer": workbook(rows)}])
    await page.click("#group-form button[type=submit]")
    await expect(page.locator(".flash.error[role=alert]")).to_have_text("۱ ردیف از فایل خطا دارد. هیچ پاسخگویی ساخته نشد.")
    bad = page.locator("#upload-errors tbody tr")
    await expect(bad).to_have_count(1)
    await expect(bad.locator("td").nth(0)).to_have_text("۳")
    await expect(bad.locator("td").nth(1)).to_have_text("پاسخ")
    await expect(bad.locator("td").nth(2)).to_have_text("متن پاسخ خالی است.")
    assert len(await keyword_responders(world.customer.id)) == 1

    # Fixed and uploaded again: every row becomes a responder.
    rows[2][1] = "تهران، خیابان آزادی"
    await page.set_input_files("#group-form input[name=file]", files=[{"name": "group.xlsx", "mimeType": XLSX, "buffer": workbook(rows)}])
    await page.click("#group-form button[type=submit]")
    await page.wait_for_url("**/autoreply")
    await expect(page.locator(".flash[role=status]")).to_have_text("۳ پاسخگو ساخته شد.")
    await expect(page.locator("#responders tbody tr")).to_have_count(4)
    created = await keyword_responders(world.customer.id)
    assert [(r.keywords, r.line) for r in created[1:]] == [("ساعت کاری\nساعت", None), ("آدرس", world.line.id), ("تخفیف", world.line.id)]

    # 6-3 the line's default reply.
    await page.click("nav.tabs a[href='/autoreply/defaults']")
    await page.wait_for_url("**/autoreply/defaults")
    card = page.locator(f"section.default-line[data-line='{world.line.number}']")
    await card.locator("textarea[name=reply_text]").fill("پیام شما رسید؛ به‌زودی پاسخ می‌دهیم.")
    await card.locator("button[type=submit]").click()
    await page.wait_for_url("**/autoreply/defaults")
    await expect(page.locator(".flash[role=status]")).to_have_text("پاسخ پیش‌فرض ثبت شد.")
    await expect(card.locator("textarea[name=reply_text]")).to_have_value("پیام شما رسید؛ به‌زودی پاسخ می‌دهیم.")
    default = await Responder.objects().where((Responder.owner == world.customer.id) & (Responder.kind == "default")).first()
    assert (default.line, default.reply_text, default.enabled) == (world.line.id, "پیام شما رسید؛ به‌زودی پاسخ می‌دهیم.", True)
