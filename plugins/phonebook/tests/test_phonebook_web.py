"""Phonebook pages and API: forms, bulk actions, JSON errors, and another tenant's ids answering 404."""

from __future__ import annotations

import pytest

from payamak.accounts.services import create_api_key
from payamak.tenancy import tenant_context
from payamak_phonebook import services
from payamak_phonebook.services import ContactInput
from payamak_phonebook.tables import Contact, Membership
from tests.helpers import text_of


@pytest.fixture
async def web(book, client_for):
    client = client_for(book.tenant)
    await client.login(book.user)
    return client


async def api_headers(user, tenant) -> dict[str, str]:
    with tenant_context(tenant):
        _key, plain = await create_api_key(user)
    return {"Authorization": f"Bearer {plain}"}


async def test_the_menu_shows_the_phonebook_to_customers_in_persian(book, web):
    page = await web.get("/")
    assert 'href="/phonebook"' in page.text and "دفترچه تلفن" in page.text


async def test_new_contact_form_saves_custom_fields_and_groups_and_lists_them(book, web):
    user = book.user
    city = await services.create_field(user, "شهر", "text")
    birthday = await services.create_field(user, "تولد", "date")
    group = await services.create_group(user, "مشتریان")
    form = await web.get("/phonebook/contacts/new")
    assert f'name="field_{city.id}"' in form.text and 'name="groups"' in form.text
    response = await web.post_form(
        "/phonebook/contacts/new",
        {
            "name": "پریا",
            "number": "۰۹۱۲ ۷۷۷ ۶۶۵۵",
            "groups": str(group.id),
            f"field_{city.id}": "شیراز",
            f"field_{birthday.id}": "1380/2/3",
        },
    )
    assert response.status_code == 303
    listing = text_of((await web.get(f"/phonebook?group={group.id}")).text)
    assert "پریا" in listing and "شیراز" in listing and "۱۳۸۰/۰۲/۰۳" in listing and "۰۹۱۲۷۷۷۶۶۵۵" in listing


async def test_the_form_shows_a_duplicate_or_a_bad_value_and_keeps_what_was_typed(book, web):
    user = book.user
    age = await services.create_field(user, "سن", "number")
    await services.save_contact(user, ContactInput("قدیمی", "09127776656"))
    response = await web.post_form("/phonebook/contacts/new", {"name": "جدید", "number": "09127776656", f"field_{age.id}": "20"})
    assert response.status_code == 409
    assert "قبلاً در دفترچه تلفن شما" in response.text and 'value="جدید"' in response.text
    response = await web.post_form("/phonebook/contacts/new", {"name": "جدید", "number": "09127776657", f"field_{age.id}": "بیست"})
    assert response.status_code == 400 and "بیست" in text_of(response.text)
    assert await Contact.count().where(Contact.owner == user.id) == 1


async def test_search_and_pagination_on_the_contacts_page(book, web):
    for i in range(60):
        await services.save_contact(book.user, ContactInput(f"نام {i:02d}", f"09128880{i:03d}"))
    first = await web.get("/phonebook")
    assert "۶۰ مخاطب" in text_of(first.text) and first.text.count('name="ids"') == 50
    second = await web.get("/phonebook?page_no=2")
    assert second.text.count('name="ids"') == 10 and "نام 59" in second.text
    found = await web.get("/phonebook", params={"q": "۰۹۱۲۸۸۸۰۰۰۷"})
    assert found.text.count('name="ids"') == 1 and "نام 07" in found.text


async def test_bulk_form_adds_to_a_group_and_deletes_several(book, web):
    user = book.user
    group = await services.create_group(user, "هدف")
    ids = [(await services.save_contact(user, ContactInput(f"n{i}", f"0912999000{i}"))).id for i in range(4)]
    response = await web.post_form("/phonebook/bulk", {"ids": [str(i) for i in ids[:3]], "action": "add", "target_group": str(group.id)})
    assert response.status_code == 303
    assert await Membership.count().where(Membership.contact_group == group.id) == 3
    await web.post_form("/phonebook/bulk", {"ids": [str(ids[0]), str(ids[3])], "action": "delete", "back": "/phonebook"})
    assert sorted(r["id"] for r in await Contact.select(Contact.id).where(Contact.owner == user.id)) == ids[1:3]


