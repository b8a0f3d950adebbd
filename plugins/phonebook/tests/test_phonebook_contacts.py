"""Contacts, custom fields and groups through the services: the rules a phonebook keeps."""

from __future__ import annotations

import pytest

from payamak.errors import DomainError, NotFound
from payamak.messaging.numbers import InvalidNumber
from payamak_phonebook import services
from payamak_phonebook.fields import FieldValueError
from payamak_phonebook.services import ContactInput, DuplicateNumber
from payamak_phonebook.source import PhonebookRecipients
from payamak_phonebook.tables import Contact, ContactValue


async def test_a_number_already_in_the_phonebook_is_refused_in_any_spelling(book):
    await services.save_contact(book.user, ContactInput("علی رضایی", "0912 111 2233"))
    for spelling in ("+989121112233", "۰۹۱۲۱۱۱۲۲۳۳", "9121112233"):
        with pytest.raises(DuplicateNumber) as refused:
            await services.save_contact(book.user, ContactInput("دیگری", spelling))
        assert "09121112233" in refused.value.message and "علی رضایی" in refused.value.message
    assert await Contact.count().where(Contact.owner == book.user.id) == 1


async def test_editing_a_contact_to_another_contacts_number_is_refused_but_keeping_its_own_is_not(book):
    first = await services.save_contact(book.user, ContactInput("اول", "09121110001"))
    second = await services.save_contact(book.user, ContactInput("دوم", "09121110002"))
    with pytest.raises(DuplicateNumber):
        await services.save_contact(book.user, ContactInput("دوم", "09121110001"), second)
    saved = await services.save_contact(book.user, ContactInput("اولی", "+98 912 111 0001"), first)
    assert (saved.name, saved.number) == ("اولی", "989121110001")


async def test_the_same_number_may_be_in_two_customers_phonebooks(book, factory):
    other = await factory.user(book.tenant)
    await services.save_contact(book.user, ContactInput("x", "09121110003"))
    await services.save_contact(other, ContactInput("y", "09121110003"))
    assert await Contact.count().where(Contact.number == "989121110003") == 2


async def test_a_number_that_is_not_an_iranian_mobile_is_refused(book):
    with pytest.raises(InvalidNumber):
        await services.save_contact(book.user, ContactInput("x", "02188888888"))


async def test_custom_fields_of_each_kind_are_stored_canonically_and_checked(book):
    user = book.user
    city = await services.create_field(user, "شهر", "text")
    age = await services.create_field(user, "سن", "number")
    birthday = await services.create_field(user, "تاریخ تولد", "date")
    level = await services.create_field(user, "سطح", "choice", "طلایی\nنقره‌ای\n\nطلایی")
    assert level.options == ["طلایی", "نقره‌ای"]
    contact = await services.save_contact(
        user,
        ContactInput("مریم", "09121110004", values={city.id: "  كرمان  ", age.id: "۳۲", birthday.id: "۱۳۷۰/۱/۹", level.id: "نقره‌ای"}),
    )
    values = (await services.values_of(user, [contact.id]))[contact.id]
    assert values == {city.id: "کرمان", age.id: "32", birthday.id: "1370/01/09", level.id: "نقره‌ای"}

    bad = [(age.id, "سی"), (birthday.id, "1370/13/01"), (birthday.id, "1403/12/31"), (level.id, "برنزی")]
    for field_id, raw in bad:
        with pytest.raises(FieldValueError) as refused:
            await services.save_contact(user, ContactInput("مریم", "09121110004", values={field_id: raw}), contact)
        assert raw in refused.value.message
    # 1403 is a leap year in the Jalali calendar (30 Esfand exists), 1402 is not.
    await services.save_contact(user, ContactInput("مریم", "09121110004", values={birthday.id: "1403/12/30", age.id: "1,250.50"}), contact)
    values = (await services.values_of(user, [contact.id]))[contact.id]
    assert values[birthday.id] == "1403/12/30" and values[age.id] == "1250.5"
    with pytest.raises(FieldValueError):
        await services.save_contact(user, ContactInput("مریم", "09121110004", values={birthday.id: "1402/12/30"}), contact)

    # An empty value clears the field; the others stay.
    await services.save_contact(user, ContactInput("مریم", "09121110004", values={city.id: ""}), contact)
    values = (await services.values_of(user, [contact.id]))[contact.id]
    assert city.id not in values and values[level.id] == "نقره‌ای"


async def test_field_names_are_unique_not_reserved_and_choices_need_options(book):
    await services.create_field(book.user, "شهر", "text")
    for name, kind, options in (("شهر", "text", ""), ("نام", "text", ""), ("Mobile", "text", ""), ("رنگ", "choice", "\n")):
        with pytest.raises(DomainError):
            await services.create_field(book.user, name, kind, options)


async def test_deleting_a_field_removes_its_values_and_its_text_from_search(book):
    user = book.user
    note = await services.create_field(user, "یادداشت", "text")
    await services.save_contact(user, ContactInput("رضا", "09121110005", values={note.id: "مشتری ویژه"}))
    assert (await services.find_contacts(user, "ویژه"))[1] == 1
    await services.delete_field(user, note.id)
    assert (await services.find_contacts(user, "ویژه"))[1] == 0
    assert await ContactValue.count().where(ContactValue.field == note.id) == 0


