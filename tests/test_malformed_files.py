"""Malformed files fed to the three uploads (2-3 peer-to-peer, 2-2 advanced .txt, 9-4 phonebook CSV):
wrong columns, an empty file, a binary renamed .xlsx, bad Jalali dates, 5 MB of random junk, and
Windows-1256 CSVs. Each gets a clear error on the page naming the problem (and the row, where a
row is at fault), and nothing is imported or sent: no job, no recipient, no contact, no kept upload."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta
from types import SimpleNamespace

import jdatetime
import pytest

from payamak.messaging.tables import Recipient, SendJob
from payamak.web.formatting import TEHRAN
from payamak_phonebook.custom_fields import create_field
from payamak_phonebook.tables import Contact, ImportJob
from payamak_sms_simple import uploads
from payamak_testplugin import loopback
from tests.helpers import text_of
from tests.messaging.conftest import make_world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JUNK_BYTES = 5 * 1024 * 1024


def junk(seed: int, size: int = JUNK_BYTES) -> bytes:
    """``size`` random bytes (seeded, so a failure can be replayed)."""
    return random.Random(seed).randbytes(size)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    """Rows as CSV; ``cp1256`` as Persian Windows saves it (Persian ی written as Arabic ي)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    if encoding == "cp1256":
        text = text.replace("ی", "ي")
    return text.encode(encoding)


def future_jalali(days: int = 2) -> str:
    return (jdatetime.datetime.now(TEHRAN) + timedelta(days=days)).strftime("%Y/%m/%d 10:00")


@pytest.fixture
async def world(app, factory) -> SimpleNamespace:
    return await make_world(factory)


@pytest.fixture
async def client(world, client_for):
    c = client_for(world.tenant)
    await c.login(world.customer)
    return c


async def counts(world: SimpleNamespace) -> tuple[int, ...]:
    """What an upload could have left behind: jobs, recipients, contacts, import jobs, sent messages, kept uploads."""
    user, tenant = world.customer, world.tenant
    return (
        await SendJob.count().where(SendJob.user == user.id),
        await Recipient.count().where(Recipient.tenant == tenant.id),
        await Contact.count().where(Contact.owner == user.id),
        await ImportJob.count().where(ImportJob.owner == user.id),
        len(loopback.SENT),
        len(list(uploads.upload_dir().glob("*"))),
    )


def flash_error(html: str) -> str:
    """The text of the page's error message."""
    marker = '<div class="flash error" role="alert">'
    assert marker in html, text_of(html)[:2000]
    return text_of(html.split(marker, 1)[1].split("</div>", 1)[0]).strip()


def table_rows(html: str, table_id: str) -> list[str]:
    """The visible text of each row of the table ``table_id``."""
    assert f'id="{table_id}"' in html, text_of(html)[:2000]
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [text_of("<tr" + row).strip() for row in body.split("<tr")[2:]]


# --- 2-3 peer-to-peer ------------------------------------------------------------------------------


async def p2p_upload(client, world, name: str, content: bytes, media: str = XLSX):
    token = await client.ensure_csrf()
    data = {"_csrf_token": token, "line_id": str(world.line.id)}
    return await client.post("/send/p2p", data=data, files={"file": (name, content, media)})


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.xlsx", b"", "فایل به‌عنوان صفحه‌گسترده خوانده نشد."),
        ("empty.csv", b"", "فایل هیچ ردیفی ندارد."),
        ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + junk(1, 4096), "فایل به‌عنوان صفحه‌گسترده خوانده نشد."),
        ("fake.xlsx", b"PK\x03\x04" + junk(2, 4096), "فایل به‌عنوان صفحه‌گسترده خوانده نشد."),
        ("junk.xlsx", junk(3), "فایل به‌عنوان صفحه‌گسترده خوانده نشد."),
        ("junk.xls", junk(4), "فایل به‌عنوان صفحه‌گسترده خوانده نشد."),
        ("rows.docx", b"PK\x03\x04", "فایلی از نوع xlsx، xls یا csv بارگذاری کنید."),
    ],
)
async def test_p2p_an_unreadable_or_empty_file_is_refused_with_a_clear_error_and_nothing_is_kept(world, client, name, content, expected):
    before = await counts(world)
    response = await p2p_upload(client, world, name, content)
    assert response.status_code == 400
    shown = [flash_error(response.text)]
    if 'id="row-errors"' in response.text:  # an empty CSV: "1 row has errors", the file itself (row —)
        shown += table_rows(response.text, "row-errors")
    assert shown[-1].endswith(expected), shown
    assert await counts(world) == before


