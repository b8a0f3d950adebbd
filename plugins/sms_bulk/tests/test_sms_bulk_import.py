"""Platform admins import databases from .csv/.xlsx in the background; bad rows load nothing;
a replacing import moves every grant in one step; the demo database is made once."""

from __future__ import annotations

import asyncio
import io

from openpyxl import Workbook

from payamak_sms_bulk import databases, importing
from payamak_sms_bulk.tables import BulkNumber, DatabaseGrant, NumberDatabase

CSV = """number,operator,gender,province,city,area,suburb,guild,postal_code,active
09351110001,irancell,f,تهران,تهران,منطقه ۵ تهران,,پزشکان,1459876543,1
09121110002,,m,,کرج,گوهردشت,,,3149876543,1
09201110003,,,تهران,,,پردیس,G03,,0
"""


async def wait_database(database_id: int) -> NumberDatabase:
    for _ in range(400):
        database = await NumberDatabase.objects().where(NumberDatabase.id == database_id).first()
        if database.status != "loading":
            return database
        await asyncio.sleep(0.05)
    raise AssertionError("import did not finish")


async def admin_client(factory, client_for):
    root = await factory.user(None, "platform_admin")
    client = client_for("localhost")
    await client.login(root)
    return client


async def upload(client, name: str, filename: str, content: bytes, replaces: str = ""):
    token = await client.ensure_csrf()
    return await client.post(
        "/admin/bulk/import", data={"_csrf_token": token, "name": name, "replaces": replaces}, files={"file": (filename, content)}
    )


async def test_sms_bulk_csv_import_loads_in_the_background_with_codes_for_names(app, factory, client_for):
    client = await admin_client(factory, client_for)
    response = await upload(client, "csv import", "numbers.csv", CSV.encode())
    assert response.status_code == 303
    database = await NumberDatabase.objects().where(NumberDatabase.name == "csv import").first()
    database = await wait_database(database.id)
    assert (database.status, database.rows, database.progress) == ("ready", 3, 3)
    rows = {r["number"]: r for r in await BulkNumber.select().where(BulkNumber.database == database.id)}
    first = rows[989351110001]
    assert (first["area"], first["guild"], first["province"], first["city"], first["postal5"], first["gender"]) == (
        "T05",
        "G01",
        "P01",
        "P01C01",
        "14598",
        "f",
    )
    second = rows[989121110002]
    assert (second["operator"], second["province"], second["area"]) == ("mci", "P02", "K01")
    assert rows[989201110003]["active"] is False and rows[989201110003]["suburb"] == "S08"
    page = await client.get("/admin/bulk")
    assert page.status_code == 200 and f'data-database="{database.id}"' in page.text


async def test_sms_bulk_import_with_a_bad_row_loads_nothing_and_lists_the_row(app, factory, client_for):
    client = await admin_client(factory, client_for)
    bad = CSV + "0935111,irancell,x,,,منطقه ۹۹,,,12,1\n"
    await upload(client, "bad import", "numbers.csv", bad.encode())
    database = await wait_database((await NumberDatabase.objects().where(NumberDatabase.name == "bad import").first()).id)
    assert database.status == "failed"
    assert await BulkNumber.count().where(BulkNumber.database == database.id) == 0
    for column in ("number", "gender", "area", "postal_code"):
        assert f"5\t{column}\t" in database.error


async def test_sms_bulk_xlsx_import_replaces_a_granted_database_atomically(app, factory, client_for):
    tenant = await factory.tenant()
    old = await databases.create_synthetic("to replace", 50, seed=3)
    await databases.grant(tenant.id, old.id)
    book = Workbook()
    sheet = book.active
    for row in CSV.strip().splitlines():
        sheet.append(row.split(","))
    sheet.append([9351110009, "", "m", "P04", "P04C01", "", "", "G10", 9199999999, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    client = await admin_client(factory, client_for)
    response = await upload(client, "new version", "numbers.xlsx", buffer.getvalue(), replaces=str(old.id))
    assert response.status_code == 303
    new = await wait_database((await NumberDatabase.objects().where(NumberDatabase.name == "new version").first()).id)
    assert new.status == "ready" and new.rows == 4
    assert [g.id for g in await databases.granted(tenant.id)] == [new.id]
    assert (await NumberDatabase.objects().where(NumberDatabase.id == old.id).first()).status == "replaced"
    assert await DatabaseGrant.count().where(DatabaseGrant.database == old.id) == 0


async def test_sms_bulk_import_refuses_other_file_types(app, factory, client_for):
    client = await admin_client(factory, client_for)
    response = await upload(client, "x", "numbers.txt", b"number\n09121234567\n")
    assert response.status_code == 400
    assert not await NumberDatabase.exists().where(NumberDatabase.name == "x")


async def test_sms_bulk_demo_creates_the_database_once_and_grants_it(app, factory, monkeypatch):
    from payamak_sms_bulk import demo

    monkeypatch.setattr(demo, "demo_size", lambda: 500)
    first, second = await factory.tenant(), await factory.tenant()
    await demo.load_demo(first.slug)
    await demo.load_demo(second.slug)
    made = await NumberDatabase.objects().where(NumberDatabase.name == demo.DEMO_NAME)
    assert len(made) == 1 and made[0].rows == 500
    for tenant in (first, second):
        assert [d.id for d in await databases.granted(tenant.id)] == [made[0].id]


async def test_sms_bulk_admin_grants_and_blacklists_from_its_page(app, factory, client_for, synthetic):
    from payamak_sms_bulk.tables import Blacklisted

    tenant = await factory.tenant()
    client = await admin_client(factory, client_for)
    granted = await client.post_form(
        "/admin/bulk/grant", {"tenant_id": str(tenant.id), "database_id": str(synthetic.id), "action": "grant"}
    )
    assert granted.status_code == 303 and [d.id for d in await databases.granted(tenant.id)] == [synthetic.id]
    await client.post_form("/admin/bulk/grant", {"tenant_id": str(tenant.id), "database_id": str(synthetic.id), "action": "revoke"})
    assert await databases.granted(tenant.id) == []
    listed = await client.post_form("/admin/bulk/blacklist", {"numbers": "09129990001\n+989129990002", "reason": "شکایت"})
    assert listed.status_code == 303
    assert await Blacklisted.count().where(Blacklisted.number.is_in([989129990001, 989129990002])) == 2
    await Blacklisted.delete().where(Blacklisted.number.is_in([989129990001, 989129990002]))
    assert importing.sample_csv().startswith("\ufeffnumber".encode())


async def test_sms_bulk_only_a_replaced_or_failed_database_nobody_uses_can_be_deleted(app, factory, client_for):
    tenant = await factory.tenant()
    old = await databases.create_synthetic("old one", 30, seed=4)
    await databases.grant(tenant.id, old.id)
    client = await admin_client(factory, client_for)
    refused = await client.post_form(f"/admin/bulk/{old.id}/delete")
    assert refused.status_code == 400 and await NumberDatabase.exists().where(NumberDatabase.id == old.id)
    new = await databases.create_synthetic("new one", 30, seed=5)
    await databases.switch_to(new.id, old.id)
    deleted = await client.post_form(f"/admin/bulk/{old.id}/delete")
    assert deleted.status_code == 303
    assert not await NumberDatabase.exists().where(NumberDatabase.id == old.id)
    assert await BulkNumber.count().where(BulkNumber.database == old.id) == 0
    assert [d.id for d in await databases.granted(tenant.id)] == [new.id]
