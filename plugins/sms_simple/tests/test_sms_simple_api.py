"""``POST /api/v1/send/p2p``: rows of ``{to, text, send_at}`` become jobs; bad rows come back as JSON, nothing sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from payamak.messaging.tables import Recipient
from tests.messaging.conftest import make_world


async def api_for(world, client_for):
    client = client_for(world.tenant)
    await client.login(world.customer)
    page = await client.post_form("/services/webservice/keys", {"allowed_ips": ""})
    key = re.search(r'id="new-key">(pmk_[^<]+)<', page.text).group(1)
    api = client_for(world.tenant)
    api.headers["X-API-Key"] = key
    return api


async def test_rows_with_their_own_texts_and_times_become_one_job_per_time(world, client_for, kit):
    api = await api_for(world, client_for)
    later = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    response = await api.post(
        "/api/v1/send/p2p",
        json={
            "rows": [
                {"to": "09128000001", "text": "سلام"},
                {"to": "+989128000002", "text": "فردا", "send_at": later.isoformat()},
                {"to": "۰۹۱۲۸۰۰۰۰۰۳", "text": "پس‌فردا", "send_at": "1499/01/01 10:00"},
            ],
            "line_id": world.line.id,
        },
    )
    assert response.status_code == 201, response.text
    jobs = response.json()
    assert [j["status"] for j in jobs][1:] == ["scheduled", "scheduled"] and len(jobs) == 3
    assert jobs[1]["scheduled_at"] == later.isoformat()
    texts = {
        r["number"]: r["text"]
        for r in await Recipient.select(Recipient.number, Recipient.text).where(Recipient.job.is_in([j["id"] for j in jobs]))
    }
    assert texts == {"989128000001": "سلام", "989128000002": "فردا", "989128000003": "پس‌فردا"}

    bare = await api.post("/api/v1/send/p2p", json=[{"to": "09128000004", "text": "x"}])
    assert bare.status_code == 201 and bare.json()[0]["recipients"] == 1


async def test_bad_rows_are_listed_as_json_and_nothing_is_sent(world, client_for, kit):
    api = await api_for(world, client_for)
    response = await api.post(
        "/api/v1/send/p2p",
        json=[
            {"to": "09128000011", "text": "درست"},
            {"to": "123", "text": ""},
            {"to": "09128000013", "text": "x", "send_at": "2001-01-01T00:00:00Z"},
            {"to": "09128000014", "text": "x", "send_at": "someday"},
        ],
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "rows.invalid"
    assert [(r["row"], r["field"]) for r in error["rows"]] == [(2, "to"), (2, "text"), (3, "send_at"), (4, "send_at")]
    assert all(r["problem"] for r in error["rows"])
    assert await kit.jobs_of(world.customer.id) == []


async def test_no_credit_or_a_foreign_line_is_a_json_error_and_nothing_is_persisted(app, factory, client_for, kit):
    poor = await make_world(factory, credit=0)
    api = await api_for(poor, client_for)
    response = await api.post("/api/v1/send/p2p", json=[{"to": "09128000021", "text": "سلام"}])
    assert response.status_code == 402 and response.json()["error"]["code"] == "credit.insufficient"
    other = await make_world(factory)
    foreign = await api.post("/api/v1/send/p2p", json={"rows": [{"to": "09128000021", "text": "x"}], "line_id": other.line.id})
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "line.not_found"
    assert await kit.jobs_of(poor.customer.id) == []
    assert await Recipient.count().where(Recipient.tenant == poor.tenant.id) == 0
    assert (await client_for(poor.tenant).post("/api/v1/send/p2p", json=[])).status_code == 401
