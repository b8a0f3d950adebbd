"""Accounts: log-in, throttling, CSRF, profile (10-1), password (10-2), customers, roles."""

from __future__ import annotations

from payamak.accounts.ratelimit import MAX_PER_ACCOUNT
from payamak.tables import User
from tests.helpers import PASSWORD, text_of


async def test_login_page_is_persian_and_rtl_with_the_tenant_brand(factory, client_for):
    tenant = await factory.tenant(name="پیامک آزمون", primary_color="#123456")
    response = await client_for(tenant).get("/login")
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in response.text
    assert "پیامک آزمون" in response.text
    assert "--brand: #123456" in response.text
    assert "ورود" in response.text


async def test_customer_logs_in_sees_dashboard_and_logs_out(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant, first_name="سارا")
    client = client_for(tenant)
    assert (await client.get("/")).headers["location"] == "/login"
    await client.login(user)
    dashboard = await client.get("/")
    assert dashboard.status_code == 200
    assert "سارا" in dashboard.text
    response = await client.post_form("/logout")
    assert response.status_code == 303
    assert (await client.get("/profile")).status_code in (302, 303)


async def test_wrong_password_is_refused_with_a_clear_message(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant)
    client = client_for(tenant)
    response = await client.post_form("/login", {"username": user.username, "password": "nope-nope"})
    assert response.status_code == 400
    assert "نام کاربری یا رمز عبور" in response.text


async def test_a_user_cannot_log_in_on_another_tenants_host(factory, client_for):
    home, other = await factory.tenant(), await factory.tenant()
    user = await factory.user(home)
    response = await client_for(other).post_form("/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 400


async def test_login_is_throttled_after_repeated_failures(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant)
    client = client_for(tenant)
    for _ in range(MAX_PER_ACCOUNT):
        assert (await client.post_form("/login", {"username": user.username, "password": "bad-password"})).status_code == 400
    blocked = await client.post_form("/login", {"username": user.username, "password": PASSWORD})
    assert blocked.status_code == 429


async def test_forms_without_the_csrf_token_are_refused(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant)
    client = client_for(tenant)
    await client.get("/login")
    response = await client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 403


async def test_profile_is_viewed_and_edited_with_field_errors(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant)
    client = client_for(tenant)
    await client.login(user)
    bad = await client.post_form("/profile", {"first_name": "علی", "email": "not-an-email"})
    assert bad.status_code == 400 and "not-an-email" in bad.text
    ok = await client.post_form(
        "/profile", {"first_name": "علی", "last_name": "رضایی", "mobile": "۰۹۱۲۱۲۳۴۵۶۷", "email": "ali@example.com"}
    )
    assert ok.status_code == 303
    saved = await User.objects().where(User.id == user.id).first()
    assert (saved.first_name, saved.mobile, saved.email) == ("علی", "09121234567", "ali@example.com")


async def test_password_change_checks_old_new_and_repeat(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant)
    client = client_for(tenant)
    await client.login(user)
    wrong_old = await client.post_form("/profile/password", {"old": "x" * 9, "new": "new-password-1", "repeat": "new-password-1"})
    assert wrong_old.status_code == 400 and "رمز عبور فعلی" in wrong_old.text
    mismatch = await client.post_form("/profile/password", {"old": PASSWORD, "new": "new-password-1", "repeat": "new-password-2"})
    assert mismatch.status_code == 400
    short = await client.post_form("/profile/password", {"old": PASSWORD, "new": "short", "repeat": "short"})
    assert short.status_code == 400
    ok = await client.post_form("/profile/password", {"old": PASSWORD, "new": "new-password-1", "repeat": "new-password-1"})
    assert ok.status_code == 303
    fresh = client_for(tenant)
    await fresh.login(user, "new-password-1")


async def test_tenant_admin_creates_edits_suspends_and_deletes_a_customer(factory, client_for):
    tenant = await factory.tenant()
    admin = await factory.user(tenant, "tenant_admin")
    client = client_for(tenant)
    await client.login(admin)
    created = await client.post_form(
        "/manage/customers/new",
        {
            "username": "shop1",
            "password": "shop-password",
            "password_repeat": "shop-password",
            "role": "customer",
            "first_name": "فروشگاه",
        },
    )
    assert created.status_code == 303
    customer = await User.objects().where((User.tenant == tenant.id) & (User.username == "shop1")).first()
    assert customer.role == "customer"
    duplicate = await client.post_form(
        "/manage/customers/new", {"username": "shop1", "password": "shop-password", "password_repeat": "shop-password"}
    )
    assert duplicate.status_code == 400 and "shop1" in duplicate.text
    edited = await client.post_form(
        f"/manage/customers/{customer.id}", {"first_name": "فروشگاه نو", "role": "customer", "status": "active"}
    )
    assert edited.status_code == 303
    listing = await client.get("/manage/customers?q=shop")
    assert "فروشگاه نو" in text_of(listing.text)
    await client.post_form(f"/manage/customers/{customer.id}/status", {"status": "suspended"})
    shop = client_for(tenant)
    refused = await shop.post_form("/login", {"username": "shop1", "password": "shop-password"})
    assert refused.status_code == 400
    await client.post_form(f"/manage/customers/{customer.id}/delete")
    assert not await User.exists().where(User.id == customer.id)


async def test_admin_pages_do_not_exist_for_customers(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant)
    client = client_for(tenant)
    await client.login(user)
    assert (await client.get("/manage/customers")).status_code == 404
    assert (await client.get("/manage/announcements")).status_code == 404


async def test_language_switch_to_english_and_back(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant)
    client = client_for(tenant)
    await client.login(user)
    await client.get("/lang/en?next=/")
    page = await client.get("/profile")
    assert '<html lang="en" dir="ltr">' in page.text and "My profile" in page.text
    await client.get("/lang/fa?next=/")
    assert '<html lang="fa" dir="rtl">' in (await client.get("/profile")).text
