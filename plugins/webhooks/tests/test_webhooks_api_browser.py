"""11 The API documentation page through a real browser: a customer makes a key, reads the
page, copies the curl examples (balance and send) and they work against the live server."""

from __future__ import annotations

import json
import shlex
import subprocess

import pytest
from playwright.async_api import Page, expect

from payamak.messaging.tables import CreditAccount, SendJob
from tests.helpers import PASSWORD
from tests.messaging.conftest import make_world

pytestmark = pytest.mark.browser


async def test_a_customer_copies_the_curl_examples_from_the_api_page_and_they_work(factory, live_server, browser_page):
    page: Page = browser_page
    world = await make_world(factory)
    base = f"http://{world.tenant.slug}.localhost:{live_server}"
    await page.goto(base + "/login")
    await page.fill("input[name=username]", world.customer.username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url("**/")

    await page.goto(base + "/services/webservice")
    await page.click("form[action='/services/webservice/keys'] button[type=submit]")
    key = (await page.locator("#new-key").inner_text()).strip()

    await page.click("nav.sidebar a[href='/services/api']")
    await page.wait_for_url("**/services/api")
    await expect(page.locator("main h1")).to_have_text("مستندات وب‌سرویس")
    await expect(page.locator("#api-base")).to_have_text(base + "/api/v1")
    balance_example = await page.locator("#curl-balance").inner_text()
    send_example = await page.locator("#curl-send").inner_text()
    assert base in balance_example and "YOUR_API_KEY" in balance_example

    def run(example: str) -> dict:
        command = shlex.split(example.replace("YOUR_API_KEY", key))
        assert command[0] == "curl"
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
        return json.loads(done.stdout)

    balance = run(balance_example)
    account = await CreditAccount.objects().where(CreditAccount.user == world.customer.id).first()
    assert balance["available"] == account.available > 0 and balance["currency"] == "IRR"
    job = run(send_example)
    assert job["recipients"] == 1 and job["status"] in ("queued", "sending", "done")
    assert await SendJob.count().where((SendJob.id == job["id"]) & (SendJob.user == world.customer.id)) == 1

    # The full reference is the framework's own docs UI.
    await page.click("#openapi-link")
    await page.wait_for_url("**/api/docs")