async def test_p2p_five_megabytes_of_junk_as_csv_is_refused_row_by_row_and_nothing_is_kept(world, client):
    before = await counts(world)
    response = await p2p_upload(client, world, "junk.csv", junk(5), "text/csv")
    assert response.status_code == 400
    assert "ردیف خطا دارد. هیچ پیامکی ارسال نشد" in flash_error(response.text)
    rows = table_rows(response.text, "row-errors")
    assert rows[0].startswith("۱ شماره موبایل") and "نویسه‌هایی جز رقم دارد" in rows[0]
    assert len(rows) == 500 and "خطای دیگر" in text_of(response.text)  # the page lists 500 and counts the rest
    assert await counts(world) == before


async def test_p2p_wrong_columns_are_named_by_row_and_column_and_nothing_is_kept(world, client):
    # Text first and number second: every row's "number" is a text, and its "text" a number.
    rows = [["متن", "شماره موبایل"], ["سلام سارا", "09121000001"], ["سلام رضا", "09121000002"]]
    before = await counts(world)
    response = await p2p_upload(client, world, "swapped.xlsx", xlsx_bytes(rows))
    assert response.status_code == 400
    assert flash_error(response.text).startswith("۳ ردیف خطا دارد")  # the header is not recognised: it is a row too
    errors = table_rows(response.text, "row-errors")
    assert [e.split()[0] for e in errors] == ["۱", "۲", "۳"]
    assert all("شماره موبایل" in e for e in errors)
    assert await counts(world) == before


@pytest.mark.parametrize("bad", ["1403/13/05 10:00", "1403/12/31 25:00", "۱۴۰۳/۰۲/۳۲ ۱۰:۰۰", "فردا ساعت ده", "2024-13-01"])
async def test_p2p_a_bad_jalali_time_is_named_by_row_and_nothing_is_kept(world, client, bad):
    rows = [["شماره موبایل", "متن", "زمان ارسال"], ["09121000001", "سلام", future_jalali()], ["09121000002", "سلام", bad]]
    before = await counts(world)
    response = await p2p_upload(client, world, "times.xlsx", xlsx_bytes(rows))
    assert response.status_code == 400
    assert flash_error(response.text).startswith("۱ ردیف خطا دارد")
    [error] = table_rows(response.text, "row-errors")
    assert error.startswith("۳ زمان ارسال") and bad in error
    assert await counts(world) == before


async def test_p2p_a_windows_1256_csv_in_persian_is_accepted_and_with_a_bad_row_refused_naming_it(world, client):
    rows = [["شماره موبایل", "متن", "زمان ارسال"], ["09121000001", "سلام سارا، نوبت شما فردا است.", ""], ["09121000002", "یادآوری", ""]]
    data = csv_bytes(rows, "cp1256")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    before = await counts(world)
    accepted = await p2p_upload(client, world, "persian.csv", data, "text/csv")
    assert accepted.status_code == 303 and accepted.headers["location"].startswith("/send/p2p/")
    preview = text_of((await client.get(accepted.headers["location"])).text)
    assert "سلام سارا، نوبت شما فردا است." in preview  # Arabic ي read back as Persian ی
    assert (await counts(world))[:5] == before[:5]  # checked, waiting for confirmation: nothing sent yet
    assert (await client.post_form(accepted.headers["location"] + "/cancel")).status_code == 303

    bad = [*rows, ["0912-نامعتبر", "سلام", ""]]
    before = await counts(world)
    refused = await p2p_upload(client, world, "persian.csv", csv_bytes(bad, "cp1256"), "text/csv")
    assert refused.status_code == 400
    [error] = table_rows(refused.text, "row-errors")
    assert error.startswith("۴ شماره موبایل")
    assert await counts(world) == before


# --- 2-2 advanced send (.txt) ----------------------------------------------------------------------


