"""The message boxes seen through a real browser: a customer sees received messages on the dashboard and in
the inbox, replies to one (with its cost shown), finds the reply in the outbox, stars it into a template,
deletes a received message and restores it from the trash."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.boxes.conftest import receive
from tests.helpers import PASSWORD
from tests.messaging.conftest import make_world

pytestmark = pytest.mark.browser


def url(tenant: object, port: str, path: str = "/") -> str:
    return f"http://{tenant.slug}.localhost:{port}{path}"


async def test_a_customer_replies_from_the_inbox_stars_the_reply_and_restores_a_deleted_message(factory, live_server, browser_page):
    page: Page = browser_page
    world = await make_world(factory)
    await receive(world, "سلام، ساعت کاری فروشگاه چیست؟", "09121112233", "1403/05/12 09:15")
    await receive(world, "کد تخفیف شما: ۴۴۲۱", "09357778899", "1403/05/12 10:40")

    await page.goto(url(world.tenant, live_server, "/login"))
    await page.fill("input[name=username]", world.customer.username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url("**/")

    # The dashboard: the newest received messages, newest first.
    widget = page.locator("#latest-received")
    await expect(widget.locator("h2")).to_have_text("تازه‌ترین پیام‌های دریافتی")
    await expect(widget.locator("article").first).to_contain_text("کد تخفیف شما: ۴۴۲۱")
    await expect(widget.locator("article").nth(1)).to_contain_text("ساعت کاری فروشگاه")
    await expect(widget.locator("article").first).to_contain_text("۱۴۰۳/۰۵/۱۲ ۱۰:۴۰")

    # The inbox, from the menu.
    menu = page.locator("nav.sidebar")
    for href, label in (
        ("/inbox", "صندوق دریافت"),
        ("/outbox", "صندوق ارسالی"),
        ("/scheduled", "ارسال‌های زمان‌بندی‌شده"),
        ("/templates", "پیام‌های نمونه"),
        ("/trash", "زباله‌دان"),
    ):
        await expect(menu.locator(f"a[href='{href}']")).to_have_text(label)
    await menu.locator("a[href='/inbox']").click()
    await page.wait_for_url("**/inbox")
    await expect(page.locator("main h1")).to_have_text("صندوق دریافت")
    question = page.locator("table.inbox tbody tr").filter(has_text="ساعت کاری فروشگاه")
    await expect(question.locator("td.sender")).to_have_text("۹۸۹۱۲۱۱۱۲۲۳۳")
    await expect(question.locator("td.time")).to_have_text("۱۴۰۳/۰۵/۱۲ ۰۹:۱۵")

    # Reply: the cost appears as the text is typed; the reply goes out and shows in the outbox.
    await question.get_by_role("link", name="پاسخ").click()
    await page.wait_for_url("**/reply")
    await expect(page.locator("main h1")).to_have_text("پاسخ به ۹۸۹۱۲۱۱۱۲۲۳۳")
    await page.fill("textarea[name=text]", "هر روز از ۹ تا ۲۱ در خدمت شما هستیم.")
    await expect(page.locator("#quote")).to_contain_text("هزینه:")
    await expect(page.locator("#quote")).to_contain_text("۱ گیرنده")
    await page.get_by_role("button", name="ارسال پاسخ").click()
    await page.wait_for_url("**/outbox")
    await expect(page.locator(".flash[role=status]")).to_contain_text("پاسخ شما به ۹۸۹۱۲۱۱۱۲۲۳۳ ارسال شد؛ هزینه آن")
    reply = page.locator("table.outbox tbody tr").filter(has_text="هر روز از ۹ تا ۲۱")
    await expect(reply).to_have_count(1)
    await expect(reply.locator("td.recipient")).to_have_text("۹۸۹۱۲۱۱۱۲۲۳۳")

    # The star saves the reply's text as a template.
    await reply.get_by_role("button", name="ذخیره متن به‌عنوان پیام نمونه").click()
    await page.wait_for_url("**/outbox")
    await expect(page.locator(".flash[role=status]")).to_have_text("متن به‌عنوان پیام نمونه ذخیره شد.")
    await page.locator("nav.sidebar a[href='/templates']").click()
    await page.wait_for_url("**/templates")
    await expect(page.locator("table.templates tbody tr td.text")).to_have_text(["هر روز از ۹ تا ۲۱ در خدمت شما هستیم."])
    await expect(page.locator("#template-count")).to_have_text("۱ از حداکثر ۱۰۰ پیام نمونه")

    # Delete a received message: it leaves the inbox for the trash, and comes back from there.
    await page.locator("nav.sidebar a[href='/inbox']").click()
    offer = page.locator("table.inbox tbody tr").filter(has_text="کد تخفیف شما")
    await offer.get_by_role("button", name="حذف").click()
    await page.wait_for_url("**/inbox")
    await expect(page.locator(".flash[role=status]")).to_have_text("پیام به زباله‌دان منتقل شد.")
    await expect(page.locator("table.inbox tbody tr").filter(has_text="کد تخفیف شما")).to_have_count(0)
    await page.locator("nav.sidebar a[href='/trash']").click()
    await page.wait_for_url("**/trash")
    trashed = page.locator("table.trash tbody tr").filter(has_text="کد تخفیف شما")
    await expect(trashed).to_have_count(1)
    await trashed.get_by_role("button", name="برگرداندن به صندوق دریافت").click()
    await page.wait_for_url("**/trash")
    await expect(page.locator(".flash[role=status]")).to_have_text("۱ پیام به صندوق دریافت برگردانده شد.")
    await expect(page.locator("main")).to_contain_text("زباله‌دان خالی است.")
    await page.locator("nav.sidebar a[href='/inbox']").click()
    await expect(page.locator("table.inbox tbody tr").filter(has_text="کد تخفیف شما")).to_have_count(1)
    await expect(page.locator("table.inbox tbody tr")).to_have_count(2)
