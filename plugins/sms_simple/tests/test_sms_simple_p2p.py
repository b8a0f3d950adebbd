"""2-3 Peer-to-peer send from .xlsx, .xls and .csv: every row its own number, text and Jalali time;
a bad row is named by its spreadsheet row and column and nothing is sent; samples in three formats."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import jdatetime
import pytest

from payamak.messaging.tables import Recipient, SendJob
from payamak.web.formatting import TEHRAN
from payamak_sms_simple import p2p, spreadsheets, uploads
from tests.helpers import text_of
from tests.messaging.conftest import make_world

MEDIA = {"xlsx": spreadsheets.MEDIA_TYPES["xlsx"], "xls": "application/vnd.ms-excel", "csv": "text/csv"}


def jalali_in(days: int, hour: int, minute: int) -> tuple[str, datetime]:
    """A Jalali ``Y/M/D H:m`` some days ahead (Tehran) and the UTC time it names."""
    local = (jdatetime.datetime.now(TEHRAN) + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.strftime("%Y/%m/%d %H:%M"), local.togregorian().astimezone(UTC)


def persian(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


async def upload(client, fmt: str, content: bytes, line_id: int, name: str = "rows") -> object:
    token = await client.ensure_csrf()
    return await client.post(
        "/send/p2p", data={"_csrf_token": token, "line_id": str(line_id)}, files={"file": (f"{name}.{fmt}", content, MEDIA[fmt])}
    )


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "csv"])
async def test_each_row_goes_with_its_own_text_at_its_own_time(world, client, kit, fmt):
    tomorrow, tomorrow_utc = jalali_in(1, 10, 0)
    later, later_utc = jalali_in(3, 18, 30)
    rows = [
        ["شماره موبایل", "متن", "زمان ارسال"],
        ["09122000001", "سلام سارا، نوبت شما فردا است.", tomorrow],
        [9122000002, "Hi Reza", ""],  # a number cell, as Excel keeps 0912… typed without quotes
        ["۰۹۱۲۲۰۰۰۰۰۳", "سلام سارا، نوبت شما فردا است.", persian(tomorrow)],
        ["0912-200-0004", "پیام شب", later],
        ["09122000005", "خط اول\nخط دوم", None],
    ]
    response = await upload(client, fmt, kit.spreadsheet(fmt, rows, leading_empty_rows=2), world.line.id)
    token = kit.token_of(response, "p2p")
    assert await kit.jobs_of(world.customer.id) == []

    preview = await client.get(f"/send/p2p/{token}")
    assert preview.status_code == 200
    shown = text_of(preview.text)
    assert "همهٔ ردیف‌ها درست است" in shown and persian(tomorrow) in shown and persian(later) in shown
    assert [f'data-row="{n}"' in preview.text for n in (4, 5, 6, 7, 8)] == [True] * 5  # spreadsheet rows, two empty rows above

    jobs = kit.done_job_ids(await client.post_form(f"/send/p2p/{token}"))
    saved = await SendJob.objects().where(SendJob.id.is_in(jobs)).order_by(SendJob.id)
    assert {j.source for j in saved} == {"p2p"}
    by_time = {j.scheduled_at: j for j in saved}
    assert set(by_time) == {None, tomorrow_utc, later_utc}
    assert by_time[None].status != "scheduled" and by_time[tomorrow_utc].status == "scheduled"
    texts = {r["number"]: r["text"] for r in await Recipient.select(Recipient.number, Recipient.text).where(Recipient.job.is_in(jobs))}
    assert texts == {
        "989122000001": "سلام سارا، نوبت شما فردا است.",
        "989122000002": "Hi Reza",
        "989122000003": "سلام سارا، نوبت شما فردا است.",
        "989122000004": "پیام شب",
        "989122000005": "خط اول\nخط دوم",
    }
    assert await kit.numbers_of(by_time[tomorrow_utc].id) == ["989122000001", "989122000003"]
    done = text_of((await client.get(f"/send/done?jobs={','.join(map(str, jobs))}")).text)
    assert "زمان‌بندی‌شده" in done and persian(later) in done


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "csv"])
async def test_one_bad_row_is_named_by_row_and_column_nothing_is_sent_then_the_fixed_file_is_sent(world, client, kit, fmt):
    when, _utc = jalali_in(2, 9, 15)
    rows = [
        ["شماره موبایل", "متن", "زمان ارسال"],
        ["09123000001", "اول", ""],
        ["0912300", "دوم", when],
        ["09123000003", "سوم", ""],
    ]
    before = set(uploads.upload_dir().iterdir())
    refused = await upload(client, fmt, kit.spreadsheet(fmt, rows, leading_empty_rows=1), world.line.id)
    assert refused.status_code == 400
    assert "۱ ردیف خطا دارد" in text_of(refused.text)
    errors = refused.text.split('id="row-errors"')[1].split("</table>")[0]
    assert errors.count("<tr data-row=") == 1 and 'data-row="4" data-column="number"' in errors
    assert "<td>۴</td>" in errors and "شماره موبایل" in errors
    assert await kit.jobs_of(world.customer.id) == []
    assert set(uploads.upload_dir().iterdir()) == before  # nothing kept either

    rows[2][0] = "09123000002"
    token = kit.token_of(await upload(client, fmt, kit.spreadsheet(fmt, rows, leading_empty_rows=1), world.line.id), "p2p")
    jobs = kit.done_job_ids(await client.post_form(f"/send/p2p/{token}"))
    assert len(jobs) == 2
    numbers = sorted(r["number"] for r in await Recipient.select(Recipient.number).where(Recipient.job.is_in(jobs)))
    assert numbers == ["989123000001", "989123000002", "989123000003"]


async def test_every_kind_of_bad_cell_is_reported_and_nothing_is_kept(world, client, kit):
    too_long = "x" * 1001
    rows = [
        ["09124000001", "", ""],
        ["abc", "سلام", "1403/13/01 10:00"],
        ["09124000003", too_long, "1400/01/01 10:00"],
        ["09124000004", "سلام", "فردا"],
        [None, None, None],
        ["09124000006", "درست", ""],
    ]
    before = set(uploads.upload_dir().iterdir())
    refused = await upload(client, "xlsx", kit.xlsx(rows), world.line.id)
    assert refused.status_code == 400
    found = {(int(part.split('"')[1]), part.split('data-column="')[1].split('"')[0]) for part in refused.text.split("<tr data-row=")[1:]}
    assert found == {(1, "text"), (2, "number"), (2, "time"), (3, "text"), (3, "time"), (4, "time")}
    shown = text_of(refused.text)
    assert "۴ ردیف خطا دارد" in shown and "گذشته است" in shown and "زمان شمسی نیست" in shown and "متن پیام خالی است" in shown
    assert set(uploads.upload_dir().iterdir()) == before
    assert await kit.jobs_of(world.customer.id) == []


async def test_a_windows_1256_csv_and_a_semicolon_csv_are_read(world, client, kit):
    rows = [["شماره موبایل", "متن"], ["09125000001", "سلام علی"]]
    token = kit.token_of(await upload(client, "csv", kit.csv(rows, encoding="cp1256"), world.line.id), "p2p")
    jobs = kit.done_job_ids(await client.post_form(f"/send/p2p/{token}"))
    [row] = await Recipient.select(Recipient.text).where(Recipient.job.is_in(jobs))
    assert row["text"] == "سلام علي"  # as Persian Windows saved it
    semicolons = "09125000002;پیام با نقطه‌ویرگول\r\n".encode()
    token = kit.token_of(await upload(client, "csv", semicolons, world.line.id), "p2p")
    assert (await client.get(f"/send/p2p/{token}")).status_code == 200


async def test_other_files_and_unreadable_spreadsheets_are_refused_clearly(world, client, kit):
    token = await client.ensure_csrf()
    pdf = await client.post(
        "/send/p2p", data={"_csrf_token": token, "line_id": str(world.line.id)}, files={"file": ("rows.pdf", b"%PDF", "application/pdf")}
    )
    assert pdf.status_code == 400 and "xlsx، xls یا csv" in text_of(pdf.text)
    broken = await upload(client, "xlsx", b"not a workbook", world.line.id)
    assert broken.status_code == 400 and "صفحه‌گسترده خوانده نشد" in text_of(broken.text)
    empty = await upload(client, "csv", b"", world.line.id)
    assert empty.status_code == 400 and "هیچ ردیفی ندارد" in text_of(empty.text)
    assert await kit.jobs_of(world.customer.id) == []


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "csv"])
async def test_the_sample_file_downloads_and_passes_its_own_check(world, client, fmt):
    response = await client.get(f"/send/p2p/sample/{fmt}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="p2p-sample.{fmt}"'
    if fmt == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf") and "شماره موبایل" in response.content.decode("utf-8-sig")
    checked, errors = p2p.check_file(f"sample.{fmt}", response.content)
    assert errors == [] and [r.number for r in checked] == ["989121234567", "989351234567", "989191234567"]
    assert checked[0].send_at is None and checked[1].send_at is not None
    assert (await client.get("/send/p2p/sample/pdf")).status_code == 404


async def test_without_credit_confirming_is_refused_and_nothing_is_persisted(app, factory, client_for, kit):
    poor = await make_world(factory, credit=0)
    client = client_for(poor.tenant)
    await client.login(poor.customer)
    rows = [["09126000001", "سلام", ""], ["09126000002", "سلام", jalali_in(1, 12, 0)[0]]]
    token = kit.token_of(await upload(client, "xlsx", kit.xlsx(rows), poor.line.id), "p2p")
    refused = await client.post_form(f"/send/p2p/{token}")
    assert refused.status_code == 402 and "اعتبار کافی نیست" in text_of(refused.text)
    assert await kit.jobs_of(poor.customer.id) == []
    assert await Recipient.count().where(Recipient.tenant == poor.tenant.id) == 0
    assert await kit.reservations_of(poor.account.id) == 0
    assert (await client.get(f"/send/p2p/{token}")).status_code == 200


async def test_another_users_p2p_token_answers_404(world, client, kit, factory, client_for):
    token = kit.token_of(await upload(client, "csv", kit.csv([["09127000001", "x"]]), world.line.id), "p2p")
    stranger = await make_world(factory)
    other = client_for(stranger.tenant)
    await other.login(stranger.customer)
    assert (await other.get(f"/send/p2p/{token}")).status_code == 404
    assert (await other.post_form(f"/send/p2p/{token}")).status_code == 404
    neighbour = client_for(world.tenant)
    await neighbour.login(await factory.user(world.tenant))
    assert (await neighbour.post_form(f"/send/p2p/{token}")).status_code == 404
    assert (await client.get(f"/send/advanced/{token}")).status_code == 404  # a p2p token is not an advanced one
    assert await kit.jobs_of(world.customer.id) == [] and await kit.jobs_of(stranger.customer.id) == []


def test_row_numbers_follow_the_spreadsheet_with_empty_rows_and_columns_before_the_data():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet["A5"], sheet["B5"] = "09121234567", "سلام"
    sheet["A7"], sheet["B7"] = "0912", "بد"
    out = io.BytesIO()
    book.save(out)
    checked, errors = p2p.check_file("rows.xlsx", out.getvalue())
    assert [r.row for r in checked] == [5] and [(e.row, e.column) for e in errors] == [(7, "number")]


async def test_a_file_with_many_send_times_lands_on_the_sends_list_with_a_summary(world, client, kit, monkeypatch):
    from payamak_sms_simple import services

    monkeypatch.setattr(services, "MAX_JOBS_SHOWN", 2)
    rows = [["09128800001", "a", ""], ["09128800002", "b", jalali_in(1, 8, 0)[0]], ["09128800003", "c", jalali_in(2, 8, 0)[0]]]
    token = kit.token_of(await upload(client, "csv", kit.csv(rows), world.line.id), "p2p")
    response = await client.post_form(f"/send/p2p/{token}")
    assert response.status_code == 303 and response.headers["location"] == "/messages"
    listing = text_of((await client.get("/messages")).text)
    assert "۳ پیامک در ۳ نوبت ارسال" in listing
    assert len(await kit.jobs_of(world.customer.id)) == 3
