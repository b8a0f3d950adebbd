"""16 Support: departments, tickets with attachments, staff's queue and replies, the customer's
dashboard notification, and tenant isolation (other tenants' and customers' ids answer 404)."""

from __future__ import annotations

import re

from payamak.tenancy import scoped
from payamak_support import services
from payamak_support.tables import Department, Ticket, TicketMessage


async def _world(factory, client_for):
    tenant = await factory.tenant()
    admin = await factory.user(tenant, "tenant_admin")
    staff = await factory.user(tenant, "tenant_staff")
    customer = await factory.user(tenant, first_name="سارا")
    admin_client = client_for(tenant)
    await admin_client.login(admin)
    response = await admin_client.post_form("/manage/support/departments", {"name": "فنی"})
    assert response.status_code == 303
    await admin_client.post_form("/manage/support/departments", {"name": "مالی"})
    departments = {d.name: d.id for d in await Department.objects().where(Department.tenant == tenant.id)}
    return tenant, staff, customer, departments


async def _open(client, department_id, subject="ارسال انجام نمی‌شود", files=None):
    token = await client.ensure_csrf()
    data = {"subject": subject, "department": str(department_id), "body": "پیامک‌ها ارسال نمی‌شوند.", "_csrf_token": token}
    return await client.post("/support/new", data=data, files=files or {"attachment": ("", b"")})


async def test_a_customer_opens_a_ticket_staff_reply_from_the_department_queue_and_the_customer_is_told_on_the_dashboard(
    factory, client_for
):
    tenant, staff, customer, departments = await _world(factory, client_for)
    customer_client = client_for(tenant)
    await customer_client.login(customer)
    response = await _open(customer_client, departments["فنی"], files={"attachment": ("shot.png", b"\x89PNG....")})
    assert response.status_code == 303
    ticket = await Ticket.objects().where(Ticket.owner == customer.id).first()
    assert ticket.status == "open" and ticket.subject == "ارسال انجام نمی‌شود"
    first = await TicketMessage.objects().where(TicketMessage.ticket == ticket.id).first()
    assert first.attachment_name == "shot.png" and services.attachment_path(first).read_bytes() == b"\x89PNG...."

    staff_client = client_for(tenant)
    await staff_client.login(staff)
    technical = await staff_client.get(f"/manage/support?department={departments['فنی']}")
    financial = await staff_client.get(f"/manage/support?department={departments['مالی']}")
    assert f'data-id="{ticket.id}"' in technical.text and f'data-id="{ticket.id}"' not in financial.text
    dashboard = await customer_client.get("/")
    assert 'id="support-replies"' not in dashboard.text

    response = await staff_client.post_form(f"/manage/support/{ticket.id}/reply", {"body": "مشکل برطرف شد."})
    assert response.status_code == 303
    assert (await scoped(Ticket, tenant.id).get(ticket.id)).status == "answered"

    dashboard = await customer_client.get("/")
    assert 'id="support-replies"' in dashboard.text and f'href="/support/{ticket.id}"' in dashboard.text
    page = await customer_client.get(f"/support/{ticket.id}")
    assert "مشکل برطرف شد." in page.text
    dashboard = await customer_client.get("/")
    assert 'id="support-replies"' not in dashboard.text  # read: the notification is gone

    await customer_client.post_form(f"/support/{ticket.id}/reply", {"body": "ممنون"})
    assert (await scoped(Ticket, tenant.id).get(ticket.id)).status == "customer_reply"
    waiting = await staff_client.get("/manage/support")
    assert f'data-id="{ticket.id}"' in waiting.text
    await customer_client.post_form(f"/support/{ticket.id}/close")
    assert (await scoped(Ticket, tenant.id).get(ticket.id)).status == "closed"
    refused = await customer_client.post_form(f"/support/{ticket.id}/reply", {"body": "باز هم"})
    assert refused.status_code == 400

    await staff_client.post_form(f"/manage/support/{ticket.id}/status", {"status": "open"})
    assert (await scoped(Ticket, tenant.id).get(ticket.id)).status == "open"