async def advanced_upload(client, world, name: str, content: bytes, **fields: str):
    token = await client.ensure_csrf()
    data = {"_csrf_token": token, "line_id": str(world.line.id), "text": "سلام", **fields}
    return await client.post("/send/advanced", data=data, files={"file": (name, content, "text/plain")})


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("numbers.txt", b"", "فایل خالی است."),
        ("numbers.xlsx", xlsx_bytes([["09121000001"]]), "یک فایل txt بارگذاری کنید که در هر خط آن یک شماره باشد."),
        ("numbers.xlsx", junk(6, 4096), "یک فایل txt بارگذاری کنید که در هر خط آن یک شماره باشد."),
        ("numbers.csv", b"09121000001\r\n", "یک فایل txt بارگذاری کنید که در هر خط آن یک شماره باشد."),
    ],
)
async def test_advanced_an_empty_or_non_txt_file_is_refused_with_a_clear_error(world, client, name, content, expected):
    before = await counts(world)
    response = await advanced_upload(client, world, name, content)
    assert response.status_code == 400
    assert flash_error(response.text) == expected
    assert await counts(world) == before


@pytest.mark.parametrize(("date", "time"), [("1403/13/01", "10:00"), ("۱۴۰۳/۰۶/۳۲", "10:00"), ("1403/05/12", "25:61"), ("فردا", "10:00")])
async def test_advanced_a_bad_jalali_schedule_is_refused_naming_the_value(world, client, date, time):
    before = await counts(world)
    response = await advanced_upload(client, world, "numbers.txt", b"09121000001\n", schedule="1", send_date=date, send_time=time)
    assert response.status_code == 400
    message = flash_error(response.text)
    assert (date in message and "تاریخ شمسی" in message) or (time in message and "ساعت" in message), message
    assert await counts(world) == before


async def test_advanced_five_megabytes_of_junk_has_no_valid_number_and_confirming_sends_nothing(world, client):
    before = await counts(world)
    checked = await advanced_upload(client, world, "numbers.txt", junk(7))
    assert checked.status_code == 303, text_of(checked.text)[:2000]
    review = await client.get(checked.headers["location"])
    assert "(هر کدام یک بار) ۰" in text_of(review.text)  # no valid number
    invalid = table_rows(review.text, "invalid-lines")
    assert len(invalid) == 50 and invalid[0].startswith("۱ ") and invalid[0].endswith("نویسه‌ای جز رقم دارد")
    refused = await client.post_form(checked.headers["location"])
    assert refused.status_code == 400
    assert flash_error(refused.text) == "فایل هیچ شمارهٔ درستی برای ارسال ندارد."
    assert (await counts(world))[:5] == before[:5]
    assert (await client.post_form(checked.headers["location"] + "/cancel")).status_code == 303
    assert await counts(world) == before


async def test_advanced_a_file_of_two_columns_lists_every_non_number_cell_by_line_before_anything_is_sent(world, client):
    # Not one number a line but name,mobile rows: the numbers are found, the names listed by their line.
    before = await counts(world)
    content = "name,mobile\r\nسارا,09121000001\r\nرضا;09121000002\r\n".encode()
    checked = await advanced_upload(client, world, "numbers.txt", content)
    assert checked.status_code == 303
    review = await client.get(checked.headers["location"])
    assert "(هر کدام یک بار) ۲" in text_of(review.text)
    invalid = table_rows(review.text, "invalid-lines")
    assert [row.split()[:2] for row in invalid] == [["۱", "name"], ["۱", "mobile"], ["۲", "سارا"], ["۳", "رضا"]]
    assert (await counts(world))[:5] == before[:5]  # nothing is sent before confirming
    assert (await client.post_form(checked.headers["location"] + "/cancel")).status_code == 303
    assert await counts(world) == before


async def test_advanced_a_windows_1256_file_with_a_persian_title_is_read(world, client):
    content = "شماره‌های مشتریان\r\n09121000001\r\n۰۹۱۲۱۰۰۰۰۰۲\r\n".replace("ی", "ي").replace("\u200c", " ")
    data = content.replace("۰۹۱۲۱۰۰۰۰۰۲", "09121000002").encode("cp1256")
    checked = await advanced_upload(client, world, "numbers.txt", data)
    assert checked.status_code == 303
    review = await client.get(checked.headers["location"])
    assert "(هر کدام یک بار) ۲" in text_of(review.text)
    invalid = table_rows(review.text, "invalid-lines")  # the title line is listed as invalid, by its (Persian) text
    assert invalid and {row.split()[0] for row in invalid} == {"۱"} and "شماره" in invalid[0]
    assert (await client.post_form(checked.headers["location"] + "/cancel")).status_code == 303


# --- 9-4 phonebook CSV import ----------------------------------------------------------------------


