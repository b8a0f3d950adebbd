"""Tenancy: hosts, branding, suspension, the scoping helper, tenant sync, and isolation."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from payamak.errors import DomainError
from payamak.tables import Announcement, ApiKey, Tenant, User
from payamak.tenancy import NoTenantError, scoped
from payamak.tenancy.services import sync_tenants
from tests.helpers import PASSWORD


async def test_unknown_subdomain_gets_a_404_page(app, client_for):
    response = await client_for("no-such-tenant.localhost").get("/login")
    assert response.status_code == 404
    assert "<html" in response.text


async def test_tenant_found_by_custom_domain_and_by_base_domain(factory, client_for):
    tenant = await factory.tenant(name="دامنه", domains=["panel.example.test"])
    by_domain = await client_for("panel.example.test").get("/login")
    assert by_domain.status_code == 200 and "دامنه" in by_domain.text
    by_port = await client_for("panel.example.test:8443").get("/login")
    assert by_port.status_code == 200
    assert (await client_for(f"{tenant.slug}.localhost").get("/login")).status_code == 200


async def test_suspended_tenant_shows_a_page_saying_so(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant)
    client = client_for(tenant)
    await client.login(user)
    await Tenant.update({Tenant.status: "suspended"}).where(Tenant.id == tenant.id)
    response = await client.get("/")
    assert response.status_code == 503
    assert "suspended" in response.text or "تعلیق" in response.text
    assert (await client.get("/api/v1/me")).status_code == 503


async def test_two_tenants_show_their_own_branding(factory, client_for):
    a = await factory.tenant(name="الف", primary_color="#111111")
    b = await factory.tenant(name="ب", primary_color="#222222")
    page_a = (await client_for(a).get("/login")).text
    page_b = (await client_for(b).get("/login")).text
    assert "--brand: #111111" in page_a and "--brand: #222222" not in page_a
    assert "--brand: #222222" in page_b


async def test_scoped_queries_fail_closed_without_a_tenant():
    with pytest.raises(NoTenantError):
        scoped(Announcement)


async def test_scope_limits_reads_and_writes_to_one_tenant(factory):
    a, b = await factory.tenant(), await factory.tenant()
    await scoped(Announcement, a.id).create(title="A")
    row_b = await scoped(Announcement, b.id).create(title="B")
    assert [r["title"] for r in await scoped(Announcement, a.id).select(Announcement.title)] == ["A"]
    assert await scoped(Announcement, a.id).get(row_b.id) is None
    await scoped(Announcement, a.id).delete().where(Announcement.id == row_b.id)
    assert await Announcement.exists().where(Announcement.id == row_b.id)


async def test_tenants_sync_is_idempotent_and_all_or_nothing(tmp_path: Path, migrated):
    root = tmp_path / "tenants"
    shutil.copytree(ROOT / "tenants", root)
    for folder in root.iterdir():
        toml = folder / "tenant.toml"
        toml.write_text(
            toml.read_text().replace("domains = [", 'domains = ["x-' + folder.name + '.test", ', 1)
            if "domains = [" in toml.read_text()
            else toml.read_text()
        )
        folder.rename(root / f"sync-{folder.name}")
    first = dict(await sync_tenants(root))
    assert set(first.values()) <= {"created", "updated"}
    assert set((await sync_tenants(root)) and dict(await sync_tenants(root)).values()) == {"unchanged"}
    demo = await Tenant.objects().where(Tenant.slug == "sync-demo").first()
    assert demo.logo and demo.logo_type == "image/svg+xml"
    (root / "sync-demo" / "tenant.toml").write_text((root / "sync-demo" / "tenant.toml").read_text().replace("پیامک نمونه", "نام تازه"))
    (root / "sync-nikan" / "tenant.toml").write_text('name = "bad"\n[branding]\nprimary_color = "red"\n')
    with pytest.raises(DomainError) as error:
        await sync_tenants(root)
    assert "sync-nikan" in error.value.message and "red" in error.value.message
    unchanged = await Tenant.objects().where(Tenant.slug == "sync-demo").first()
    assert unchanged.name == "پیامک نمونه"


async def _tenant_b_objects(factory, client_for):
    b = await factory.tenant()
    b_admin = await factory.user(b, "tenant_admin")
    b_customer = await factory.user(b)
    announcement = await scoped(Announcement, b.id).create(title="B secret", author=b_admin.id)
    client = client_for(b)
    await client.login(b_customer)
    await client.post_form("/services/webservice/keys", {"allowed_ips": ""})
    key = await ApiKey.objects().where(ApiKey.user == b_customer.id).first()
    return b, {"user": [b_admin.id, b_customer.id], "announcement": [announcement.id], "key": [key.id]}


async def test_every_id_route_answers_404_for_another_tenants_ids(app, factory, client_for):
    a = await factory.tenant()
    a_admin = await factory.user(a, "tenant_admin")
    a_customer = await factory.user(a)
    b, ids = await _tenant_b_objects(factory, client_for)
    all_ids = sorted({i for values in ids.values() for i in values})
    routes = [(route.path, sorted(route.methods - {"HEAD", "OPTIONS"})) for route in app.routes if re.search(r"\{\w+:int\}", route.path)]
    assert len(routes) >= 8, routes
    a_key = await _api_key_of(a_customer, client_for(a))
    # Ids that are also A's own rows (of another kind) would test nothing: leave them out.
    own = {r["id"] for t in (User, ApiKey, Announcement) for r in await scoped(t, a.id).select(t.id)}
    all_ids = [i for i in all_ids if i not in own]
    assert all_ids
    hijack = {"title": "hijack", "status": "suspended", "allowed_ips": "10.0.0.1", "role": "customer"}
    for who in (a_admin, a_customer):
        client = client_for(a)
        await client.login(who)
        for path, methods in routes:
            for object_id in all_ids:
                url = re.sub(r"\{\w+:int\}", str(object_id), path)
                for method in methods:
                    if path.startswith("/api/"):
                        response = await client.request(method, url, headers={"X-API-Key": a_key})
                    elif method == "GET":
                        response = await client.get(url)
                    else:
                        response = await client.post_form(url, hijack)
                    assert response.status_code == 404, (who.role, method, url, response.status_code)
                    assert "B secret" not in response.text
    # Nothing of tenant B changed.
    assert (await Announcement.objects().where(Announcement.id == ids["announcement"][0]).first()).title == "B secret"
    assert all(u.status == "active" for u in await User.objects().where(User.tenant == b.id))
    key = await ApiKey.objects().where(ApiKey.id == ids["key"][0]).first()
    assert key.revoked_at is None and key.allowed_ips == ""


async def _api_key_of(user, client) -> str:
    await client.login(user)
    response = await client.post_form("/services/webservice/keys", {"allowed_ips": ""})
    return re.search(r'id="new-key">(pmk_[^<]+)<', response.text).group(1)


async def test_api_answers_404_json_not_data_across_tenants(factory, client_for):
    a = await factory.tenant()
    key = await _api_key_of(await factory.user(a), client_for(a))
    _, ids = await _tenant_b_objects(factory, client_for)
    api = client_for(a)
    mine = await api.get("/api/v1/announcements", headers={"X-API-Key": key})
    assert mine.status_code == 200 and mine.json() == []
    answer = await api.get(f"/api/v1/announcements/{ids['announcement'][0]}", headers={"X-API-Key": key})
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found" and "B secret" not in answer.text
    revoke = await api.delete(f"/api/v1/keys/{ids['key'][0]}", headers={"X-API-Key": key})
    assert revoke.status_code == 404 and revoke.json()["error"]["code"] == "not_found"
    assert (await ApiKey.objects().where(ApiKey.id == ids["key"][0]).first()).revoked_at is None


async def test_platform_admin_console_only_on_the_platform_host(factory, client_for):
    root = await factory.user(None, "platform_admin")
    platform = client_for("localhost")
    await platform.login(root)
    assert (await platform.get("/admin")).status_code == 200
    created = await platform.post_form(
        "/admin/tenants/new", {"slug": "fresh-co", "name": "تازه", "primary_color": "#000000", "secondary_color": "#ffffff"}
    )
    assert created.status_code == 303
    tenant = await Tenant.objects().where(Tenant.slug == "fresh-co").first()
    made_admin = await platform.post_form(
        f"/admin/tenants/{tenant.id}/admins", {"username": "boss", "password": PASSWORD, "password_repeat": PASSWORD}
    )
    assert made_admin.status_code == 303
    boss = client_for(tenant)
    await boss.login("boss")
    assert (await boss.get("/manage/customers")).status_code == 200
    # The console does not exist on tenant hosts, and tenant users cannot log in to the platform.
    assert (await boss.get("/admin")).status_code == 404
    assert (await client_for("localhost").post_form("/login", {"username": "boss", "password": PASSWORD})).status_code == 400
