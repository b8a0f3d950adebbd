"""Billing through a real browser and the ZarinPal stand-in: buying credit, requesting a line that a
tenant admin approves, paying its invoice and seeing the line active; printing a paid invoice."""

from __future__ import annotations

import itertools

import pytest
from playwright.async_api import Page, expect

from payamak.i18n import localize_digits
from payamak.messaging.ledger import account_for
from payamak_billing_zarinpal.standin import StandIn
from payamak_billing_zarinpal.testing import billing_tenant
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


@pytest.fixture
async def gateway():
    """Without the embedded mode (Redis configured) the live server finds no stand-in of its own:
    start one on the port it expects. In the embedded mode the server's own one answers."""
    server = StandIn(8600)
    try:
        await server.start()
    except OSError:
        yield None
        return
    yield server
    await server.stop()


def url(tenant, port: str, path: str = "/") -> str:
    return f"http://{tenant.slug}.localhost:{port}{path}"


async def log_in(page: Page, tenant, port: str, username: str) -> None:
    await page.goto(url(tenant, port, "/login"))
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url("**/")


async def pay_at_gateway(page: Page) -> None:
    """On the stand-in's StartPay page: press "pay" and wait for the panel's result page."""
    await page.wait_for_url("http://127.0.0.1:*/pg/StartPay/*")
    await page.click("#pay")
    await page.wait_for_url("**/billing/callback?*")


async def buy_credit(page: Page, tenant, port: str, sms: str = "100") -> None:
    await page.goto(url(tenant, port, "/credit"))
    await page.fill("input[name=sms_count]", sms)
    await page.click("#credit-form button[type=submit]")
    await expect(page.locator("main h1")).to_have_text("پیش‌فاکتور")
    await expect(page.locator("#proforma .total")).to_contain_text("۱۶۵٬۰۰۰")
    await page.click("#confirm-form button[type=submit]")
    await pay_at_gateway(page)
    await expect(page.locator("#payment-result")).to_have_attribute("data-result", "verified")


async def test_buy_credit_request_a_line_admin_approves_pay_its_invoice_and_the_line_is_active(factory, live_server, browser_page, gateway):
    page: Page = browser_page
    world = await billing_tenant(factory)
    admin = await factory.user(world.tenant, "tenant_admin")
    number = f"3000{next(_numbers)}{world.tenant.id:05d}"

    await log_in(page, world.tenant, live_server, world.customer.username)
    await buy_credit(page, world.tenant, live_server)
    assert (await account_for(world.tenant.id, world.customer.id)).available == 150_000

    # 12-5 then 12-3-1: the number is free, request it.
    await page.goto(url(world.tenant, live_server, "/numbers/inquiry"))
    await page.fill("#inquiry-form input[name=number]", number)
    await page.click("#inquiry-form button[type=submit]")
    await expect(page.locator("#inquiry-result")).to_have_attribute("data-result", "free")
    await page.goto(url(world.tenant, live_server, "/numbers/request/fixed"))
    await page.fill("#fixed-form input[name=number]", number)
    await page.click("#fixed-form button[type=submit]")
    await page.wait_for_url("**/numbers/requests")
    await expect(page.locator("#requests tbody tr[data-status=pending]")).to_have_count(1)

    # The tenant admin approves it in another browser session.
    context = await page.context.browser.new_context()
    admin_page = await context.new_page()
    await log_in(admin_page, world.tenant, live_server, admin.username)
    await admin_page.goto(url(world.tenant, live_server, "/billing/requests"))
    await admin_page.click("#review button.approve")
    await expect(admin_page.locator(".flash.success")).to_have_count(1)
    await context.close()

    # 14-1: the customer pays the line's invoice; the line is active in 12-1.
    await page.goto(url(world.tenant, live_server, "/invoices"))
    await page.click("#invoices button[type=submit]")
    await pay_at_gateway(page)
    await expect(page.locator("#payment-result")).to_have_attribute("data-result", "verified")
    await page.goto(url(world.tenant, live_server, "/numbers"))
    row = page.locator("main table tbody tr", has_text=localize_digits(number))
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("فعال")


async def test_a_paid_invoice_prints_without_the_panel_around_it(factory, live_server, browser_page, gateway):
    page: Page = browser_page
    world = await billing_tenant(factory)
    await log_in(page, world.tenant, live_server, world.customer.username)
    await buy_credit(page, world.tenant, live_server)

    await page.goto(url(world.tenant, live_server, "/invoices?status=paid"))
    await page.click("#invoices tbody tr a")
    await expect(page.locator("#invoice")).to_have_attribute("data-status", "paid")
    await expect(page.locator("#invoice .total")).to_contain_text("۱۶۵٬۰۰۰")
    await expect(page.locator("#print")).to_be_visible()
    await page.emulate_media(media="print")
    await expect(page.locator("#print")).to_be_hidden()
    await expect(page.locator(".topbar")).to_be_hidden()
    await expect(page.locator("#invoice")).to_be_visible()
    pdf = await page.pdf()
    assert pdf.startswith(b"%PDF")
