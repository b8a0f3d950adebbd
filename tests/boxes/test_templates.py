"""7 Templates: at most 100 per user, added, edited and deleted in pages and the API, offered to send forms."""

from __future__ import annotations

import pytest

from payamak.boxes import services
from payamak.boxes.tables import Template
from payamak.errors import DomainError
from payamak.tenancy import scoped
from tests.boxes.conftest import api_headers
from tests.helpers import text_of


async def test_the_101st_template_is_refused_with_a_clear_error_in_the_service_the_page_and_the_api(world, client):
    user = world.customer
    await Template.insert(*[Template(tenant=user.tenant, user=user.id, text=f"نمونه {i}") for i in range(99)])
    await services.add_template(user, "صدمین نمونه")
    assert await services.template_count(user) == 100

    with pytest.raises(DomainError) as refused:
        await services.add_template(user, "یکی بیشتر")
    assert refused.value.code == "template.limit" and "۱۰۰ پیام نمونه" in refused.value.message

    response = await client.post_form("/templates", {"text": "از فرم"})
    assert response.status_code == 409
    assert "شما هم‌اکنون ۱۰۰ پیام نمونه دارید" in text_of(response.text)
    assert "از فرم" in response.text  # the typed text is kept in the form

    api = await client.post("/api/v1/templates", json={"text": "از API"}, headers=await api_headers(world.tenant, user))
    assert api.status_code == 409 and api.json()["error"]["code"] == "template.limit"
    assert await services.template_count(user) == 100

    # Deleting one makes room for one more.
    first = (await services.templates_for(user))[-1]
    await services.delete_template(user, first.id)
    await services.add_template(user, "جای خالی")
    assert await services.template_count(user) == 100


async def test_a_customer_adds_edits_and_deletes_a_template_through_the_pages(world, client):
    page = await client.get("/templates")
    assert page.status_code == 200 and "افزودن نمونه" in page.text and "۰ از حداکثر ۱۰۰" in text_of(page.text)

    added = await client.post_form("/templates", {"text": "  جلسه فردا ساعت ۱۰ برگزار می‌شود.  "})
    assert added.status_code == 303 and added.headers["location"] == "/templates"
    row = (await services.templates_for(world.customer))[0]
    assert row.text == "جلسه فردا ساعت ۱۰ برگزار می‌شود."

    listing = await client.get("/templates")
    assert "جلسه فردا ساعت ۱۰ برگزار می‌شود." in listing.text and "۱ از حداکثر ۱۰۰" in text_of(listing.text)

    edit = await client.get(f"/templates/{row.id}")
    assert edit.status_code == 200 and "جلسه فردا" in edit.text
    saved = await client.post_form(f"/templates/{row.id}", {"text": "جلسه پس‌فردا"})
    assert saved.status_code == 303
    assert (await services.user_template(world.customer, row.id)).text == "جلسه پس‌فردا"

    empty = await client.post_form(f"/templates/{row.id}", {"text": "   "})
    assert empty.status_code == 400 and "متن پیام نمونه خالی است." in empty.text

    deleted = await client.post_form(f"/templates/{row.id}/delete")
    assert deleted.status_code == 303
    assert await services.template_count(world.customer) == 0


async def test_template_texts_must_not_be_empty_or_longer_than_a_send_allows(world):
    with pytest.raises(DomainError) as empty:
        await services.add_template(world.customer, " \n ")
    assert empty.value.code == "template.empty"
    with pytest.raises(DomainError) as long:
        await services.add_template(world.customer, "x" * 1001)
    assert long.value.code == "template.too_long"
    assert await services.template_count(world.customer) == 0


async def test_templates_for_offers_only_the_users_own_templates_newest_first(world, factory):
    other = await factory.user(world.tenant)
    await services.add_template(world.customer, "اول")
    await services.add_template(world.customer, "دوم")
    await services.add_template(other, "مال دیگری")
    assert [t.text for t in await services.templates_for(world.customer)] == ["دوم", "اول"]
    assert [t.text for t in await services.templates_for(other)] == ["مال دیگری"]


async def test_the_templates_api_lists_adds_and_deletes(world, client):
    headers = await api_headers(world.tenant, world.customer)
    created = await client.post("/api/v1/templates", json={"text": "کد تخفیف: ۱۲۳"}, headers=headers)
    assert created.status_code == 201
    body = created.json()
    assert body["text"] == "کد تخفیف: ۱۲۳" and body["id"] > 0

    listed = await client.get("/api/v1/templates", headers=headers)
    assert [t["text"] for t in listed.json()] == ["کد تخفیف: ۱۲۳"]

    empty = await client.post("/api/v1/templates", json={"text": ""}, headers=headers)
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "template.empty"

    gone = await client.delete(f"/api/v1/templates/{body['id']}", headers=headers)
    assert gone.status_code == 200 and gone.json() == {"id": body["id"], "deleted": True}
    assert (await client.get("/api/v1/templates", headers=headers)).json() == []
    assert (await client.delete(f"/api/v1/templates/{body['id']}", headers=headers)).status_code == 404
    assert await scoped(Template, world.tenant.id).count() == 0
