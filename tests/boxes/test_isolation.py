"""Another tenant's (or another customer's) inbox messages, templates, outbox rows and jobs answer 404
in every page and API route of the boxes, and are never listed or changed."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from payamak.boxes import services
from payamak.boxes.tables import Template
from payamak.messaging import pipeline
from payamak.messaging.tables import InboundMessage, Recipient, SendJob
from tests.boxes.conftest import api_headers, own_line, receive, receive_on
from tests.messaging.conftest import make_world, wait_until_settled


async def belongings(owner, line, tenant):
    """A customer's inbox message, trashed message, template, outbox row and scheduled job."""
    inbox_id = await receive_on(line, "پیام محرمانه", "09121110001")
    trashed_id = await receive_on(line, "پیام محرمانه در زباله‌دان", "09121110002")
    await services.move_to_trash(owner, [trashed_id])
    template = await services.add_template(owner, "نمونه محرمانه")
    sent = await pipeline.accept_send(owner, ["09121110003"], "ارسال محرمانه", line_id=line.id)
    await wait_until_settled(sent.id)
    row = await Recipient.objects().where(Recipient.job == sent.id).first()
    scheduled = await pipeline.accept_send(owner, ["09121110004"], "زمان‌بندی محرمانه", scheduled_at=datetime.now(UTC) + timedelta(days=1))
    return {"inbox": inbox_id, "trash": trashed_id, "template": template.id, "row": row.id, "job": scheduled.id}


@pytest.fixture(params=["another tenant", "another customer of the same tenant"])
async def stranger(request, app, factory, world):
    if request.param == "another tenant":
        other = await make_world(factory)
        return other.customer, other.line, other.tenant
    customer = await factory.user(world.tenant)
    from payamak.db import writing
    from payamak.messaging import ledger

    async with writing():
        await ledger.credit(await ledger.account_for(world.tenant.id, customer.id), 100_000, "purchase", "test")
    return customer, await own_line(world, customer), world.tenant


async def test_someone_elses_ids_answer_404_in_every_page_and_api_route(world, client, stranger):
    owner, line, tenant = stranger
    ids = await belongings(owner, line, tenant)
    await receive(world, "پیام خودم", "09121119999")
    await pipeline.accept_send(world.customer, ["09121118888"], "ارسال خودم")
    i, t, tpl, row, job = ids["inbox"], ids["trash"], ids["template"], ids["row"], ids["job"]

    for path in (
        f"/inbox/{i}/reply",
        f"/inbox/{i}/forward",
        f"/templates/{tpl}",
        f"/outbox/{row}/forward",
        f"/inbox/{i}/reply?template={tpl}",
    ):
        assert (await client.get(path)).status_code == 404, path
    posts = {
        f"/inbox/{i}/delete": {},
        f"/inbox/{i}/reply": {"text": "x"},
        f"/inbox/{i}/forward": {"numbers": "09121234567"},
        f"/trash/{t}/restore": {},
        f"/trash/{t}/purge": {},
        f"/templates/{tpl}": {"text": "x"},
        f"/templates/{tpl}/delete": {},
        f"/outbox/{row}/star": {},
        f"/outbox/{row}/forward": {"numbers": "09121234567"},
        f"/scheduled/{job}/cancel": {},
    }
    for path, data in posts.items():
        assert (await client.post_form(path, data)).status_code == 404, path

    # Selections that name someone else's ids change nothing.
    await client.post_form("/inbox/delete", {"ids": [str(i)]})
    await client.post_form("/trash/restore", {"ids": [str(t)]})
    await client.post_form("/trash/purge", {"ids": [str(t)]})

    headers = await api_headers(world.tenant, world.customer)
    assert (await client.delete(f"/api/v1/templates/{tpl}", headers=headers)).status_code == 404
    assert (await client.get("/api/v1/templates", headers=headers)).json() == []
    assert [r["text"] for r in (await client.get("/api/v1/outbox", headers=headers)).json()] == ["ارسال خودم"]
    assert (await client.delete(f"/api/v1/messages/{job}", headers=headers)).status_code == 404

    # Nothing of theirs is listed; everything of theirs is as it was.
    for path in ("/inbox", "/trash", "/outbox", "/scheduled", "/templates", "/"):
        assert "محرمانه" not in (await client.get(path)).text, path
    for path in ("/outbox/export", "/inbox/export"):
        sheet = load_workbook(io.BytesIO((await client.get(path)).content)).active
        cells = [str(v) for r in sheet.iter_rows(values_only=True) for v in r]
        assert len(cells) > 4 and not any("محرمانه" in v for v in cells), path
    assert (await InboundMessage.objects().where(InboundMessage.id == i).first()).folder == "inbox"
    assert (await InboundMessage.objects().where(InboundMessage.id == t).first()).folder == "trash"
    assert (await Template.objects().where(Template.id == tpl).first()).text == "نمونه محرمانه"
    assert (await SendJob.objects().where(SendJob.id == job).first()).status == "scheduled"


async def test_the_boxes_are_for_customers_only(world, factory, client_for):
    admin = await factory.user(world.tenant, "tenant_admin")
    client = client_for(world.tenant)
    await client.login(admin)
    for path in ("/inbox", "/trash", "/outbox", "/scheduled", "/templates"):
        assert (await client.get(path)).status_code == 404, path
    anonymous = client_for(world.tenant)
    assert (await anonymous.get("/inbox")).status_code in (302, 303)
    assert (await anonymous.get("/api/v1/templates")).status_code == 401
