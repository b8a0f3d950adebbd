"""11 Webhooks against a real HTTP receiver on loopback: calls are signed with the customer's
secret, a receiver that was down gets every event once it is back, retries back off, and no
event is delivered twice to a receiver that answered 2xx."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
from datetime import UTC, datetime, timedelta

import pytest

from payamak.messaging import pipeline
from payamak.messaging.connectors import DELIVERED, UNDELIVERED, DeliveryReport, IncomingMessage
from payamak.messaging.receiving import apply_receipts, store_incoming
from payamak.messaging.tables import Recipient
from payamak.tenancy.scope import tenant_context
from payamak_webhooks import outbox, services
from payamak_webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.messaging.conftest import make_world, wait_until_settled

_senders = itertools.count(3_000_000)


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records every call and answers with ``answer(call_no, event_id)``."""

    def __init__(self, port: int, answer=None) -> None:
        self.port = port
        self.calls: list[dict] = []
        self.answer = answer or (lambda n, event_id: 200)
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> Receiver:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        return self

    async def stop(self) -> None:
        if self.server:
            self.server.close()
            await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        event_id = headers.get("x-payamak-event-id", "")
        code = self.answer(len(self.calls), event_id)
        self.calls.append({"headers": headers, "body": body, "event_id": event_id, "code": code})
        writer.write(f"HTTP/1.1 {code} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".encode())
        await writer.drain()
        writer.close()

    def answered_2xx(self) -> list[str]:
        return [c["event_id"] for c in self.calls if 200 <= c["code"] < 300]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The tests send with these; the app's own periodic actors are silenced while they run (see
# ``fast_retries``), so a claim the busy in-process worker holds cannot outlast a test's wait.
send_due = outbox.send_due


async def _app_sends_nothing(limit: int = outbox.BATCH) -> int:
    return 0


@pytest.fixture
def fast_retries(monkeypatch):
    monkeypatch.setattr(outbox, "RETRY_BASE_SECONDS", 0.0)
    monkeypatch.setattr(services, "SCAN_LAG", timedelta(0))
    monkeypatch.setattr(outbox, "send_due", _app_sends_nothing)
    # Retries come at once here, so a delivery waiting for a late sibling could use up its
    # attempts; giving up after the last attempt has its own test below.
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 10_000)


async def registered(factory, client_for, port: int, events=("delivery_report", "message_received")):
    world = await make_world(factory)
    client = client_for(world.tenant)
    await client.login(world.customer)
    page = await client.post_form("/webhooks", {"url": f"http://127.0.0.1:{port}/hook", "events": list(events)})
    assert page.status_code == 200  # the first address also makes the secret, shown once
    secret = re.search(r'id="secret-value">([^<]+)<', page.text).group(1)
    world.client, world.secret = client, secret
    world.endpoint = await WebhookEndpoint.objects().where(WebhookEndpoint.owner == world.customer.id).first()
    return world


async def receive(world, text: str) -> int:
    sender = f"0912{next(_senders):07d}"
    ids = await store_incoming([IncomingMessage(line=world.line.number, sender=sender, text=text, received_at=datetime.now(UTC))])
    return ids[0]


async def send_and_report(world, count: int, status: str = DELIVERED) -> list[int]:
    numbers = [f"0935{next(_senders):07d}" for _ in range(count)]
    with tenant_context(world.tenant):
        job = await pipeline.accept_send(world.customer, numbers, "سلام", line_id=world.line.id)
    await wait_until_settled(job.id)
    rows = await Recipient.select(Recipient.id, Recipient.message_id).where(Recipient.job == job.id)
    await apply_receipts(world.connection.id, [DeliveryReport(r["message_id"], status) for r in rows])
    return [r["id"] for r in rows]