async def test_groups_and_fields_pages_create_rename_and_delete(book, web):
    await web.post_form("/phonebook/groups", {"name": "همسایه‌ها"})
    groups = await services.list_groups(book.user)
    assert [g["name"] for g in groups] == ["همسایه‌ها"]
    await web.post_form(f"/phonebook/groups/{groups[0]['id']}/rename", {"name": "همسایگان"})
    assert "همسایگان" in (await web.get("/phonebook/groups")).text
    again = await web.post_form("/phonebook/groups", {"name": "همسایگان"})
    assert again.status_code == 400 and "همسایگان" in text_of(again.text)
    await web.post_form(f"/phonebook/groups/{groups[0]['id']}/delete")
    assert await services.list_groups(book.user) == []

    await web.post_form("/phonebook/fields", {"name": "سطح", "kind": "choice", "options": "طلایی\nنقره‌ای"})
    [field] = await services.list_fields(book.user)
    assert (field.kind, field.options) == ("choice", ["طلایی", "نقره‌ای"])
    await web.post_form(f"/phonebook/fields/{field.id}", {"name": "رده", "options": "طلایی\nبرنزی"})
    [field] = await services.list_fields(book.user)
    assert (field.name, field.options) == ("رده", ["طلایی", "برنزی"])
    await web.post_form(f"/phonebook/fields/{field.id}/delete")
    assert await services.list_fields(book.user) == []


async def test_import_page_refuses_a_bad_file_listing_rows_and_imports_a_good_one(book, web, make_csv):
    bad = make_csv([["نام", "موبایل"], ["الف", "09121231231"], ["ب", "0912"]])
    response = await web.post_form("/phonebook/import", files={"file": ("bad.csv", bad, "text/csv")})
    assert response.status_code == 400
    assert 'data-row="3"' in response.text and "هیچ مخاطبی وارد نشد" in response.text
    assert await Contact.count().where(Contact.owner == book.user.id) == 0
    good = make_csv([["نام", "موبایل"], ["الف", "09121231231"]], "cp1256")
    response = await web.post_form("/phonebook/import", files={"file": ("good.csv", good, "text/csv")})
    assert response.status_code == 303
    assert await Contact.count().where(Contact.owner == book.user.id) == 1


