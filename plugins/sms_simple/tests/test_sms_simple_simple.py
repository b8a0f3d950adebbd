"""2-1 Simple send: typed numbers and phonebook groups and contacts, at most 1,000 unique recipients,
a text or a template, now or at a Jalali time; cost shown, no credit or no line refused clearly."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import jdatetime

from payamak.boxes.services import add_template
from payamak.db import writing
from payamak.messaging import ledger
from payamak.messaging.tables import Line, Recipient
from payamak.web.formatting import TEHRAN
from payamak_sms_simple import timing
from payamak_testplugin import loopback
from tests.helpers import text_of
from tests.messaging.conftest import CREDIT, make_world, wait_until_settled


def persian(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


async def test_the_form_offers_groups_with_counts_templates_lines_and_the_price_table(world, client, kit):
    await kit.add_contacts(world.customer, {"مشتریان": [("علی", "09120000001"), ("مینا", "09120000002")]})
    await add_template(world.customer, "تخفیف ویژه")
    page = await client.get("/send/simple")
    assert page.status_code == 200
    assert 'name="group"' in page.text and "مشتریان" in page.text and "(۲)" in page.text
    assert "تخفیف ویژه" in page.text and f'data-kind="{world.line.kind}"' in page.text
    assert "&#34;ucs2&#34;: 1500" in page.text  # the tenant's price table, for the live cost
    assert "/static/sms_simple/send.js" in page.text


async def test_typed_numbers_and_a_group_reach_a_contact_in_two_groups_once(world, client, kit):
    groups = await kit.add_contacts(
        world.customer,
        {
            "همکاران": [("سارا", "09121110001"), ("رضا", "09121110002")],
            "خانواده": [("سارا", "09121110001"), ("نگار", "09121110003")],
        },
    )
    typed = f"{persian('09121110002')}، 0912 111 0009\n+989121110009; 9121110010"
    response = await client.post_form(
        "/send/simple",
        {
            "line_id": str(world.line.id),
            "numbers": typed,
            "group": [f"phonebook:{groups['همکاران']}", f"phonebook:{groups['خانواده']}"],
            "text": "جلسه فردا ساعت ۱۰",
        },
    )
    [job_id] = kit.done_job_ids(response)
    expected = sorted(kit.stored(n) for n in ("09121110001", "09121110002", "09121110003", "09121110009", "09121110010"))
    assert await kit.numbers_of(job_id) == expected
    [job] = await kit.jobs_of(world.customer.id)
    assert job.source == "simple" and job.recipients == 5 and job.reserved == 5 * 1500
    done = await client.get(f"/send/done?jobs={job_id}")
    assert done.status_code == 200
    assert f'href="/messages/{job_id}"' in done.text and "۷٬۵۰۰" in text_of(done.text)
    await wait_until_settled(job_id)
    refs = {r["id"] for r in await Recipient.select(Recipient.id).where(Recipient.job == job_id)}
    sent = Counter(m.destination for m in loopback.SENT if m.ref in refs)
    assert sorted(sent) == expected and set(sent.values()) == {1}


async def test_a_picked_contact_is_sent_to_and_unknown_or_foreign_picks_answer_404(world, client, kit, factory):
    await kit.add_contacts(world.customer, {"دوستان": [("پریسا امینی", "09123330001")]})
    results = await client.get("/send/simple/contacts", params={"q": "پریسا"})
    assert results.status_code == 200 and "pick-contact" in results.text and "۰۹۱۲۳۳۳۰۰۰۱" in results.text
    value = results.text.split('data-value="')[1].split('"')[0]
    response = await client.post_form("/send/simple", {"line_id": str(world.line.id), "contact": value, "text": "سلام"})
    [job_id] = kit.done_job_ids(response)
    assert await kit.numbers_of(job_id) == [kit.stored("09123330001")]

    other = await make_world(factory)
    foreign = await kit.add_contacts(other.customer, {"غریبه": [("x", "09124440001")]})
    for pick in (f"phonebook:{foreign['غریبه']}", "nosuchsource:1"):
        refused = await client.post_form("/send/simple", {"line_id": str(world.line.id), "group": pick, "text": "سلام"})
        assert refused.status_code == 404
    assert len(await kit.jobs_of(world.customer.id)) == 1


async def test_the_1001st_recipient_is_refused_and_1000_with_duplicates_pass(world, client, kit):
    numbers = [f"0912{n:07d}" for n in range(5_000_000, 5_001_000)]
    refused = await client.post_form(
        "/send/simple", {"line_id": str(world.line.id), "numbers": "\n".join([*numbers, "09125001000"]), "text": "hi"}
    )
    assert refused.status_code == 400
    assert "حداکثر به ۱٬۰۰۰ گیرنده" in text_of(refused.text)
    assert await kit.jobs_of(world.customer.id) == []

    group = await kit.add_contacts(world.customer, {"یکی بیشتر": [("x", "09125001000"), ("y", numbers[0])]})
    over = await client.post_form(
        "/send/simple",
        {"line_id": str(world.line.id), "numbers": "\n".join(numbers), "group": f"phonebook:{group['یکی بیشتر']}", "text": "hi"},
    )
    assert over.status_code == 400 and "حداکثر به ۱٬۰۰۰ گیرنده" in text_of(over.text)
    assert await kit.jobs_of(world.customer.id) == []

    async with writing():
        await ledger.credit(world.account, 2_000_000, "purchase", "a thousand recipients")
    with_duplicates = "\n".join([*numbers, *numbers[:10], persian(numbers[0])])
    response = await client.post_form("/send/simple", {"line_id": str(world.line.id), "numbers": with_duplicates, "text": "hi"})
    [job_id] = kit.done_job_ids(response)
    assert len(await kit.numbers_of(job_id)) == 1000


async def test_typed_entries_that_are_not_numbers_are_named_by_line_and_nothing_is_sent(world, client, kit):
    response = await client.post_form("/send/simple", {"line_id": str(world.line.id), "numbers": "09121234567\n12345\nسلام", "text": "hi"})
    assert response.status_code == 400
    message = text_of(response.text)
    assert "۲ مورد از شماره‌های تایپ‌شده" in message and "خط ۲" in message and "خط ۳" in message
    assert await kit.jobs_of(world.customer.id) == []


async def test_the_live_count_counts_unique_recipients_and_says_what_is_wrong(world, client, kit):
    group = await kit.add_contacts(world.customer, {"g": [("a", "09127770001"), ("b", "09127770002")]})
    count = await client.post_form(
        "/send/simple/count", {"numbers": "09127770001\n۰۹۱۲۷۷۷۰۰۰۳\n09127770003", "group": f"phonebook:{group['g']}"}
    )
    assert count.status_code == 200
    assert 'data-count="3"' in count.text and "۲" in text_of(count.text)
    bad = await client.post_form("/send/simple/count", {"numbers": "0912"})
    assert 'data-count="0"' in bad.text and "خط ۱" in text_of(bad.text)
    many = await client.post_form("/send/simple/count", {"numbers": "\n".join(f"0912{n:07d}" for n in range(1001))})
    assert 'data-count="1001"' in many.text and 'data-over="1"' in many.text


async def test_a_scheduled_send_is_scheduled_at_its_jalali_time(world, client, kit):
    when = (jdatetime.datetime.now(TEHRAN) + timedelta(days=2)).replace(hour=9, minute=45, second=0, microsecond=0)
    response = await client.post_form(
        "/send/simple",
        {
            "line_id": str(world.line.id),
            "numbers": "09121230001",
            "text": "یادآوری نوبت",
            "schedule": "1",
            "send_date": persian(when.strftime("%Y/%m/%d")),
            "send_time": "9:45",
        },
    )
    [job_id] = kit.done_job_ids(response)
    [job] = await kit.jobs_of(world.customer.id)
    assert job.status == "scheduled"
    assert job.scheduled_at == when.togregorian().astimezone(job.scheduled_at.tzinfo)
    done = text_of((await client.get(f"/send/done?jobs={job_id}")).text)
    assert "زمان‌بندی‌شده" in done and persian(when.strftime("%Y/%m/%d 09:45")) in done
    assert persian(when.strftime("%Y/%m/%d 09:45")) in text_of((await client.get(f"/messages/{job_id}")).text)


async def test_a_past_or_unreadable_time_is_refused_clearly(world, client, kit):
    yesterday = jdatetime.datetime.now(TEHRAN) - timedelta(days=1)
    base = {"line_id": str(world.line.id), "numbers": "09121230001", "text": "x", "schedule": "1"}
    past = await client.post_form("/send/simple", {**base, "send_date": yesterday.strftime("%Y/%m/%d"), "send_time": "10:00"})
    assert past.status_code == 400 and "گذشته است" in text_of(past.text)
    bad_date = await client.post_form("/send/simple", {**base, "send_date": "1403/13/40", "send_time": "10:00"})
    assert bad_date.status_code == 400 and "تاریخ شمسی نیست" in text_of(bad_date.text)
    bad_time = await client.post_form("/send/simple", {**base, "send_date": "1499/01/01", "send_time": "25:00"})
    assert bad_time.status_code == 400 and "ساعت نیست" in text_of(bad_time.text)
    not_scheduled = await client.post_form("/send/simple", {**base, "schedule": "", "send_date": "garbage"})
    assert not_scheduled.status_code == 303
    assert [j.status for j in await kit.jobs_of(world.customer.id)] != ["scheduled"]


async def test_a_template_is_sent_when_no_text_is_typed(world, client, kit):
    template = await add_template(world.customer, "متن نمونه\r\nخط دوم")
    response = await client.post_form(
        "/send/simple", {"line_id": str(world.line.id), "numbers": "09121230002", "text": "", "template_id": str(template.id)}
    )
    kit.done_job_ids(response)
    [job] = await kit.jobs_of(world.customer.id)
    assert job.text == "متن نمونه\nخط دوم"


async def test_without_credit_the_send_is_refused_clearly_and_nothing_is_persisted(app, factory, client_for, kit):
    poor = await make_world(factory, credit=0)
    client = client_for(poor.tenant)
    await client.login(poor.customer)
    response = await client.post_form("/send/simple", {"line_id": str(poor.line.id), "numbers": "09121230003", "text": "سلام"})
    assert response.status_code == 402
    assert "اعتبار کافی نیست" in text_of(response.text)
    assert await kit.jobs_of(poor.customer.id) == []
    assert await Recipient.count().where(Recipient.tenant == poor.tenant.id) == 0
    assert await kit.reservations_of(poor.account.id) == 0


async def test_without_an_active_line_the_send_is_refused_clearly(world, client_for, factory, kit):
    newcomer = await factory.user(world.tenant)
    client = client_for(world.tenant)
    await client.login(newcomer)
    form = await client.get("/send/simple")
    assert 'id="no-line"' in form.text
    response = await client.post_form("/send/simple", {"numbers": "09121230004", "text": "سلام"})
    assert response.status_code == 400 and "شماره‌های من" in text_of(response.text)
    assert await kit.jobs_of(newcomer.id) == []
    await Line.update({Line.status: "suspended"}).where(Line.id == world.line.id)
    owner = client_for(world.tenant)
    await owner.login(world.customer)
    suspended = await owner.post_form("/send/simple", {"line_id": str(world.line.id), "numbers": "09121230004", "text": "x"})
    assert suspended.status_code == 400
    assert (await ledger.account_for(world.tenant.id, world.customer.id)).available == CREDIT


async def test_only_customers_reach_the_send_pages(world, client_for, factory):
    admin = await factory.user(world.tenant, "tenant_admin")
    client = client_for(world.tenant)
    await client.login(admin)
    for path in ("/send/simple", "/send/advanced", "/send/p2p"):
        assert (await client.get(path)).status_code == 404
    anonymous = client_for(world.tenant)
    assert (await anonymous.get("/send/simple")).status_code in (302, 303, 307)


def test_default_send_time_is_the_next_full_hour_in_tehran():
    from datetime import UTC, datetime

    day, hour = timing.default_send_time(datetime(2024, 8, 2, 20, 10, tzinfo=UTC))  # 23:40 in Tehran
    assert (day, hour) == ("1403/05/13", "00:00")


async def test_another_users_send_is_not_shown_on_the_result_page(world, client, kit, factory, client_for):
    [job_id] = kit.done_job_ids(
        await client.post_form("/send/simple", {"line_id": str(world.line.id), "numbers": "09121230009", "text": "x"})
    )
    for tenant, user in (
        (world.tenant, await factory.user(world.tenant)),
        ((stranger := await make_world(factory)).tenant, stranger.customer),
    ):
        other = client_for(tenant)
        await other.login(user)
        assert (await other.get(f"/send/done?jobs={job_id}")).status_code == 404
    assert (await client.get("/send/done?jobs=")).status_code == 404
    assert (await client.get("/send/done?jobs=abc")).status_code == 404