async def test_search_finds_by_name_number_spelling_and_field_text_and_pages(book):
    user = book.user
    city = await services.create_field(user, "شهر", "text")
    for i in range(120):
        await services.save_contact(user, ContactInput(f"مشتری {i:03d}", f"0912200{i:04d}", values={city.id: "یزد" if i % 2 else "تبریز"}))
    await services.save_contact(user, ContactInput("Ali Karimi", "09351234567"))
    await services.save_contact(user, ContactInput("علی كريمي", "09361234567"))  # typed on an Arabic keyboard

    assert (await services.find_contacts(user, "ali"))[1] == 1
    names = [r["name"] for r in (await services.find_contacts(user, "علی کریمی"))[0]]
    assert names == ["علی کریمی"]
    for spelling in ("0935 123", "+98935123", "۰۹۳۵۱۲۳۴۵۶۷", "935-1234"):
        rows, total = await services.find_contacts(user, spelling)
        assert total == 1 and rows[0]["number"] == "989351234567", spelling
    assert (await services.find_contacts(user, "یزد"))[1] == 60
    assert (await services.find_contacts(user, "100%"))[1] == 0  # % is searched as itself, not a wildcard

    first, total = await services.find_contacts(user, "مشتری", offset=0, limit=50)
    third, _ = await services.find_contacts(user, "مشتری", offset=100, limit=50)
    assert total == 120 and len(first) == 50 and len(third) == 20
    assert first[0]["name"] == "مشتری 000" and third[-1]["name"] == "مشتری 119"


async def test_groups_are_created_renamed_deleted_and_hold_contacts_in_several(book):
    user = book.user
    friends = await services.create_group(user, "دوستان")
    family = await services.create_group(user, "خانواده")
    with pytest.raises(DomainError):
        await services.create_group(user, "دوستان")
    with pytest.raises(DomainError):
        await services.create_group(user, "الف، ب")
    contact = await services.save_contact(user, ContactInput("نیما", "09121110006", group_ids=[friends.id, family.id]))
    groups = {g["name"]: g["count"] for g in await services.list_groups(user)}
    assert groups == {"دوستان": 1, "خانواده": 1}
    await services.rename_group(user, family.id, "فامیل")
    assert [g["name"] for g in (await services.groups_of(user, [contact.id]))[contact.id]] == ["دوستان", "فامیل"]
    await services.delete_group(user, friends.id)
    assert [g["name"] for g in await services.list_groups(user)] == ["فامیل"]
    assert (await services.user_contact(user, contact.id)).name == "نیما"  # the contact stays


async def test_bulk_actions_add_to_a_group_take_out_and_delete_only_the_users_own_contacts(book, factory):
    user = book.user
    group = await services.create_group(user, "VIP")
    ids = [(await services.save_contact(user, ContactInput(f"c{i}", f"0912333000{i}"))).id for i in range(5)]
    assert await services.add_to_group(user, ids[:3], group.id) == 3
    assert (await services.find_contacts(user, group_id=group.id))[1] == 3
    assert await services.remove_from_group(user, ids[:1], group.id) == 1
    assert (await services.find_contacts(user, group_id=group.id))[1] == 2

    stranger = await factory.user(await factory.tenant())
    theirs = await services.save_contact(stranger, ContactInput("x", "09123330009"))
    with pytest.raises(NotFound):
        await services.delete_contacts(user, [ids[0], theirs.id])
    assert await Contact.count().where(Contact.owner == user.id) == 5
    assert await services.delete_contacts(user, ids[:2]) == 2
    assert await Contact.count().where(Contact.owner == user.id) == 3


async def test_numbers_yields_a_contact_in_two_groups_once_and_streams_in_chunks(book):
    user = book.user
    a = await services.create_group(user, "الف")
    b = await services.create_group(user, "ب")
    both = await services.save_contact(user, ContactInput("هر دو", "09124440001", group_ids=[a.id, b.id]))
    only_a = await services.save_contact(user, ContactInput("فقط الف", "09124440002", group_ids=[a.id]))
    only_b = await services.save_contact(user, ContactInput("فقط ب", "09124440003", group_ids=[b.id]))
    loose = await services.save_contact(user, ContactInput("بی‌گروه", "09124440004"))
    await services.save_contact(user, ContactInput("دیگری", "09124440005"))

    source = PhonebookRecipients()
    source.chunk_size = 2  # several round trips for a handful of rows
    numbers = [n async for n in source.numbers(user, [a.id, b.id], [both.id, loose.id, only_a.id])]
    assert sorted(numbers) == ["989124440001", "989124440002", "989124440003", "989124440004"]
    assert len(numbers) == len(set(numbers))
    assert await source.count(user, [a.id, b.id], []) == 3
    assert [n async for n in source.numbers(user, [], [only_b.id])] == ["989124440003"]
    assert await source.groups(user) == [{"id": a.id, "name": "الف", "count": 2}, {"id": b.id, "name": "ب", "count": 2}]
    assert await source.search(user, "فقط", 10) == [
        {"id": only_a.id, "name": "فقط الف", "number": "09124440002"},
        {"id": only_b.id, "name": "فقط ب", "number": "09124440003"},
    ]


async def test_recipient_source_refuses_ids_of_another_tenant(book, factory):
    stranger = await factory.user(await factory.tenant())
    group = await services.create_group(stranger, "غریبه")
    contact = await services.save_contact(stranger, ContactInput("x", "09125550001", group_ids=[group.id]))
    source = PhonebookRecipients()
    with pytest.raises(NotFound):
        [n async for n in source.numbers(book.user, [group.id], [])]
    with pytest.raises(NotFound):
        [n async for n in source.numbers(book.user, [], [contact.id])]


async def test_the_plugin_offers_its_recipient_source_through_the_hook():
    from payamak.registry import get_registry

    sources = get_registry().collect("payamak_recipient_sources")
    assert any(isinstance(s, PhonebookRecipients) and s.name == "phonebook" for s in sources)
