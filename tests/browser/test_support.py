"""16 Support through a real browser: a customer opens a ticket, staff reply from the queue,
the customer sees the reply on the dashboard and opens it."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def url(tenant: object, port: str, path: str = "/") -> str:
    return f"http://{tenant.slug}.localhost:{port}{path}"


async def log_in(page: Page, username: str) -> None:
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url("**/")


async def test_customer_opens_a_ticket_staff_reply_and_the_customer_sees_it_on_the_dashboard(factory, live_server, browser_page):
    from payamak_support.tables import Department

    page: Page = browser_page
    tenant = await factory.tenant()
    await Department(tenant=tenant.id, name="پشتیبانی فنی").save()
    customer = await factory.user(tenant, first_name="سارا", last_name="کریمی")
    staff = await factory.user(tenant, "tenant_staff")

    # The customer opens a ticket from the menu.
    await page.goto(url(tenant, live_server, "/login"))
    await log_in(page, customer.username)
    await page.click("nav.sidebar a[href='/support']")
    await page.wait_for_url("**/support")
    await page.click("a[href='/support/new']")
    await page.fill("input[name=subject]", "پیامک‌ها نمی‌رسند")
    await page.select_option("select[name=department]", label="پشتیبانی فنی")
    await page.fill("textarea[name=body]", "از دیروز پیامک‌ها به گیرنده نمی‌رسند.")
    await page.click("form[action='/support/new'] button[type=submit]")
    await page.wait_for_url(re.compile(r"/support/\d+$"))
    await expect(page.locator(".flash[role=status]")).to_have_text("تیکت شما ارسال شد.")
    ticket_path = page.url.split(live_server, 1)[1]
    await expect(page.locator("#ticket-status")).to_have_text("باز")
    await page.click("form[action='/logout'] button")

    # Staff find it in the department's queue and reply.
    await page.goto(url(tenant, live_server, "/login"))
    await log_in(page, staff.username)
    await page.click("nav.sidebar a[href='/manage/support']")
    await page.wait_for_url("**/manage/support")
    await page.click("nav.tabs a:has-text('پشتیبانی فنی')")
    await page.click("#queue a:has-text('پیامک‌ها نمی‌رسند')")
    await expect(page.locator("#messages")).to_contain_text("از دیروز پیامک‌ها به گیرنده نمی‌رسند.")
    await page.fill("#reply-form textarea[name=body]", "خط شما دوباره فعال شد.")
    await page.click("#reply-form button[type=submit]")
    await expect(page.locator("#ticket-status")).to_have_text("پاسخ داده شده")
    await page.click("form[action='/logout'] button")

    # The customer is told on the dashboard and reads the reply.
    await page.goto(url(tenant, live_server, "/login"))
    await log_in(page, customer.username)
    widget = page.locator("#support-replies")
    await expect(widget).to_contain_text("پیامک‌ها نمی‌رسند")
    await widget.locator("a").first.click()
    await page.wait_for_url(f"**{ticket_path}")
    await expect(page.locator("#messages .message.staff")).to_contain_text("خط شما دوباره فعال شد.")
