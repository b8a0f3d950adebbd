"""4 Inbox: the customer's received messages, search (sender, text, Jalali dates), Excel export,
reply and forward (sends with their cost), the dashboard's newest messages."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from payamak.boxes import services
from payamak.boxes.services import Criteria
from payamak.errors import DomainError
from payamak.messaging.tables import InboundMessage, Recipient, SendJob
from payamak_testplugin.loopback import SENT
from tests.boxes.conftest import money_fa, own_line, receive, receive_on
from tests.helpers import text_of
from tests.messaging.conftest import make_world, wait_until_settled


async def test_the_inbox_shows_only_the_customers_messages_newest_first_with_jalali_time_and_persian_digits(world, client, factory):
    other = await factory.user(world.tenant)
    await receive(world, "پیام قدیمی", "09121110001", "1403/05/10 09:05")
    await receive(world, "پیام تازه", "09121110002", "1403/05/12 14:30")
    await receive_on(await own_line(world, other), "مال مشتری دیگر", "09121110003")

    page = await client.get("/inbox")
    assert page.status_code == 200
    html = page.text
    assert html.index("پیام تازه") < html.index("پیام قدیمی")
    assert "مال مشتری دیگر" not in html
    text = text_of(html)
    assert "۹۸۹۱۲۱۱۱۰۰۰۲" in text and "۱۴۰۳/۰۵/۱۲ ۱۴:۳۰" in text and "۱۴۰۳/۰۵/۱۰ ۰۹:۰۵" in text
    assert "تعداد پیام‌ها: ۲" in text


async def test_inbox_search_finds_messages_by_sender_text_and_jalali_dates_in_tehran_time(world, client):
    a = await receive(world, "کد تخفیف شما 1234", "09121110001", "1403/05/10 10:00")
    b = await receive(world, "سلام، وقت بخير", "09352220002", "1403/05/12 23:30")  # 20:00 UTC on the 12th
    c = await receive(world, "كد پيگيري", "09121110003", "1403/05/13 00:10")  # Arabic kaf and yeh; still the 12th in UTC
    d = await receive(world, "تخفیف ویژه", "09121110004", "1403/05/20 08:00")

    async def found(**values: str) -> list[int]:
        box = await services.box_page(world.customer, Criteria.parse(values))
        return sorted(row["id"] for row in box.rows)

    assert await found(sender="09121110001") == [a]
    assert await found(sender="۰۹۳۵") == [b]  # Persian digits, part of a number
    assert await found(sender="+98912111") == [a, c, d]
    assert await found(text="تخفیف") == [a, d]
    assert await found(text="کد") == [a, c]  # Persian ک finds the Arabic ك too
    assert await found(date_from="1403/05/11", date_to="1403/05/12") == [b]
    assert await found(date_from="۱۴۰۳/۰۵/۱۳") == [c, d]
    assert await found(date_from="1403/05/12 23:31") == [c, d]
    assert await found(sender="0912", text="تخفیف", date_to="1403/05/15") == [a]

    # The page applies the same search and keeps it in the form and the pager's links.
    page = await client.get("/inbox", params={"text": "تخفیف", "date_to": "۱۴۰۳/۰۵/۱۵"})
    assert "کد تخفیف شما 1234" in page.text and "تخفیف ویژه" not in page.text
    assert 'value="۱۴۰۳/۰۵/۱۵"' in page.text and "تعداد پیام‌ها: ۱" in text_of(page.text)

    bad = await client.get("/inbox", params={"date_from": "1403/13/40"})
    assert bad.status_code == 200 and "«1403/13/40» تاریخ معتبری نیست" in text_of(bad.text)


async def test_the_inbox_is_paginated(world, client):
    for i in range(services.PAGE_SIZE + 3):
        await receive(world, f"پیام شماره {i}", "09121110001")
    first = await client.get("/inbox")
    assert "پیام شماره 27" in first.text and "پیام شماره 2<" not in first.text
    assert 'href="?page_no=2"' in first.text
    second = await client.get("/inbox", params={"page_no": "۲"})
    assert "پیام شماره 2<" in second.text and "پیام شماره 27" not in second.text


async def test_the_inbox_search_result_downloads_as_an_excel_file(world, client):
    await receive(world, "کد تخفیف: 50%", "09121110001", "1403/05/12 14:30")
    await receive(world, '=HYPERLINK("http://evil.example","تخفیف")\x07', "09121110002", "1403/05/13 08:00")
    await receive(world, "بدون ربط", "09121110003")

    response = await client.get("/inbox/export", params={"text": "تخفیف"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert 'filename="inbox-' in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("فرستنده", "خط", "متن", "زمان دریافت")
    assert rows[1:] == [
        ("989121110002", world.line.number, '=HYPERLINK("http://evil.example","تخفیف")', "1403/05/13 08:00"),
        ("989121110001", world.line.number, "کد تخفیف: 50%", "1403/05/12 14:30"),
    ]
    assert sheet.cell(row=2, column=3).data_type == "s"  # a text that looks like a formula stays a text


async def test_a_reply_is_a_send_to_the_sender_from_the_customers_line_with_its_cost_shown(world, client):
    message_id = await receive(world, "ساعت کاری فروشگاه؟", "09121112233")
    form = await client.get(f"/inbox/{message_id}/reply")
    assert form.status_code == 200 and "پاسخ به ۹۸۹۱۲۱۱۱۲۲۳۳" in text_of(form.text)

    quote = await client.get("/boxes/quote", params={"text": "سلام", "line_id": world.line.id})
    expected = await services.cost(world.customer, "سلام", 1, world.line.id)
    assert quote.status_code == 200 and f"هزینه: {money_fa(expected.total)} ریال" in text_of(quote.text)

    sent = await client.post_form(f"/inbox/{message_id}/reply", {"text": "هر روز ۹ تا ۲۱", "line_id": str(world.line.id)})
    assert sent.status_code == 303 and sent.headers["location"] == "/outbox"
    job = await SendJob.objects().where(SendJob.user == world.customer.id).first()
    assert (job.source, job.line, job.text, job.recipients) == ("reply", world.line.id, "هر روز ۹ تا ۲۱", 1)
    assert await wait_until_settled(job.id) == {"submitted": 1}
    assert any(m.destination == "989121112233" and m.source == world.line.number and m.text == "هر روز ۹ تا ۲۱" for m in SENT)
    outbox = await client.get("/outbox")
    assert f"پاسخ شما به ۹۸۹۱۲۱۱۱۲۲۳۳ ارسال شد؛ هزینه آن {money_fa(job.reserved)} ریال بود." in text_of(outbox.text)
    assert "هر روز ۹ تا ۲۱" in outbox.text


async def test_a_reply_the_credit_does_not_cover_or_to_a_non_mobile_sender_is_refused_clearly(app, factory, client_for):
    poor = await make_world(factory, credit=0)
    client = client_for(poor.tenant)
    await client.login(poor.customer)
    message_id = await receive(poor, "سلام", "09121112233")
    refused = await client.post_form(f"/inbox/{message_id}/reply", {"text": "پاسخ", "line_id": str(poor.line.id)})
    assert refused.status_code == 402 and 'class="flash error" role="alert"' in refused.text
    assert "پاسخ</textarea>" in refused.text  # the text is kept
    assert await SendJob.count().where(SendJob.user == poor.customer.id) == 0

    short_code = await receive(poor, "کد تأیید: 5521", "SHOPBANK")
    page = await client.get(f"/inbox/{short_code}/reply")
    assert "«SHOPBANK» شماره موبایل نیست" in page.text and 'action="/inbox/' not in page.text
    post = await client.post_form(f"/inbox/{short_code}/reply", {"text": "x", "line_id": str(poor.line.id)})
    assert post.status_code == 400 and "«SHOPBANK» شماره موبایل نیست" in post.text


async def test_forwarding_a_received_message_sends_its_text_to_the_numbers_typed_in_persian_or_latin_digits(world, client):
    message_id = await receive(world, "جلسه ساعت ۱۰ صبح", "09121112233")
    form = await client.get(f"/inbox/{message_id}/forward")
    cost = await services.cost(world.customer, "جلسه ساعت ۱۰ صبح", 1, world.line.id)
    assert f"{money_fa(cost.total)} ریال برای هر گیرنده" in text_of(form.text)

    numbers = "09124445566\n۰۹۱۲۷۷۷۸۸۹۹، 09351112233"
    sent = await client.post_form(f"/inbox/{message_id}/forward", {"numbers": numbers, "line_id": str(world.line.id)})
    assert sent.status_code == 303
    job = await SendJob.objects().where(SendJob.user == world.customer.id).first()
    assert (job.source, job.text, job.recipients) == ("forward", "جلسه ساعت ۱۰ صبح", 3)
    rows = await Recipient.select(Recipient.number).where(Recipient.job == job.id).order_by(Recipient.id)
    assert [r["number"] for r in rows] == ["989124445566", "989127778899", "989351112233"]

    bad = await client.post_form(f"/inbox/{message_id}/forward", {"numbers": "0912\nabc", "line_id": str(world.line.id)})
    assert bad.status_code == 400 and "#1" in bad.text and "#2" in bad.text and "0912\nabc</textarea>" in bad.text
    empty = await client.post_form(f"/inbox/{message_id}/forward", {"numbers": " ", "line_id": str(world.line.id)})
    assert empty.status_code == 400 and "دست‌کم یک شماره گیرنده وارد کنید." in empty.text
    assert await SendJob.count().where(SendJob.user == world.customer.id) == 1


async def test_the_dashboard_shows_the_newest_received_messages(world, client):
    for i in range(7):
        await receive(world, f"پیام داشبورد {i}", "09121110001")
    trashed = await receive(world, "پیام حذف‌شده", "09121110001")
    await services.move_to_trash(world.customer, [trashed])
    page = await client.get("/")
    assert page.status_code == 200 and "تازه‌ترین پیام‌های دریافتی" in page.text
    assert all(f"پیام داشبورد {i}" in page.text for i in (2, 3, 4, 5, 6))
    assert "پیام داشبورد 1" not in page.text and "پیام حذف‌شده" not in page.text
    assert 'href="/inbox"' in page.text


async def test_search_dates_are_checked(world):
    for value in ("1403/13/01", "دیروز", "1403/05"):
        try:
            Criteria.parse({"date_from": value})
        except DomainError as error:
            assert error.code == "search.bad_date"
        else:
            raise AssertionError(f"{value!r} was accepted")
    moment = Criteria.parse({"date_to": "2024-08-02"}).until
    assert moment is not None and moment.isoformat() == "2024-08-02T20:30:00+00:00"
    assert await InboundMessage.count().where(InboundMessage.owner == world.customer.id) == 0
