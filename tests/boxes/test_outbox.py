"""5 Outbox: one row per recipient with its line, text and status; search by recipient, text, Jalali dates and
sender line; Excel export; forward; the star saves a template. 5-1 scheduled sends: listed and cancelled with a refund."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from openpyxl import load_workbook

from payamak.boxes import exports, outbox, services
from payamak.boxes.services import Criteria
from payamak.messaging import pipeline
from payamak.messaging.tables import CreditAccount, Recipient, SendJob
from payamak.web.formatting import jalali, parse_jalali
from tests.boxes.conftest import PERSIAN, api_headers, money_fa, own_line
from tests.helpers import text_of
from tests.messaging.conftest import CREDIT, assert_ledger_balances, wait_until_settled


async def sends(world):
    """Three sends: two from the main line (one back-dated to 1403/05/10), one from a second line."""
    second = await own_line(world)
    first = await pipeline.accept_send(world.customer, ["09121110001", "09121110002"], "سلام اول", line_id=world.line.id)
    offer = await pipeline.accept_send(world.customer, ["09351110003"], "تخفیف ویژه", line_id=world.line.id)
    other = await pipeline.accept_send(world.customer, ["09121110001"], "از خط دوم", line_id=second.id)
    for job in (first, offer, other):
        await wait_until_settled(job.id)
    await SendJob.update({SendJob.created_at: parse_jalali("1403/05/10 11:00")}).where(SendJob.id == offer.id)
    return SimpleNamespace(first=first, offer=offer, other=other, second=second)


async def numbers(world, **values: str) -> list[str]:
    box = await outbox.outbox_page(world.customer, Criteria.parse(values, "recipient"))
    return sorted(row["number"] for row in box.rows)


async def test_the_outbox_has_one_row_per_recipient_with_line_text_and_status(world, client):
    sent = await sends(world)
    page = await client.get("/outbox")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "تعداد پیام‌ها: ۴" in text
    assert text.count("ارسال به اپراتور") == 4  # the loopback connector accepts every message
    assert "۹۸۹۱۲۱۱۱۰۰۰۲" in text and "سلام اول" in text and "از خط دوم" in text
    assert sent.second.number.translate(PERSIAN) in text
    rows = (await outbox.outbox_page(world.customer, Criteria())).rows
    assert [(r["number"], r["line_number"], r["text"], r["status"]) for r in rows] == [
        ("989121110001", sent.second.number, "از خط دوم", "submitted"),
        ("989351110003", world.line.number, "تخفیف ویژه", "submitted"),
        ("989121110002", world.line.number, "سلام اول", "submitted"),
        ("989121110001", world.line.number, "سلام اول", "submitted"),
    ]
    assert all(r["submitted_at"] is not None for r in rows)


async def test_outbox_search_by_recipient_text_date_and_sender_line(world, client):
    sent = await sends(world)
    # A peer-to-peer row carries its own text: the search and the page use it.
    row = await Recipient.objects().where((Recipient.job == sent.first.id) & (Recipient.number == "989121110002")).first()
    await Recipient.update({Recipient.text: "متن اختصاصی"}).where(Recipient.id == row.id)

    assert await numbers(world, recipient="09121110001") == ["989121110001", "989121110001"]
    assert await numbers(world, recipient="۰۹۳۵") == ["989351110003"]
    assert await numbers(world, text="تخفیف") == ["989351110003"]
    assert await numbers(world, text="اختصاصی") == ["989121110002"]
    assert await numbers(world, text="سلام اول") == ["989121110001"]
    assert await numbers(world, line=sent.second.number) == ["989121110001"]
    assert await numbers(world, line=world.line.number) == ["989121110001", "989121110002", "989351110003"]
    assert await numbers(world, date_from="1403/05/10", date_to="۱۴۰۳/۰۵/۱۰") == ["989351110003"]
    assert await numbers(world, date_from="1403/05/11") == ["989121110001", "989121110001", "989121110002"]
    assert await numbers(world, recipient="0912", line=world.line.number, text="سلام") == ["989121110001"]

    page = await client.get("/outbox", params={"recipient": "09121110001", "line": sent.second.number})
    assert "از خط دوم" in page.text and "سلام اول" not in page.text and "تعداد پیام‌ها: ۱" in text_of(page.text)
    assert f'<option value="{sent.second.number}" selected>' in page.text
    bad = await client.get("/outbox", params={"line": "abc"})
    assert bad.status_code == 200 and 'role="alert"' in bad.text

    api = await client.get("/api/v1/outbox", params={"text": "تخفیف"}, headers=await api_headers(world.tenant, world.customer))
    assert api.status_code == 200
    assert [(r["recipient"], r["line"], r["text"], r["status"], r["job_id"]) for r in api.json()] == [
        ("989351110003", world.line.number, "تخفیف ویژه", "submitted", sent.offer.id)
    ]
    assert api.json()[0]["sent_at"].startswith("2024-07-31T")  # 1403/05/10 11:00 Tehran
    bad_api = await client.get(
        "/api/v1/outbox", params={"date_from": "1403/02/40"}, headers=await api_headers(world.tenant, world.customer)
    )
    assert bad_api.status_code == 400 and bad_api.json()["error"]["code"] == "search.bad_date"


async def test_the_outbox_search_result_downloads_as_an_excel_file_with_every_row(world, client):
    sent = await sends(world)
    response = await client.get("/outbox/export", params={"recipient": "09121110001"})
    assert response.status_code == 200 and 'filename="outbox-' in response.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("گیرنده", "شماره فرستنده", "متن", "وضعیت", "زمان ارسال", "ارسال به اپراتور", "زمان وضعیت")
    assert [r[:4] for r in rows[1:]] == [
        ("989121110001", sent.second.number, "از خط دوم", "ارسال به اپراتور"),
        ("989121110001", world.line.number, "سلام اول", "ارسال به اپراتور"),
    ]
    assert all(r[4].startswith("14") and r[5].startswith("14") for r in rows[1:])  # Jalali times

    # Read in chunks (small sends together, a large one paged by id): every row comes once, in the page's order.
    everything = ["989121110001", "989351110003", "989121110002", "989121110001"]
    for chunk in (1, 2, 3, 5000):
        path, count = await exports.export_outbox(world.customer, Criteria(), chunk=chunk)
        try:
            exported = [r[0] for r in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
        finally:
            path.unlink()
        assert count == 4 and exported == everything, chunk


async def test_outbox_windows_walk_the_sends_and_agree_with_the_page_order(world):
    jobs = [
        await pipeline.accept_send(world.customer, [f"0912111{j}00{i}" for i in range(size)], f"ارسال {j}")
        for j, size in enumerate((3, 1, 4, 2))
    ]
    expected = [
        (job.id, number)
        for job in reversed(jobs)
        for number in sorted((r["number"] for r in await Recipient.select(Recipient.number).where(Recipient.job == job.id)), reverse=True)
    ]
    assert len(expected) == 10
    for limit in (1, 3, 4):
        walked = []
        for offset in range(0, 12, limit):
            walked += [(r["job"], r["number"]) for r in await outbox.outbox_rows(world.customer, Criteria(), offset, limit)]
        assert walked == expected, limit
    page = await outbox.outbox_page(world.customer, Criteria())
    assert page.total == 10 and [(r["job"], r["number"]) for r in page.rows] == expected
    filtered = await outbox.outbox_page(world.customer, Criteria.parse({"recipient": "09121110"}, "recipient"))
    assert filtered.total == 3 and [r["number"] for r in filtered.rows] == ["989121110002", "989121110001", "989121110000"]


async def test_the_star_saves_a_rows_text_as_a_template_once(world, client):
    sent = await sends(world)
    row = await Recipient.objects().where(Recipient.job == sent.offer.id).first()
    starred = await client.post_form(f"/outbox/{row.id}/star", {"next": "/outbox?text=x"})
    assert starred.status_code == 303 and starred.headers["location"] == "/outbox?text=x"
    assert [t.text for t in await services.templates_for(world.customer)] == ["تخفیف ویژه"]
    assert "متن به‌عنوان پیام نمونه ذخیره شد." in (await client.get("/outbox")).text
    await client.post_form(f"/outbox/{row.id}/star")
    assert await services.template_count(world.customer) == 1
    assert "این متن از قبل در پیام‌های نمونه شما هست." in (await client.get("/outbox")).text


async def test_forwarding_a_sent_message_sends_its_text_again(world, client):
    sent = await sends(world)
    row = await Recipient.objects().where(Recipient.job == sent.offer.id).first()
    form = await client.get(f"/outbox/{row.id}/forward")
    assert form.status_code == 200 and "تخفیف ویژه" in form.text
    response = await client.post_form(f"/outbox/{row.id}/forward", {"numbers": "09127778899", "line_id": str(sent.second.id)})
    assert response.status_code == 303
    job = await SendJob.objects().where(SendJob.user == world.customer.id).order_by(SendJob.id, ascending=False).first()
    assert (job.source, job.text, job.line, job.recipients) == ("forward", "تخفیف ویژه", sent.second.id, 1)


async def test_scheduled_sends_are_listed_and_cancelling_one_refunds_its_credit(world, client):
    later = datetime.now(UTC) + timedelta(days=3)
    job = await pipeline.accept_send(world.customer, ["09121110001", "09121110002"], "یادآوری نوبت", scheduled_at=later)
    done = await pipeline.accept_send(world.customer, ["09121110003"], "همین حالا")
    await wait_until_settled(done.id)
    before = await CreditAccount.objects().where(CreditAccount.id == world.account.id).first()
    assert before.reserved == job.reserved > 0

    page = await client.get("/scheduled")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "یادآوری نوبت" in text and "همین حالا" not in text
    assert f"{jalali(later)} {world.line.number.translate(PERSIAN)} یادآوری نوبت ۲ {money_fa(job.reserved)} ریال" in text

    cancelled = await client.post_form(f"/scheduled/{job.id}/cancel")
    assert cancelled.status_code == 303
    assert (await SendJob.objects().where(SendJob.id == job.id).first()).status == "cancelled"
    check = await assert_ledger_balances(world.account.id)
    assert check["reserved"] == 0 and check["available"] == CREDIT - done.reserved
    after = await client.get("/scheduled")
    assert "یادآوری نوبت" not in after.text and "ارسال زمان‌بندی‌شده لغو شد" in after.text

    again = await client.post_form(f"/scheduled/{job.id}/cancel", headers={"referer": "/scheduled"})
    assert again.status_code == 303 and 'role="alert"' in (await client.get("/scheduled")).text
    assert await assert_ledger_balances(world.account.id) == check
