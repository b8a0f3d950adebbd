"""Incoming messages received through the core get the right auto-reply, sent as a real,
charged send from the line that received them — once, within the rate limit, only with credit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from payamak.messaging.ledger import account_for
from payamak.messaging.tables import InboundMessage, Line, SendJob
from payamak.registry import announce
from payamak.tables import User
from payamak.tenancy import scoped
from payamak.tenancy.services import enabled_plugins
from payamak_autoreply import services
from payamak_autoreply.reaction import answer_message
from payamak_autoreply.tables import Reply, Responder
from tests.messaging.conftest import make_world


async def test_a_keyword_typed_with_arabic_yeh_and_persian_digits_gets_the_reply_of_the_rule_written_with_persian_yeh_and_latin_digits(
    world, kit
):
    responder = await kit.keyword_responder(world, "قیمت 24، price", "قیمت بسته ۲۴: ۵۰ هزار تومان")
    sender = kit.new_sender()
    before = (await account_for(world.tenant.id, world.customer.id)).available

    message_id = await kit.receive(world.line, sender, "  قيمت   ۲۴ ")

    reply, sent = await kit.sent_reply(message_id)
    assert reply.responder == responder.id and reply.line == world.line.id
    assert [(m.destination, m.text, m.source) for m in sent] == [(kit.stored(sender), "قیمت بسته ۲۴: ۵۰ هزار تومان", world.line.number)]
    job = await SendJob.objects().where(SendJob.id == reply.job).first()
    assert (job.user, job.line, job.source) == (world.customer.id, world.line.id, "autoreply")
    assert (await account_for(world.tenant.id, world.customer.id)).available == before - job.reserved > before - 10**6
    assert (await Responder.objects().where(Responder.id == responder.id).first()).fired == 1


async def test_the_default_responder_answers_what_no_keyword_matched_and_a_second_line_has_its_own(world, kit):
    second = await kit.add_line(world)
    await kit.keyword_responder(world, "ساعت کاری", "۹ تا ۱۷")
    await services.save_default(world.customer, world.line.id, "پاسخ پیش‌فرض خط اول")
    await services.save_default(world.customer, second.id, "پاسخ پیش‌فرض خط دوم")
    sender = kit.new_sender()

    first_reply, first_sent = await kit.sent_reply(await kit.receive(world.line, sender, "سلام، وقت بخیر"))
    second_reply, second_sent = await kit.sent_reply(await kit.receive(second, sender, "سلام، وقت بخیر"))
    _, keyword_sent = await kit.sent_reply(await kit.receive(second, sender, "ساعت کاری؟"))

    assert [(m.text, m.source) for m in first_sent] == [("پاسخ پیش‌فرض خط اول", world.line.number)]
    assert [(m.text, m.source) for m in second_sent] == [("پاسخ پیش‌فرض خط دوم", second.number)]
    assert [(m.text, m.source) for m in keyword_sent] == [("۹ تا ۱۷", second.number)]
    assert first_reply.responder != second_reply.responder
    defaults = await services.default_responders(world.customer)
    assert (defaults[world.line.id].fired, defaults[second.id].fired) == (1, 1)


async def test_a_sender_that_answers_every_reply_is_cut_off_by_the_rate_limit(world, kit):
    await services.save_default(world.customer, world.line.id, "این پاسخ خودکار است.")
    robot = kit.new_sender()
    message_ids = [await kit.receive(world.line, robot, f"پیام خودکار شماره {n}") for n in range(6)]

    outcomes = [(await kit.reply_of(m)).outcome for m in message_ids]
    assert outcomes == ["sent", "sent", "sent", "rate_limited", "rate_limited", "rate_limited"]
    assert len(await kit.replies_to(world.customer.id, kit.stored(robot))) == 3
    # Another sender on the same line is not affected.
    other = await kit.receive(world.line, kit.new_sender(), "سلام")
    assert (await kit.reply_of(other)).outcome == "sent"
    assert (await services.default_responders(world.customer))[world.line.id].fired == 4
    misses, _ = await services.recent_misses(world.customer)
    assert [m["outcome"] for m in misses] == ["rate_limited"] * 3 and misses[0]["text"] == "پیام خودکار شماره 5"
    # Once the window has passed, the sender is answered again.
    await Reply.update({Reply.created_at: datetime.now(UTC) - timedelta(minutes=11)}).where(Reply.message.is_in(message_ids))
    later = await kit.receive(world.line, robot, "پیام بعدی")
    assert (await kit.reply_of(later)).outcome == "sent"


async def test_concurrent_deliveries_neither_reply_twice_nor_slip_past_the_rate_limit(world, kit):
    await services.save_default(world.customer, world.line.id, "پاسخ خودکار")
    sender = kit.stored(kit.new_sender())
    messages = [
        await scoped(InboundMessage, world.tenant.id).create(line=world.line.id, owner=world.customer.id, sender=sender, text=f"پیام {n}")
        for n in range(5)
    ]
    # Every message announced twice, all at once (a redelivering broker, several workers).
    await asyncio.gather(*(answer_message(world.tenant.id, m.id) for m in messages + messages))

    replies = await Reply.objects().where(Reply.message.is_in([m.id for m in messages]))
    assert len(replies) == 5
    assert sorted(r.outcome for r in replies) == ["rate_limited", "rate_limited", "sent", "sent", "sent"]
    assert len(await kit.replies_to(world.customer.id, sender)) == 3


async def test_with_no_credit_nothing_is_sent_and_the_miss_is_recorded(app, factory, kit):
    poor = await make_world(factory, credit=0)
    responder = await kit.keyword_responder(poor, "سلام", "درود")
    message_id = await kit.receive(poor.line, kit.new_sender(), "سلام")

    reply = await kit.reply_of(message_id)
    assert (reply.outcome, reply.reason, reply.job, reply.responder) == ("no_credit", "credit.insufficient", None, responder.id)
    assert await SendJob.count().where(SendJob.user == poor.customer.id) == 0
    assert (await Responder.objects().where(Responder.id == responder.id).first()).fired == 0
    misses, _ = await services.recent_misses(poor.customer)
    assert [(m["outcome"], m["text"]) for m in misses] == [("no_credit", "سلام")]


async def test_a_message_announced_twice_is_answered_once(world, kit):
    await kit.keyword_responder(world, "سلام", "درود")
    sender = kit.new_sender()
    message_id = await kit.receive(world.line, sender, "سلام")
    await kit.sent_reply(message_id)

    await announce("message_received", world.tenant.id, enabled_plugins(world.tenant), message_id=message_id)
    assert await answer_message(world.tenant.id, message_id) is None

    assert await Reply.count().where(Reply.message == message_id) == 1
    assert await kit.replies_to(world.customer.id, kit.stored(sender)) == ["درود"]


async def test_disabled_responders_stay_silent_and_other_customers_rules_never_answer(app, factory, kit, world):
    neighbour = await make_world(factory)
    await kit.keyword_responder(neighbour, "سلام", "پاسخ مشتری دیگر")
    mine = await kit.keyword_responder(world, "سلام", "پاسخ من")
    await services.set_enabled(world.customer, mine.id, False)

    message_id = await kit.receive(world.line, kit.new_sender(), "سلام")
    assert await kit.reply_of(message_id) is None

    await services.set_enabled(world.customer, mine.id, True)
    _, sent = await kit.sent_reply(await kit.receive(world.line, kit.new_sender(), "سلام"))
    assert [m.text for m in sent] == ["پاسخ من"]


async def test_shared_lines_and_opt_out_words_on_advertising_lines_are_left_to_the_core(app, factory, kit):
    shared = await make_world(factory, kind="shared")
    assert shared.line.owner is None
    message_id = await kit.receive(shared.line, kit.new_sender(), "سلام")
    assert (await InboundMessage.objects().where(InboundMessage.id == message_id).first()).owner is None
    assert await kit.reply_of(message_id) is None

    ads = await make_world(factory, kind="advertising")
    await Line.update({Line.owner: ads.customer.id}).where(Line.id == ads.line.id)
    await services.save_default(ads.customer, ads.line.id, "با ما در تماس باشید")
    sender = kit.new_sender()
    opt_out = await kit.receive(ads.line, sender, "لغو۱۱")
    assert await kit.reply_of(opt_out) is None
    # Having opted out, the sender is not answered on that line any more; others are.
    again = await kit.reply_of(await kit.receive(ads.line, sender, "چطور سفارش بدهم؟"))
    assert again.outcome == "opted_out"
    _, sent = await kit.sent_reply(await kit.receive(ads.line, kit.new_sender(), "چطور سفارش بدهم؟"))
    assert [m.text for m in sent] == ["با ما در تماس باشید"]
    assert (await services.default_responders(ads.customer))[ads.line.id].fired == 1


async def test_a_suspended_customers_line_does_not_answer(world, kit):
    await services.save_default(world.customer, world.line.id, "پاسخ")
    await User.update({User.status: "suspended"}).where(User.id == world.customer.id)
    reply = await kit.reply_of(await kit.receive(world.line, kit.new_sender(), "سلام"))
    assert (reply.outcome, reply.reason, reply.job) == ("failed", "account.inactive", None)


async def test_short_code_senders_are_never_answered(world, kit):
    await services.save_default(world.customer, world.line.id, "پاسخ")
    message_id = await kit.receive(world.line, "1000", "اطلاعیه اپراتور")
    reply = await kit.reply_of(message_id)
    assert reply.outcome == "invalid_sender" and reply.job is None
    assert await SendJob.count().where((SendJob.user == world.customer.id) & (SendJob.source == "autoreply")) == 0


async def test_when_the_panels_wholesale_balance_is_out_the_miss_is_not_blamed_on_the_customers_credit(app, factory, kit):
    from payamak.messaging.pricing import set_price
    from payamak.messaging.tables import WholesalePrice

    world = await make_world(factory)
    await set_price(world.tenant.id, "dedicated", "ucs2", 500, WholesalePrice)  # and no wholesale balance
    await kit.keyword_responder(world, "سلام", "درود")
    message_id = await kit.receive(world.line, kit.new_sender(), "سلام")

    reply = await kit.reply_of(message_id)
    assert (reply.outcome, reply.reason, reply.job) == ("failed", "credit.wholesale_exhausted", None)
    assert await SendJob.count().where(SendJob.user == world.customer.id) == 0
