"""16 The SMS notification of staff replies: when the tenant admin turns it on, a staff reply
sends the customer an SMS from the chosen line, charged to the admin; when it cannot be sent,
the reply still stands and staff are told why."""

from __future__ import annotations

from payamak.db import writing
from payamak.messaging import ledger
from payamak.messaging.lines import register_line
from payamak.messaging.tables import Line, Recipient, SendJob
from payamak.tables import User
from payamak_support.tables import Department, Ticket, TicketMessage
from tests.messaging.conftest import make_world, wait_until_settled


async def _setup(factory, client_for, admin_credit: int):
    world = await make_world(factory)
    await User.update({User.mobile: "09121112233"}).where(User.id == world.customer.id)
    admin = await factory.user(world.tenant, "tenant_admin")
    line = await register_line(f"2000{world.tenant.id}7", "dedicated", world.connection.id, world.tenant.id)
    await Line.update({Line.owner: admin.id}).where(Line.id == line.id)
    if admin_credit:
        async with writing():
            await ledger.credit(await ledger.account_for(world.tenant.id, admin.id), admin_credit, "purchase", "test credit")
    department = Department(tenant=world.tenant.id, name="فنی")
    await department.save()
    admin_client = client_for(world.tenant)
    await admin_client.login(admin)
    saved = await admin_client.post_form("/manage/support/settings", {"sms_enabled": "1", "line": str(line.id)})
    assert saved.status_code == 303
    customer_client = client_for(world.tenant)
    await customer_client.login(world.customer)
    await customer_client.post_form("/support/new", {"subject": "خط", "department": str(department.id), "body": "سلام"})
    ticket = await Ticket.objects().where(Ticket.owner == world.customer.id).first()
    return world, admin, line, admin_client, ticket


async def test_a_staff_reply_sends_the_customer_an_sms_from_the_chosen_line_charged_to_the_admin(factory, client_for):
    world, admin, line, admin_client, ticket = await _setup(factory, client_for, admin_credit=1_000_000)
    customer_before = (await ledger.account_for(world.tenant.id, world.customer.id)).available
    response = await admin_client.post_form(f"/manage/support/{ticket.id}/reply", {"body": "درست شد."})
    assert response.status_code == 303
    message = await TicketMessage.objects().where((TicketMessage.ticket == ticket.id) & (TicketMessage.from_staff == True)).first()  # noqa: E712
    assert message.sms_job and not message.sms_error
    job = await SendJob.objects().where(SendJob.id == message.sms_job).first()
    assert (job.user, job.line, job.source) == (admin.id, line.id, "support") and "خط" in job.text
    await wait_until_settled(job.id)
    assert [r["number"] for r in await Recipient.select(Recipient.number).where(Recipient.job == job.id)] == ["989121112233"]
    assert (await ledger.account_for(world.tenant.id, world.customer.id)).available == customer_before


async def test_when_the_sms_cannot_be_sent_the_reply_stands_and_staff_are_told_why(factory, client_for):
    _world, _admin, _line, admin_client, ticket = await _setup(factory, client_for, admin_credit=0)
    response = await admin_client.post_form(f"/manage/support/{ticket.id}/reply", {"body": "درست شد."})
    assert response.status_code == 303
    message = await TicketMessage.objects().where((TicketMessage.ticket == ticket.id) & (TicketMessage.from_staff == True)).first()  # noqa: E712
    assert message.sms_job is None and message.sms_error
    page = await admin_client.get(f"/manage/support/{ticket.id}")
    assert message.sms_error in page.text and "درست شد." in page.text


async def test_only_lines_the_admin_may_use_can_be_chosen(factory, client_for):
    world = await make_world(factory)
    admin_client = client_for(world.tenant)
    await admin_client.login(await factory.user(world.tenant, "tenant_admin"))
    refused = await admin_client.post_form(
        "/manage/support/settings", {"sms_enabled": "1", "line": str(world.line.id)}
    )  # the customer's line
    assert refused.status_code == 400