async def phonebook_upload(client, name: str, content: bytes):
    return await client.post_form("/phonebook/import", files={"file": (name, content, "text/csv")})


def problems(html: str) -> list[str]:
    return table_rows(html, "import-problems")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("contacts.csv", b"", "فایل خالی است."),
        ("contacts.csv", b"\r\n \r\n", "فایل خالی است."),
        ("contacts.xlsx", xlsx_bytes([["نام", "موبایل"], ["سارا", "09121000001"]]), "این فایل کارپوشهٔ اکسل است، نه CSV"),
        ("contacts.xlsx", b"\xd0\xcf\x11\xe0" + junk(8, 4096), "این فایل کارپوشهٔ اکسل است، نه CSV"),
        ("contacts.xlsx", junk(9, 4096) + b"\x00", "این فایل، فایل متنی (CSV) نیست."),
        ("junk.csv", junk(10), "این فایل، فایل متنی (CSV) نیست."),
    ],
)
async def test_phonebook_an_empty_binary_or_junk_file_is_refused_with_a_clear_error(world, client, name, content, expected):
    before = await counts(world)
    response = await phonebook_upload(client, name, content)
    assert response.status_code == 400
    assert expected in flash_error(response.text)
    assert await counts(world) == before


async def test_phonebook_wrong_columns_are_each_named_and_nothing_is_imported(world, client):
    before = await counts(world)
    response = await phonebook_upload(client, "contacts.csv", csv_bytes([["نام", "ایمیل", "شهر"], ["سارا", "s@example.com", "تهران"]]))
    assert response.status_code == 400
    assert "هیچ مخاطبی وارد نشد" in flash_error(response.text)
    found = problems(response.text)
    assert any("«ایمیل» ستونی از دفترچه تلفن شما نیست" in p for p in found)
    assert any("«شهر» ستونی از دفترچه تلفن شما نیست" in p for p in found)
    assert any("فایل ستون موبایل ندارد" in p for p in found)
    assert await counts(world) == before


async def test_phonebook_a_title_row_without_contacts_is_refused(world, client):
    before = await counts(world)
    response = await phonebook_upload(client, "contacts.csv", csv_bytes([["نام", "موبایل"]]))
    assert response.status_code == 400
    assert "ردیف عنوان" in flash_error(response.text) or "مخاطب" in flash_error(response.text)
    assert await counts(world) == before


@pytest.mark.parametrize("bad", ["1403/13/01", "۱۴۰۳/۰۷/۳۱", "1403/12/31x", "31/05/1403"])
async def test_phonebook_a_bad_jalali_date_refuses_the_file_naming_its_row_and_field(world, client, bad):
    await create_field(world.customer, "تولد", "date")
    rows = [["نام", "موبایل", "تولد"], ["سارا", "09121000001", "1370/05/12"], ["رضا", "09121000002", bad], ["مینا", "09121000003", ""]]
    before = await counts(world)
    response = await phonebook_upload(client, "contacts.csv", csv_bytes(rows))
    assert response.status_code == 400
    assert "هیچ مخاطبی وارد نشد: فایل ۱ ایراد دارد." == flash_error(response.text)
    [problem] = problems(response.text)
    assert problem.startswith("۳ تولد") and f"«{bad}» تاریخ شمسی درستی" in problem
    assert await counts(world) == before


async def test_phonebook_a_windows_1256_csv_in_persian_is_imported_and_with_a_bad_row_refused_naming_it(world, client):
    rows = [["نام", "موبایل", "گروه‌ها"], ["علی رضایی", "09121000001", "مشتریان"], ["زهرا کیانی", "09121000002", "مشتریان"]]
    bad = [*rows, ["مینا", "0912-abc", "مشتریان"], ["نیما", "09121000004", ""]]
    before = await counts(world)
    refused = await phonebook_upload(client, "contacts.csv", csv_bytes(bad, "cp1256"))
    assert refused.status_code == 400
    [problem] = problems(refused.text)
    assert problem.startswith("۴ موبایل")
    assert await counts(world) == before

    accepted = await phonebook_upload(client, "contacts.csv", csv_bytes(rows, "cp1256"))
    assert accepted.status_code == 303 and accepted.headers["location"] == "/phonebook"
    names = sorted(r["name"] for r in await Contact.select(Contact.name).where(Contact.owner == world.customer.id))
    assert names == ["زهرا کیانی", "علی رضایی"]  # Arabic ي came back as Persian ی
