"""``/api/v1`` of the messaging core: send, status, cancel, inbox, balance, lines; JSON errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from payamak.messaging.connectors import IncomingMessage
from payamak.messaging.receiving import store_incoming
from tests.messaging.conftest import CREDIT, make_world, wait_until_settled


async def _api(world, client_for):
    client = client_for(world.tenant)
    await client.login(world.customer)
    page = await client.post_form("/services/webservice/keys", {"allowed_ips": ""})
    key = re.search(r'id="new-key">(pmk_[^<]+)<', page.text).group(1)
    api = client_for(world.tenant)
    api.headers["X-API-Key"] = key
    return api


async def test_send_then_read_the_status_of_each_recipient(app, factory, client_for):
    world = await make_world(factory)
    api = await _api(world, client_for)
    created = await api.post("/api/v1/messages", json={"to": ["09121111111", "09122222222", "0912-111-1111"], "text": "سلام"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["recipients"] == 2 and body["parts"] == 1 and body["status"] in ("queued", "sending", "done")
    await wait_until_settled(body["id"])
    status = (await api.get(f"/api/v1/messages/{body['id']}")).json()
    assert sorted(r["number"] for r in status["recipients_status"]) == ["989121111111", "989122222222"]
    assert {r["status"] for r in status["recipients_status"]} == {"submitted"}
    balance = (await api.get("/api/v1/balance")).json()
    assert balance["available"] == CREDIT - body["cost"] and balance["reserved"] == 0


async def test_a_scheduled_send_is_cancelled_and_refunded_through_the_api(app, factory, client_for):
    world = await make_world(factory)
    api = await _api(world, client_for)
    when = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    job = (await api.post("/api/v1/messages", json={"to": ["09121111111"], "text": "فردا", "send_at": when})).json()
    assert job["status"] == "scheduled"
    cancelled = await api.delete(f"/api/v1/messages/{job['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await api.delete(f"/api/v1/messages/{job['id']}")
    assert again.status_code == 409 and again.json()["error"]["code"] == "job.not_cancellable"
    assert (await api.get("/api/v1/balance")).json()["available"] == CREDIT


async def test_jalali_send_times_are_accepted(app, factory, client_for):
    world = await make_world(factory)
    api = await _api(world, client_for)
    job = (await api.post("/api/v1/messages", json={"to": ["09121111111"], "text": "x", "send_at": "۱۴۲۰/۱/۱ ۱۰:۰۰"})).json()
    assert job["status"] == "scheduled" and job["scheduled_at"].startswith("2041-03-20T06:30")


async def test_errors_are_json_with_a_stable_code(app, factory, client_for):
    world = await make_world(factory, credit=100)
    api = await _api(world, client_for)
    cases = [
        ({"to": ["0912"], "text": "x"}, 400, "recipients.invalid"),
        ({"to": [], "text": "x"}, 400, "recipients.empty"),
        ({"to": ["09121111111"], "text": "  "}, 400, "text.empty"),
        ({"to": ["09121111111"], "text": "x", "send_at": "tomorrow-ish"}, 400, "send_at.invalid"),
        ({"to": ["09121111111"], "text": "x", "line_id": 999999}, 400, "line.not_found"),
        ({"to": ["09121111111"], "text": "x"}, 402, "credit.insufficient"),
    ]
    for payload, status, code in cases:
        response = await api.post("/api/v1/messages", json=payload)
        assert response.status_code == status, (payload, response.text)
        assert response.json()["error"]["code"] == code
    bad_body = await api.post("/api/v1/messages", json={"text": "no recipients field"})
    assert bad_body.status_code == 400 and "error" in bad_body.json()


async def test_inbox_and_lines_list_only_the_callers_own(app, factory, client_for):
    world = await make_world(factory)
    other = await make_world(factory)
    await store_incoming([IncomingMessage(world.line.number, "09351111111", "mine", datetime.now(UTC)),
                          IncomingMessage(other.line.number, "09352222222", "theirs", datetime.now(UTC))])
    api = await _api(world, client_for)
    inbox = (await api.get("/api/v1/inbox")).json()
    assert [m["text"] for m in inbox] == ["mine"] and inbox[0]["sender"] == "989351111111"
    lines = (await api.get("/api/v1/lines")).json()
    assert [line["number"] for line in lines] == [world.line.number]