async def drain(until, seconds: float = 120.0) -> None:
    """Collect reports and send due deliveries until ``until()`` holds.

    The app's own scheduler is silenced (``fast_retries``); the deadline is generous for a
    loaded machine.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        await services.collect_delivery_reports()
        await send_due()
        if await until():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("webhook deliveries did not finish in time")


async def pending(endpoint_id: int) -> int:
    return await WebhookDelivery.count().where((WebhookDelivery.endpoint == endpoint_id) & (WebhookDelivery.status == "pending"))


async def test_every_call_is_signed_with_the_customers_secret_and_carries_its_event(factory, client_for, fast_retries):
    port = free_port()
    receiver = await Receiver(port).start()
    try:
        world = await registered(factory, client_for, port)
        message_id = await receive(world, "سلام webhook")
        recipient_ids = await send_and_report(world, 2)
        await drain(lambda: _no_pending(world.endpoint.id))
    finally:
        await receiver.stop()
    assert len(receiver.calls) == 3
    for call in receiver.calls:
        assert outbox.verify(world.secret, call["headers"]["x-payamak-signature"], call["body"])
        assert not outbox.verify(world.secret, call["headers"]["x-payamak-signature"], call["body"] + b" ")
        assert not outbox.verify("whsec_wrong", call["headers"]["x-payamak-signature"], call["body"])
        assert json.loads(call["body"])["id"] == call["event_id"]
    bodies = [json.loads(c["body"]) for c in receiver.calls]
    incoming = [b for b in bodies if b["event"] == "message_received"]
    reports = [b for b in bodies if b["event"] == "delivery_report"]
    assert [b["data"]["message_id"] for b in incoming] == [message_id] and incoming[0]["data"]["text"] == "سلام webhook"
    assert sorted(b["data"]["recipient_id"] for b in reports) == sorted(recipient_ids)
    assert {b["data"]["status"] for b in reports} == {"delivered"}
    # A signature older than five minutes is refused (replays).
    call = receiver.calls[0]
    assert not outbox.verify(world.secret, call["headers"]["x-payamak-signature"], call["body"], now=datetime.now(UTC).timestamp() + 600)


async def _no_pending(endpoint_id: int) -> bool:
    return await pending(endpoint_id) == 0 and await WebhookDelivery.count().where(WebhookDelivery.endpoint == endpoint_id) > 0


async def test_a_receiver_that_was_down_gets_every_event_once_it_is_back(factory, client_for, fast_retries):
    port = free_port()
    world = await registered(factory, client_for, port)
    for n in range(3):
        await receive(world, f"پیام {n}")
    await send_and_report(world, 4, UNDELIVERED)

    async def every_delivery_failed_twice() -> bool:
        rows = await WebhookDelivery.select(WebhookDelivery.attempts).where(WebhookDelivery.endpoint == world.endpoint.id)
        return len(rows) == 7 and all(r["attempts"] >= 2 for r in rows)

    await drain(every_delivery_failed_twice)  # nothing listens on the port: every call fails
    failures = await WebhookAttempt.select().where(WebhookAttempt.endpoint == world.endpoint.id)
    assert failures and all(a["status_code"] is None and a["error"] for a in failures)

    receiver = await Receiver(port).start()
    try:
        await drain(lambda: _no_pending(world.endpoint.id))
        for _ in range(5):  # more rounds send nothing again
            await services.collect_delivery_reports()
            await send_due()
    finally:
        await receiver.stop()
    ids = await WebhookDelivery.select(WebhookDelivery.event_id).where(WebhookDelivery.endpoint == world.endpoint.id)
    assert sorted(receiver.answered_2xx()) == sorted(r["event_id"] for r in ids)
    assert len(receiver.calls) == 7

    page = await world.client.get("/webhooks")
    assert ">200<" in page.text and "ConnectError" in page.text  # recent attempts with their answers


async def test_no_event_is_delivered_twice_to_a_receiver_that_answered_2xx(factory, client_for, fast_retries):
    port = free_port()
    first_seen: set[str] = set()

    def answer(n: int, event_id: str) -> int:
        if event_id not in first_seen:  # every event fails once, then succeeds
            first_seen.add(event_id)
            return 503
        return 204

    receiver = await Receiver(port, answer).start()
    try:
        world = await registered(factory, client_for, port)
        for n in range(5):
            await receive(world, f"پیام {n}")
        await send_and_report(world, 5)
        # Several senders at once (as several workers would): claims keep them apart.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120
        while loop.time() < deadline:
            await services.collect_delivery_reports()
            await asyncio.gather(*(send_due() for _ in range(4)))
            if (
                not await pending(world.endpoint.id)
                and await WebhookDelivery.count().where(WebhookDelivery.endpoint == world.endpoint.id) == 10
            ):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        await asyncio.gather(*(send_due() for _ in range(4)))
    finally:
        await receiver.stop()
    delivered = receiver.answered_2xx()
    assert len(delivered) == 10 and len(set(delivered)) == 10
    assert sorted(c["code"] for c in receiver.calls) == [204] * 10 + [503] * 10
    rows = await WebhookDelivery.select(WebhookDelivery.status, WebhookDelivery.attempts).where(
        WebhookDelivery.endpoint == world.endpoint.id
    )
    assert {(r["status"], r["attempts"]) for r in rows} == {("delivered", 2)}


def test_back_off_doubles_up_to_an_hour():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert outbox.backoff(30).total_seconds() == 3600


async def test_a_delivery_that_keeps_failing_is_given_up_after_its_last_attempt(factory, client_for, fast_retries, monkeypatch):
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 3)
    world = await registered(factory, client_for, free_port())  # nothing ever listens there
    await receive(world, "پیام")

    async def given_up() -> bool:
        rows = await WebhookDelivery.select(WebhookDelivery.status).where(WebhookDelivery.endpoint == world.endpoint.id)
        return len(rows) == 1 and rows[0]["status"] == "failed"

    await drain(given_up)
    for _ in range(3):
        await send_due()
    assert await WebhookAttempt.count().where(WebhookAttempt.endpoint == world.endpoint.id) == 3
