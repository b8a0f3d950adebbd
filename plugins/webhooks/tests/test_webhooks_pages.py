"""11 Webhook pages: registering addresses, the secret shown once, and isolation between
customers and tenants (their ids answer 404; their events never reach another's address)."""

from __future__ import annotations

from datetime import UTC, datetime

from payamak.messaging.connectors import IncomingMessage
from payamak.messaging.receiving import store_incoming
from payamak_webhooks import services
from payamak_webhooks.tables import WebhookDelivery, WebhookEndpoint, WebhookSecret
from tests.messaging.conftest import make_world


async def test_the_secret_is_shown_once_and_a_new_one_replaces_it(factory, client_for):
    world = await make_world(factory)
    client = client_for(world.tenant)
    await client.login(world.customer)
    made = await client.post_form("/webhooks/secret")
    secret = (await WebhookSecret.objects().where(WebhookSecret.owner == world.customer.id).first()).secret
    assert secret in made.text
    again = await client.get("/webhooks")
    assert secret not in again.text and 'id="secret-value"' not in again.text
    await client.post_form("/webhooks/secret")
    assert (await WebhookSecret.objects().where(WebhookSecret.owner == world.customer.id).first()).secret != secret


async def test_addresses_must_be_http_urls_with_at_least_one_event(factory, client_for):
    world = await make_world(factory)
    client = client_for(world.tenant)
    await client.login(world.customer)
    bad = await client.post_form("/webhooks", {"url": "ftp://example.com/x", "events": ["delivery_report"]})
    assert bad.status_code == 400
    none = await client.post_form("/webhooks", {"url": "https://example.com/x"})
    assert none.status_code == 400
    good = await client.post_form("/webhooks", {"url": "https://example.com/x", "events": ["message_received"]})
    assert good.status_code == 200
    row = await WebhookEndpoint.objects().where(WebhookEndpoint.owner == world.customer.id).first()
    assert row.events == "message_received" and not row.wants("delivery_report")


async def test_other_customers_and_tenants_endpoints_answer_404_and_get_none_of_their_events(factory, client_for):
    mine = await make_world(factory)
    theirs = await make_world(factory)
    client = client_for(mine.tenant)
    await client.login(mine.customer)
    await client.post_form("/webhooks", {"url": "https://example.com/mine", "events": ["message_received"]})
    other_client = client_for(theirs.tenant)
    await other_client.login(theirs.customer)
    await other_client.post_form("/webhooks", {"url": "https://example.com/theirs", "events": ["message_received"]})
    my_endpoint = await WebhookEndpoint.objects().where(WebhookEndpoint.owner == mine.customer.id).first()
    neighbour = client_for(mine.tenant)
    await neighbour.login(await factory.user(mine.tenant))

    for intruder in (other_client, neighbour):
        assert (await intruder.get(f"/webhooks/{my_endpoint.id}")).status_code == 404
        assert (await intruder.post_form(f"/webhooks/{my_endpoint.id}/toggle")).status_code == 404
        assert (await intruder.post_form(f"/webhooks/{my_endpoint.id}/delete")).status_code == 404
    assert (await WebhookEndpoint.objects().where(WebhookEndpoint.id == my_endpoint.id).first()).active

    await store_incoming([IncomingMessage(line=theirs.line.number, sender="09120000001", text="x", received_at=datetime.now(UTC))])
    assert await WebhookDelivery.count().where(WebhookDelivery.endpoint == my_endpoint.id) == 0
    await store_incoming([IncomingMessage(line=mine.line.number, sender="09120000001", text="y", received_at=datetime.now(UTC))])
    assert await WebhookDelivery.count().where(WebhookDelivery.endpoint == my_endpoint.id) == 1
    # Queuing the same message again (a repeated announcement) adds nothing.
    message_id = (await WebhookDelivery.objects().where(WebhookDelivery.endpoint == my_endpoint.id).first()).source_key.split(":")[1]
    await services.queue_incoming(mine.tenant.id, int(message_id))
    assert await WebhookDelivery.count().where(WebhookDelivery.endpoint == my_endpoint.id) == 1


async def test_a_paused_address_is_not_called_and_the_owner_can_remove_it(factory, client_for):
    world = await make_world(factory)
    client = client_for(world.tenant)
    await client.login(world.customer)
    await client.post_form("/webhooks", {"url": "https://example.com/x", "events": ["message_received"]})
    row = await WebhookEndpoint.objects().where(WebhookEndpoint.owner == world.customer.id).first()
    await client.post_form(f"/webhooks/{row.id}/toggle")
    await store_incoming([IncomingMessage(line=world.line.number, sender="09120000002", text="z", received_at=datetime.now(UTC))])
    assert await WebhookDelivery.count().where(WebhookDelivery.endpoint == row.id) == 0
    page = await client.get(f"/webhooks/{row.id}")
    assert page.status_code == 200
    await client.post_form(f"/webhooks/{row.id}/delete")
    assert await WebhookEndpoint.count().where(WebhookEndpoint.id == row.id) == 0
