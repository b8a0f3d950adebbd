"""11-1 Web service: keys shown once, stored hashed, IP allow-lists, revocation, /api/v1/me."""

from __future__ import annotations

import re

from payamak.accounts.services import hash_api_key
from payamak.tables import ApiKey


async def _new_key(client, allowed_ips: str = "") -> str:
    response = await client.post_form("/services/webservice/keys", {"allowed_ips": allowed_ips})
    assert response.status_code == 200, response.text[:500]
    match = re.search(r'id="new-key">(pmk_[^<]+)<', response.text)
    assert match, "the new key is shown once"
    return match.group(1)


async def test_key_is_shown_once_stored_hashed_and_answers_me(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant, first_name="رضا")
    client = client_for(tenant)
    await client.login(user)
    key = await _new_key(client)
    stored = await ApiKey.objects().where(ApiKey.user == user.id).first()
    assert stored.key_hash == hash_api_key(key) and key not in stored.key_hash
    assert key not in (await client.get("/services/webservice")).text
    api = client_for(tenant)
    me = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200
    assert me.json()["username"] == user.username and me.json()["tenant"] == tenant.slug


async def test_missing_or_wrong_key_gets_a_json_401(factory, client_for):
    tenant = await factory.tenant()
    api = client_for(tenant)
    for headers in ({}, {"X-API-Key": "pmk_wrong"}):
        response = await api.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


async def test_ip_allow_list_and_revocation(factory, client_for):
    tenant = await factory.tenant()
    user = await factory.user(tenant)
    client = client_for(tenant)
    await client.login(user)
    bad = await client.post_form("/services/webservice/keys", {"allowed_ips": "999.1.1.1"})
    assert bad.status_code == 400 and "999.1.1.1" in bad.text
    key = await _new_key(client, "203.0.113.7")
    api = client_for(tenant)
    # The test client connects from "testclient", not an allowed address.
    assert (await api.get("/api/v1/me", headers={"X-API-Key": key})).status_code == 401
    row = await ApiKey.objects().where(ApiKey.user == user.id).first()
    await client.post_form(f"/services/webservice/keys/{row.id}/ips", {"allowed_ips": ""})
    assert (await api.get("/api/v1/me", headers={"X-API-Key": key})).status_code == 200
    await client.post_form(f"/services/webservice/keys/{row.id}/revoke")
    assert (await api.get("/api/v1/me", headers={"X-API-Key": key})).status_code == 401


async def test_a_key_works_only_on_its_own_tenants_host(factory, client_for):
    home, other = await factory.tenant(), await factory.tenant()
    user = await factory.user(home)
    client = client_for(home)
    await client.login(user)
    key = await _new_key(client)
    assert (await client_for(other).get("/api/v1/me", headers={"X-API-Key": key})).status_code == 401