async def test_export_download_is_a_utf8_bom_csv_with_crlf(book, web):
    await services.save_contact(book.user, ContactInput("کیان", "09121212121"))
    response = await web.get("/phonebook/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content == "\ufeffنام,موبایل,گروه‌ها\r\nکیان,09121212121,\r\n".encode()


async def test_api_creates_lists_searches_updates_and_deletes_contacts(book, client_for):
    user = book.user
    city = await services.create_field(user, "شهر", "text")
    headers = await api_headers(user, book.tenant)
    client = client_for(book.tenant)
    group = (await client.post("/api/v1/groups", json={"name": "API"}, headers=headers)).json()
    assert group == {"id": group["id"], "name": "API", "count": 0}
    created = await client.post(
        "/api/v1/contacts",
        json={"name": "رامین", "number": "+98 912 555 4433", "groups": [group["id"]], "fields": {"شهر": "رشت"}},
        headers=headers,
    )
    assert created.status_code == 201
    contact = created.json()
    assert (contact["number"], contact["groups"], contact["fields"]) == ("989125554433", [group["id"]], {"شهر": "رشت"})

    duplicate = await client.post("/api/v1/contacts", json={"number": "09125554433"}, headers=headers)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "phonebook.duplicate_number"
    unknown = await client.post("/api/v1/contacts", json={"number": "09125554434", "fields": {"رنگ": "آبی"}}, headers=headers)
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "phonebook.unknown_field"
    invalid = await client.post("/api/v1/contacts", json={"number": "123"}, headers=headers)
    assert invalid.status_code == 400 and invalid.json()["error"]["code"] == "invalid_number"

    listing = (await client.get("/api/v1/contacts", params={"q": "رشت"}, headers=headers)).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == contact["id"]
    changed = await client.patch(f"/api/v1/contacts/{contact['id']}", json={"fields": {"شهر": ""}, "groups": []}, headers=headers)
    assert changed.status_code == 200 and changed.json()["fields"] == {} and changed.json()["groups"] == []
    assert changed.json()["name"] == "رامین"
    assert (await client.get("/api/v1/groups", headers=headers)).json()[0]["count"] == 0
    assert (await client.delete(f"/api/v1/contacts/{contact['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"/api/v1/contacts/{contact['id']}", headers=headers)).status_code == 404
    assert (await client.delete(f"/api/v1/groups/{group['id']}", headers=headers)).status_code == 204
    assert await services.list_groups(user) == [] and city.id


async def test_another_tenants_contacts_and_groups_answer_404_in_pages_and_api(book, web, factory, client_for):
    other_tenant = await factory.tenant()
    stranger = await factory.user(other_tenant)
    group = await services.create_group(stranger, "غریبه")
    contact = await services.save_contact(stranger, ContactInput("غریبه", "09126660001", [group.id]))
    field = await services.create_field(stranger, "راز", "text")
    mine = await services.save_contact(book.user, ContactInput("خودی", "09126660002"))

    for url in (f"/phonebook/contacts/{contact.id}", f"/phonebook?group={group.id}", f"/phonebook/export.csv?group={group.id}"):
        assert (await web.get(url)).status_code == 404, url
    posts = {
        f"/phonebook/contacts/{contact.id}": {"name": "x", "number": "09126660001"},
        f"/phonebook/contacts/{contact.id}/delete": {},
        f"/phonebook/groups/{group.id}/rename": {"name": "x"},
        f"/phonebook/groups/{group.id}/delete": {},
        f"/phonebook/fields/{field.id}": {"name": "x"},
        f"/phonebook/fields/{field.id}/delete": {},
        "/phonebook/bulk": {"ids": [str(contact.id)], "action": "delete"},
    }
    for url, data in posts.items():
        assert (await web.post_form(url, data)).status_code == 404, url
    assert (
        await web.post_form("/phonebook/bulk", {"ids": [str(mine.id)], "action": "add", "target_group": str(group.id)})
    ).status_code == 404
    new = await web.post_form("/phonebook/contacts/new", {"name": "x", "number": "09126660003", "groups": str(group.id)})
    assert new.status_code == 404

    headers = await api_headers(book.user, book.tenant)
    api = client_for(book.tenant)
    for method, url, body in (
        ("GET", f"/api/v1/contacts/{contact.id}", None),
        ("PATCH", f"/api/v1/contacts/{contact.id}", {"name": "x"}),
        ("PUT", f"/api/v1/contacts/{contact.id}", {"name": "x"}),
        ("DELETE", f"/api/v1/contacts/{contact.id}", None),
        ("DELETE", f"/api/v1/groups/{group.id}", None),
        ("PATCH", f"/api/v1/groups/{group.id}", {"name": "x"}),
        ("GET", f"/api/v1/contacts?group={group.id}", None),
        ("POST", "/api/v1/contacts", {"number": "09126660004", "groups": [group.id]}),
    ):
        response = await api.request(method, url, json=body, headers=headers)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["error"]["code"] == "not_found"
    listing = (await api.get("/api/v1/contacts", headers=headers)).json()
    assert [c["id"] for c in listing["items"]] == [mine.id]
    assert await Contact.count().where(Contact.owner == stranger.id) == 1
    assert (await services.list_groups(stranger))[0]["name"] == "غریبه"


async def test_a_tenant_admin_has_no_phonebook_pages(book, client_for, factory):
    admin = await factory.user(book.tenant, "tenant_admin")
    client = client_for(book.tenant)
    await client.login(admin)
    assert (await client.get("/phonebook")).status_code == 404


async def test_api_change_without_a_body_is_a_400_on_ones_own_contact(book, client_for):
    contact = await services.save_contact(book.user, ContactInput("x", "09126660010"))
    group = await services.create_group(book.user, "g")
    headers = await api_headers(book.user, book.tenant)
    api = client_for(book.tenant)
    for url in (f"/api/v1/contacts/{contact.id}", f"/api/v1/groups/{group.id}"):
        response = await api.patch(url, headers=headers)
        assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
