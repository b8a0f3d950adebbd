"""CSV import and export: encodings Excel writes, all-or-nothing checking, the round trip,
large files in the background, and a streamed export Excel opens with Persian intact."""

from __future__ import annotations

import asyncio
import re

import pytest

from payamak.db import writing
from payamak_phonebook import csvio, exports, imports, services
from payamak_phonebook.services import ContactInput
from payamak_phonebook.tables import Contact, ContactGroup, ImportJob
from tests.helpers import text_of


async def contacts_of(user) -> list[dict]:
    rows = await Contact.select(Contact.id, Contact.name, Contact.number).where(Contact.owner == user.id).order_by(Contact.number)
    return await services.describe(user, rows)


async def snapshot(user) -> list[tuple]:
    """A user's phonebook as comparable data: name, number, values by field name, group names."""
    names = {f.id: f.name for f in await services.list_fields(user)}
    return [
        (c["name"], c["number"], {names[k]: v for k, v in c["values"].items()}, sorted(g["name"] for g in c["groups"]))
        for c in await contacts_of(user)
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1256"])
async def test_a_file_in_utf8_with_or_without_bom_or_windows_1256_imports_persian_names(book, encoding, make_csv):
    second = "09351234567" if encoding == "cp1256" else "۰۹۳۵۱۲۳۴۵۶۷"  # Windows-1256 has no Persian digits
    data = make_csv(
        [["نام", "موبایل", "گروه‌ها"], ["علی رضایی", "09121234567", "مشتریان، همکاران"], ["زهرا کیانی", second, "مشتریان"]],
        encoding,
    )
    if encoding == "cp1256":
        assert "علي".encode("cp1256") in data  # Arabic yeh, as Excel writes it
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    outcome = await imports.import_now(book.user, csvio.decode(data))
    assert (outcome.created, outcome.updated) == (2, 0)
    assert await snapshot(book.user) == [
        ("علی رضایی", "989121234567", {}, ["مشتریان", "همکاران"]),
        ("زهرا کیانی", "989351234567", {}, ["مشتریان"]),
    ]


async def test_a_bad_number_on_row_7_refuses_the_file_naming_row_7_and_imports_nothing(book, make_csv):
    await services.create_group(book.user, "قدیمی")
    rows = [["name", "mobile", "groups"]] + [[f"نفر {i}", f"0912000000{i}", "جدید"] for i in range(2, 7)]
    rows.append(["نفر ۷", "0912-abc-7777", "جدید"])  # row 7 of the file (the title row is row 1)
    rows.append(["نفر ۸", "09120000008", ""])
    with pytest.raises(csvio.FileRefused) as refused:
        await imports.import_now(book.user, csvio.decode(make_csv(rows)))
    assert [(e.row, e.column) for e in refused.value.errors] == [(7, "mobile")]
    assert "0912-abc-7777" in refused.value.errors[0].message
    assert await Contact.count().where(Contact.owner == book.user.id) == 0
    assert [g["name"] for g in await services.list_groups(book.user)] == ["قدیمی"]  # no group was made either


async def test_every_problem_is_listed_with_its_row_and_column(book, make_csv):
    await services.create_field(book.user, "سن", "number")
    await services.create_field(book.user, "تولد", "date")
    rows = [
        ["موبایل", "سن", "تولد"],
        ["09121110001", "۲۵", "1370/01/01"],
        ["", "x", "1370/01/01"],
        ["09121110001", "", ""],
        ["09121110003", "30", "1370/14/01"],
    ]
    with pytest.raises(csvio.FileRefused) as refused:
        await imports.import_now(book.user, csvio.decode(make_csv(rows)))
    found = [(e.row, e.column) for e in refused.value.errors]
    assert found == [(3, "موبایل"), (3, "سن"), (4, "موبایل"), (5, "تولد")]
    assert refused.value.errors[2].message == "این شماره در ردیف ۲ هم آمده است."


async def test_an_unknown_column_or_a_file_without_a_mobile_column_is_refused(book, make_csv):
    with pytest.raises(csvio.FileRefused) as refused:
        await imports.import_now(book.user, csvio.decode(make_csv([["نام", "رنگ"], ["x", "y"]])))
    assert {(e.row, e.column) for e in refused.value.errors} == {(1, "رنگ"), (1, "")}
    with pytest.raises(csvio.FileRefused):
        csvio.decode(b"PK\x03\x04 an xlsx workbook")


async def test_importing_a_number_already_there_updates_it_and_empty_cells_erase_nothing(book, make_csv):
    user = book.user
    city = await services.create_field(user, "شهر", "text")
    group = await services.create_group(user, "قدیمی")
    await services.save_contact(user, ContactInput("حسین", "09121110009", group_ids=[group.id], values={city.id: "قم"}))
    outcome = await imports.import_now(user, csvio.decode(make_csv([["mobile", "name", "شهر", "groups"], ["9121110009", "", "", "جدید"]])))
    assert (outcome.created, outcome.updated) == (0, 1)
    assert await snapshot(user) == [("حسین", "989121110009", {"شهر": "قم"}, ["جدید", "قدیمی"])]


async def test_export_then_import_gives_back_the_same_phonebook(book, factory):
    user = book.user
    fields = {
        "شهر": await services.create_field(user, "شهر", "text"),
        "امتیاز": await services.create_field(user, "امتیاز", "number"),
        "تولد": await services.create_field(user, "تولد", "date"),
        "سطح": await services.create_field(user, "سطح", "choice", "طلایی\nنقره‌ای"),
    }
    a = await services.create_group(user, "دوستان")
    b = await services.create_group(user, "همکاران, قدیمی".replace(",", ""))
    await services.save_contact(
        user,
        ContactInput(
            'سارا "ستاره" کریمی',
            "09121110010",
            [a.id, b.id],
            {fields["شهر"].id: "تهران، ونک", fields["امتیاز"].id: "12.5", fields["تولد"].id: "1375/06/31", fields["سطح"].id: "طلایی"},
        ),
    )
    await services.save_contact(user, ContactInput("=HYPERLINK(1)", "09351110011", [b.id], {fields["امتیاز"].id: "-3"}))
    await services.save_contact(user, ContactInput("", "09901110012"))

    exported = b"".join([chunk async for chunk in await exports.export_csv(user)])
    assert exported.startswith(b"\xef\xbb\xbf")
    assert exported.count(b"\r\n") == 4 and b"\n" not in exported.replace(b"\r\n", b"")
    assert "'=HYPERLINK(1)" in exported.decode("utf-8-sig")  # shown as text by Excel, not run

    # A second customer defines the same fields (the import needs them) and imports the file.
    other = await factory.user(book.tenant)
    for name, spec in fields.items():
        await services.create_field(other, name, spec.kind, "\n".join(spec.options or []))
    outcome = await imports.import_now(other, csvio.decode(exported))
    assert outcome.created == 3
    assert await snapshot(other) == await snapshot(user)
    # And importing it back into the same phonebook changes nothing.
    before = await snapshot(user)
    assert (await imports.import_now(user, csvio.decode(exported))).updated == 3
    assert await snapshot(user) == before


async def test_export_of_one_group_streams_its_contacts_only(book):
    user = book.user
    group = await services.create_group(user, "گروه")
    await services.save_contact(user, ContactInput("داخل", "09121110013", [group.id]))
    await services.save_contact(user, ContactInput("بیرون", "09121110014"))
    text = b"".join([c async for c in await exports.export_csv(user, group.id)]).decode("utf-8-sig")
    assert "داخل" in text and "بیرون" not in text


async def test_export_reads_a_chunk_at_a_time(book, monkeypatch):
    user = book.user
    async with writing():
        for i in range(25):
            await services.save_contact(user, ContactInput(f"n{i}", f"091211120{i:02d}"))
    monkeypatch.setattr(exports, "CHUNK", 10)
    chunks = [c async for c in await exports.export_csv(user)]
    assert len(chunks) == 1 + 3  # the title row, then 10 + 10 + 5 contacts
    assert sum(c.count(b"\r\n") for c in chunks) == 26


async def wait_for_job(job_id: int, seconds: float = 60) -> ImportJob:
    for _ in range(int(seconds / 0.1)):
        job = await ImportJob.objects().where(ImportJob.id == job_id).output(load_json=True).first()
        if job.status in ("done", "failed"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"import {job_id} did not end: {job.status}")


async def test_a_large_file_imports_in_the_background_with_progress_up_to_100_percent(book, client_for, make_csv):
    user = book.user
    rows = [["نام", "موبایل", "گروه‌ها"]] + [[f"مخاطب {i}", f"0912{i:07d}", "انبوه"] for i in range(imports.BACKGROUND_ROWS + 200)]
    client = client_for(book.tenant)
    await client.login(user)
    response = await client.post_form("/phonebook/import", files={"file": ("big.csv", make_csv(rows, "cp1256"), "text/csv")})
    assert response.status_code == 303, response.text[:500]
    url = response.headers["location"]
    job_id = int(url.rsplit("/", 1)[1])
    page = await client.get(url)
    assert 'hx-trigger="every 1s"' in page.text and f'hx-get="{url}/progress"' in page.text

    seen: list[int] = []
    for _ in range(600):
        fragment = await client.get(f"{url}/progress")
        assert fragment.status_code == 200
        percent = int(re.search(r'data-percent="(\d+)"', fragment.text).group(1))
        seen.append(percent)
        if percent == 100:
            break
        await asyncio.sleep(0.1)
    assert seen[-1] == 100 and seen == sorted(seen)
    assert "hx-trigger" not in fragment.text  # polling stops once the import has ended
    job = await wait_for_job(job_id)
    assert (job.status, job.total, job.created, job.content) == ("done", imports.BACKGROUND_ROWS + 200, imports.BACKGROUND_ROWS + 200, None)
    assert await Contact.count().where(Contact.owner == user.id) == imports.BACKGROUND_ROWS + 200
    assert (await services.list_groups(user))[0]["count"] == imports.BACKGROUND_ROWS + 200
    assert "مخاطب 17" in text_of((await client.get("/phonebook?q=مخاطب 17")).text)

    # The actor is idempotent: a second delivery of the same message changes nothing.
    await imports.run_import(book.tenant.id, job_id)
    assert await Contact.count().where(Contact.owner == user.id) == imports.BACKGROUND_ROWS + 200


async def test_a_large_file_with_a_bad_row_fails_in_the_background_and_imports_nothing(book, make_csv):
    user = book.user
    rows = [["mobile"]] + [[f"0935{i:07d}"] for i in range(imports.BACKGROUND_ROWS + 10)]
    rows[4000][0] = "12345"
    data = make_csv(rows)
    job = await imports.queue_import(user, "bad.csv", data, imports.BACKGROUND_ROWS + 10)
    job = await wait_for_job(job.id)
    assert job.status == "failed" and job.error_count == 1
    assert job.errors == [{"row": 4001, "column": "mobile", "message": job.errors[0]["message"]}]
    assert await Contact.count().where(Contact.owner == user.id) == 0
    assert await ContactGroup.count().where(ContactGroup.owner == user.id) == 0


async def test_an_import_that_no_worker_holds_is_picked_up_again(book, make_csv):
    from datetime import UTC, datetime, timedelta

    user = book.user
    row = ImportJob(tenant=book.tenant.id, owner=user.id, filename="lost.csv", total=1, content=make_csv([["mobile"], ["09121110015"]]))
    row.created_at = datetime.now(UTC) - timedelta(minutes=5)
    await row.save()
    assert (book.tenant.id, row.id) in await imports.stalled_imports()
    await imports.run_import(book.tenant.id, row.id)
    assert (await wait_for_job(row.id)).status == "done"
    assert (book.tenant.id, row.id) not in await imports.stalled_imports()


async def test_a_leased_import_is_left_alone_and_one_that_keeps_stopping_is_given_up(book, make_csv):
    from datetime import UTC, datetime, timedelta

    user = book.user
    data = make_csv([["mobile"], ["09121110016"]])
    held = ImportJob(tenant=book.tenant.id, owner=user.id, filename="held.csv", total=1, content=data, status="checking")
    held.lease_until = datetime.now(UTC) + timedelta(minutes=3)
    await held.save()
    await imports.run_import(book.tenant.id, held.id)  # another worker holds it: nothing happens
    assert (await ImportJob.objects().where(ImportJob.id == held.id).first()).status == "checking"
    assert await Contact.count().where(Contact.owner == user.id) == 0

    tired = ImportJob(tenant=book.tenant.id, owner=user.id, filename="tired.csv", total=1, content=data, attempts=imports.MAX_ATTEMPTS)
    await tired.save()
    await imports.run_import(book.tenant.id, tired.id)
    job = await wait_for_job(tired.id)
    assert job.status == "failed" and job.content is None and "کنار گذاشته شد" in job.errors[0]["message"]
    assert await Contact.count().where(Contact.owner == user.id) == 0