async def test_attachments_are_served_only_to_the_ticket_owner_and_the_tenant_staff(factory, client_for):
    tenant, staff, customer, departments = await _world(factory, client_for)
    owner_client = client_for(tenant)
    await owner_client.login(customer)
    await _open(owner_client, departments["فنی"], files={"attachment": ("report.pdf", b"%PDF-1.4 secret")})
    ticket = await Ticket.objects().where(Ticket.owner == customer.id).first()
    message = await TicketMessage.objects().where(TicketMessage.ticket == ticket.id).first()
    url = f"/support/attachments/{message.id}"

    got = await owner_client.get(url)
    assert got.status_code == 200 and got.content == b"%PDF-1.4 secret"
    assert got.headers["content-disposition"].startswith("attachment")
    staff_client = client_for(tenant)
    await staff_client.login(staff)
    assert (await staff_client.get(url)).content == b"%PDF-1.4 secret"

    other_customer = client_for(tenant)
    await other_customer.login(await factory.user(tenant))
    assert (await other_customer.get(url)).status_code == 404
    other_tenant = await factory.tenant()
    foreign_staff = client_for(other_tenant)
    await foreign_staff.login(await factory.user(other_tenant, "tenant_admin"))
    assert (await foreign_staff.get(url)).status_code == 404


async def test_other_tenants_and_other_customers_tickets_answer_404(factory, client_for):
    tenant, _staff, customer, departments = await _world(factory, client_for)
    owner_client = client_for(tenant)
    await owner_client.login(customer)
    await _open(owner_client, departments["فنی"])
    ticket = await Ticket.objects().where(Ticket.owner == customer.id).first()

    neighbour = client_for(tenant)
    await neighbour.login(await factory.user(tenant))
    assert (await neighbour.get(f"/support/{ticket.id}")).status_code == 404
    assert (await neighbour.post_form(f"/support/{ticket.id}/reply", {"body": "x"})).status_code == 404
    assert (await neighbour.post_form(f"/support/{ticket.id}/close")).status_code == 404

    other = await factory.tenant()
    foreign = client_for(other)
    await foreign.login(await factory.user(other, "tenant_admin"))
    assert (await foreign.get(f"/manage/support/{ticket.id}")).status_code == 404
    assert (await foreign.post_form(f"/manage/support/{ticket.id}/reply", {"body": "x"})).status_code == 404
    assert (await foreign.post_form(f"/manage/support/{ticket.id}/status", {"status": "closed"})).status_code == 404
    assert (await foreign.post_form(f"/manage/support/departments/{departments['فنی']}/toggle")).status_code == 404
    assert (await scoped(Ticket, tenant.id).get(ticket.id)).status == "open"
    # A customer cannot reach staff's pages at all.
    assert (await owner_client.get(f"/manage/support/{ticket.id}")).status_code == 404


async def test_a_ticket_needs_an_active_department_and_an_attachment_within_the_limit(factory, client_for):
    tenant, _staff, customer, departments = await _world(factory, client_for)
    admin_client = client_for(tenant)
    await admin_client.login(await factory.user(tenant, "tenant_admin"))
    await admin_client.post_form(f"/manage/support/departments/{departments['مالی']}/toggle")
    client = client_for(tenant)
    await client.login(customer)
    form = await client.get("/support/new")
    assert re.search(rf'value="{departments["مالی"]}"', form.text) is None

    refused = await _open(client, departments["مالی"])
    assert refused.status_code == 400
    big = b"x" * (services.MAX_ATTACHMENT_BYTES + 1)
    too_big = await _open(client, departments["فنی"], files={"attachment": ("big.pdf", big)})
    assert too_big.status_code == 400
    script = await _open(client, departments["فنی"], files={"attachment": ("run.html", b"<script>")})
    assert script.status_code == 400
    assert await Ticket.count().where(Ticket.owner == customer.id) == 0


async def test_only_the_tenant_admin_maintains_departments_and_names_are_unique(factory, client_for):
    tenant, staff, _customer, _departments = await _world(factory, client_for)
    staff_client = client_for(tenant)
    await staff_client.login(staff)
    assert (await staff_client.get("/manage/support/departments")).status_code == 404
    admin_client = client_for(tenant)
    await admin_client.login(await factory.user(tenant, "tenant_admin"))
    again = await admin_client.post_form("/manage/support/departments", {"name": "فنی"})
    assert again.status_code == 400
    assert await Department.count().where(Department.tenant == tenant.id) == 2


async def test_the_demo_tenant_gets_three_departments_once(factory):
    from payamak_support import plugin

    tenant = await factory.tenant()
    await plugin.payamak_demo_data(tenant.slug)
    await plugin.payamak_demo_data(tenant.slug)
    assert await Department.count().where(Department.tenant == tenant.id) == 3
