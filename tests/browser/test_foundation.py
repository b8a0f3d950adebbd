"""The foundation seen through a real browser: log-in, profile and password, language,
customers and announcements of a tenant admin, per-tenant branding and unknown hosts."""

from __future__ import annotations

import secrets

import pytest
from playwright.async_api import Page, expect

from payamak.tables import User
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def url(tenant_or_slug: object, port: str, path: str = "/") -> str:
    slug = tenant_or_slug if isinstance(tenant_or_slug, str) else tenant_or_slug.slug
    return f"http://{slug}.localhost:{port}{path}"


async def log_in(page: Page, username: str, password: str) -> None:
    """Fill the log-in form of the page that is open and wait for the dashboard."""
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url("**/")


async def password_hash(user: User) -> str:
    row = await User.select(User.password_hash).where(User.id == user.id).first()
    return row["password_hash"]


async def test_customer_changes_password_switches_to_english_logs_out_and_logs_in_again(factory, live_server, browser_page):
    page: Page = browser_page
    tenant = await factory.tenant(name="پیامک سارا")
    user = await factory.user(tenant, first_name="سارا", last_name="کریمی")
    new_password = "new-password-1"
    old_hash = await password_hash(user)

    # Persian, right-to-left log-in page.
    await page.goto(url(tenant, live_server, "/login"))
    await expect(page.locator("html[lang=fa][dir=rtl]")).to_have_count(1)
    await expect(page.locator("main h1")).to_have_text("ورود")
    await log_in(page, user.username, PASSWORD)
    await expect(page.locator(".topbar .who")).to_have_text("سارا کریمی")

    # My profile → Change password.
    profile_link = page.locator("nav.sidebar a[href='/profile']")
    await expect(profile_link).to_have_text("پروفایل من")
    await profile_link.click()
    await page.wait_for_url("**/profile")
    await expect(page.locator("main h1")).to_have_text("پروفایل من")
    await page.click("a[href='/profile/password']")
    await page.wait_for_url("**/profile/password")
    await expect(page.locator("main h1")).to_have_text("تغییر رمز عبور")

    # A repeat that does not match: an error, and the password stays as it was.
    await page.fill("input[name=old]", PASSWORD)
    await page.fill("input[name=new]", new_password)
    await page.fill("input[name=repeat]", "new-password-2")
    await page.click("form[action='/profile/password'] button[type=submit]")
    error = page.locator(".flash.error[role=alert]")
    await expect(error).to_have_text("رمز عبور جدید با تکرار آن یکسان نیست.")
    assert page.url.endswith("/profile/password")
    assert await password_hash(user) == old_hash

    # The right repeat: changed, back on the profile with the success message.
    await page.fill("input[name=old]", PASSWORD)
    await page.fill("input[name=new]", new_password)
    await page.fill("input[name=repeat]", new_password)
    await page.click("form[action='/profile/password'] button[type=submit]")
    await page.wait_for_url("**/profile")
    await expect(page.locator(".flash[role=status]")).to_have_text("رمز عبور شما تغییر کرد.")
    assert await password_hash(user) != old_hash

    # English, left-to-right, on the same page.
    await page.click("a[href^='/lang/en']")
    await page.wait_for_url("**/profile")
    await expect(page.locator("html[lang=en][dir=ltr]")).to_have_count(1)
    await expect(page.locator("main h1")).to_have_text("My profile")
    await expect(page.locator("nav.sidebar a[href='/profile']")).to_have_text("My profile")

    # Log out: back on the log-in page (still in English), the panel closed.
    await page.click("form[action='/logout'] button")
    await page.wait_for_url("**/login")
    await expect(page.locator("main h1")).to_have_text("Log in")
    await expect(page.locator("form[action='/logout']")).to_have_count(0)

    # The old password no longer opens the panel; the new one does.
    await page.fill("input[name=username]", user.username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await expect(page.locator(".flash.error[role=alert]")).to_have_text("The username or password is not correct.")
    await log_in(page, user.username, new_password)
    await expect(page.locator("main h1")).to_have_text("Dashboard")
    await expect(page.locator(".topbar .who")).to_have_text("سارا کریمی")


async def test_admin_creates_a_customer_and_an_announcement_that_the_customer_sees_on_the_dashboard(factory, live_server, browser_page):
    page: Page = browser_page
    tenant = await factory.tenant(name="پیامک نمایندگی")
    admin = await factory.user(tenant, "tenant_admin", first_name="مدیر")
    username = f"shop{secrets.token_hex(3)}"
    customer_password = "shop-password-7"
    title = "تعطیلی نوروز"
    body = "ارسال پیامک در روزهای اول تا چهارم فروردین با تأخیر انجام می‌شود."

    await page.goto(url(tenant, live_server, "/login"))
    await log_in(page, admin.username, PASSWORD)

    # A customer, through the form.
    await page.goto(url(tenant, live_server, "/manage/customers/new"))
    await expect(page.locator("main h1")).to_have_text("حساب کاربری جدید")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", customer_password)
    await page.fill("input[name=password_repeat]", customer_password)
    await page.fill("input[name=first_name]", "فروشگاه گل")
    await page.click("form[action='/manage/customers/new'] button[type=submit]")
    await page.wait_for_url("**/manage/customers")
    await expect(page.locator(".flash[role=status]")).to_have_text(f"حساب کاربری «{username}» ایجاد شد.")
    await expect(page.locator("main")).to_contain_text(username)
    await expect(page.locator("main")).to_contain_text("فروشگاه گل")

    # An announcement, through the form.
    await page.goto(url(tenant, live_server, "/manage/announcements/new"))
    await page.fill("input[name=title]", title)
    await page.fill("textarea[name=body]", body)
    await page.click("form[action='/manage/announcements/new'] button[type=submit]")
    await page.wait_for_url("**/manage/announcements")
    await expect(page.locator(".flash[role=status]")).to_have_text("اطلاعیه منتشر شد.")
    await expect(page.locator("main")).to_contain_text(title)

    # The customer, in a browser context of their own, logs in and reads it.
    context = await page.context.browser.new_context()
    try:
        customer_page = await context.new_page()
        customer_page.set_default_timeout(15000)
        await customer_page.goto(url(tenant, live_server, "/login"))
        await expect(customer_page.locator("html[lang=fa][dir=rtl]")).to_have_count(1)
        await log_in(customer_page, username, customer_password)
        await expect(customer_page.locator("main h1")).to_have_text("میز کار")
        await expect(customer_page.locator(".topbar .who")).to_contain_text("فروشگاه گل")
        article = customer_page.locator("article.announcement").filter(has_text=title)
        await expect(article.locator("h3")).to_have_text(title)
        await expect(article).to_contain_text(body)
        # A customer has no admin menu.
        await expect(customer_page.locator("nav.sidebar a[href='/manage/customers']")).to_have_count(0)
    finally:
        await context.close()


async def test_each_tenant_shows_its_own_name_and_brand_colour_and_an_unknown_subdomain_is_a_404_page(factory, live_server, browser_page):
    page: Page = browser_page
    blue = await factory.tenant(name="پیامک آبی", primary_color="#1d4ed8")
    red = await factory.tenant(name="Red SMS", primary_color="#b91c1c")

    for tenant, colour in ((blue, "#1d4ed8"), (red, "#b91c1c")):
        response = await page.goto(url(tenant, live_server, "/login"))
        assert response is not None and response.status == 200
        await expect(page.locator(".topbar .brand")).to_have_text(tenant.name)
        await expect(page).to_have_title(f"ورود · {tenant.name}")
        brand = await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand')")
        assert brand.strip().lower() == colour

    unknown = f"nobody-{secrets.token_hex(4)}"
    response = await page.goto(url(unknown, live_server, "/login"))
    assert response is not None and response.status == 404
    await expect(page.locator("main h1")).to_have_text("یافت نشد")
    await expect(page.locator("main")).to_contain_text("چنین صفحه‌ای وجود ندارد.")
    await expect(page.locator("input[name=username]")).to_have_count(0)
    for tenant in (blue, red):
        await expect(page.locator(".topbar .brand")).not_to_have_text(tenant.name)
