"""The send pipeline through a loopback connector: accept, price, reserve, dispatch, settle."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from payamak.errors import DomainError
from payamak.messaging import dispatch, pipeline
from payamak.messaging.connectors import DELIVERED, EXPIRED, IncomingMessage
from payamak.messaging.ledger import InsufficientCredit
from payamak.messaging.pricing import price_per_part, set_price
from payamak.messaging.receiving import CoreSink
from payamak.messaging.tables import CreditAccount, InboundMessage, Line, OptOut, Recipient, SendJob
from payamak_testplugin.loopback import LoopbackConnector
from tests.messaging.conftest import CREDIT, assert_ledger_balances, make_world, wait_until_settled


async def test_a_send_is_deduplicated_priced_reserved_submitted_and_debited(world):
    numbers = ["09121111111", "+989121111111", "۰۹۱۲۲۲۲۲۲۲۲", "912 333 3333"]
    job = await pipeline.accept_send(world.customer, numbers, "سلام دنیا")
    per_part = await price_per_part(world.tenant.id, "dedicated", "ucs2")
    assert (job.recipients, job.parts, job.reserved) == (3, 1, 3 * per_part)
    assert job.meta["duplicates"] == 1
    counts = await wait_until_settled(job.id)
    assert counts == {"submitted": 3}
    check = await assert_ledger_balances(world.account.id)
    assert check["available"] == CREDIT - 3 * per_part and check["reserved"] == 0
    rows = await Recipient.select(Recipient.number, Recipient.message_id).where(Recipient.job == job.id).order_by(Recipient.id)
    assert [r["number"] for r in rows] == ["989121111111", "989122222222", "989123333333"]
    assert all(r["message_id"].startswith("lb-") for r in rows)


async def test_invalid_numbers_refuse_the_whole_send_and_name_them(world):
    with pytest.raises(DomainError) as error:
        await pipeline.accept_send(world.customer, ["09121111111", "12345", "0912abc"], "hi")
    assert error.value.code == "recipients.invalid" and "#2" in error.value.message and "#3" in error.value.message
    assert await SendJob.count().where(SendJob.user == world.customer.id) == 0
    assert (await CreditAccount.objects().where(CreditAccount.id == world.account.id).first()).available == CREDIT


async def test_a_send_the_balance_does_not_cover_is_refused_and_nothing_is_kept(app, factory):
    poor = await make_world(factory, credit=1_000)
    with pytest.raises(InsufficientCredit):
        await pipeline.accept_send(poor.customer, ["09121111111", "09122222222"], "x" * 200)
    assert await SendJob.count().where(SendJob.user == poor.customer.id) == 0
    await assert_ledger_balances(poor.account.id)


async def test_rows_the_operator_refuses_are_refunded(app, factory):
    w = await make_world(factory, settings={"fail_prefix": "98913"})
    job = await pipeline.accept_send(w.customer, ["09121111111", "09131111111"], "hello")
    assert await wait_until_settled(job.id) == {"submitted": 1, "failed": 1}
    check = await assert_ledger_balances(w.account.id)
    assert check["available"] == CREDIT - job.per_part * job.parts


async def test_long_and_latin_texts_are_priced_by_parts_and_encoding(world):
    await set_price(world.tenant.id, "dedicated", "gsm7", 700)
    job = await pipeline.accept_send(world.customer, ["09121111111"], "a" * 161)
    assert (job.encoding, job.parts, job.per_part, job.reserved) == ("gsm7", 2, 700, 1400)


async def test_scheduled_send_waits_is_promoted_when_due_and_can_be_cancelled_before(world):
    later = datetime.now(UTC) + timedelta(hours=2)
    job = await pipeline.accept_send(world.customer, ["09121111111"], "later", scheduled_at=later)
    assert job.status == "scheduled"
    await asyncio.sleep(0.3)
    assert await Recipient.count().where((Recipient.job == job.id) & (Recipient.status == "scheduled")) == 1
    cancelled = await pipeline.cancel_job(world.customer, job.id)
    assert cancelled.status == "cancelled"
    check = await assert_ledger_balances(world.account.id)
    assert check["available"] == CREDIT and check["reserved"] == 0
    with pytest.raises(DomainError):
        await pipeline.cancel_job(world.customer, job.id)
    due = await pipeline.accept_send(world.customer, ["09122222222"], "due soon", scheduled_at=later)
    await SendJob.update({SendJob.scheduled_at: datetime.now(UTC) - timedelta(seconds=1)}).where(SendJob.id == due.id)
    assert due.id in await dispatch.promote_due_jobs()
    assert due.id not in await dispatch.promote_due_jobs()
    await dispatch.run_job(due.id)
    assert await wait_until_settled(due.id) == {"submitted": 1}


async def test_receipts_move_rows_to_delivered_and_expired(world):
    job = await pipeline.accept_send(world.customer, ["09121111111", "09122222222"], "dlr")
    await wait_until_settled(job.id)
    rows = await Recipient.select(Recipient.id, Recipient.message_id).where(Recipient.job == job.id).order_by(Recipient.id)
    connector = LoopbackConnector.instances[world.connection.id]
    await connector.receipt(rows[0]["message_id"], DELIVERED)
    await connector.receipt(rows[1]["message_id"], EXPIRED)
    statuses = [r["status"] for r in await Recipient.select(Recipient.status).where(Recipient.job == job.id).order_by(Recipient.id)]
    assert statuses == ["delivered", "expired"]


async def test_incoming_message_lands_in_the_line_owners_inbox(world):
    await CoreSink().incoming(world.connection.id, [IncomingMessage(world.line.number, "09351234567", "سلام", datetime.now(UTC))])
    row = await InboundMessage.objects().where(InboundMessage.line == world.line.id).first()
    assert (row.owner, row.sender, row.text, row.tenant) == (world.customer.id, "989351234567", "سلام", world.tenant.id)


async def test_opt_out_on_an_advertising_line_blocks_later_advertising_sends(app, factory):
    w = await make_world(factory, kind="advertising")
    await CoreSink().incoming(w.connection.id, [IncomingMessage(w.line.number, "09127777777", " لغو۱۱ ", datetime.now(UTC))])
    assert await OptOut.exists().where((OptOut.tenant == w.tenant.id) & (OptOut.number == "989127777777"))
    job = await pipeline.accept_send(w.customer, ["09127777777", "09128888888"], "تخفیف", line_id=w.line.id)
    assert (job.recipients, job.blocked, job.reserved) == (2, 1, job.per_part)
    assert await wait_until_settled(job.id) == {"blocked": 1, "submitted": 1}
    await assert_ledger_balances(w.account.id)


async def test_concurrent_sends_never_overdraw_and_accepted_ones_are_fully_paid(app, factory):
    w = await make_world(factory, credit=0)
    per_send = 2 * await price_per_part(w.tenant.id, "dedicated", "ucs2")
    from payamak.db import writing
    from payamak.messaging import ledger

    async with writing():
        await ledger.credit(w.account, per_send * 20 + per_send // 2, "purchase", "covers 20 of 50")

    async def one(i: int):
        try:
            return await pipeline.accept_send(w.customer, [f"0912{i:07d}", f"0913{i:07d}"], "هم‌زمان")
        except InsufficientCredit:
            return None

    jobs = await asyncio.gather(*(one(i) for i in range(50)))
    accepted = [j for j in jobs if j is not None]
    assert len(accepted) == 20
    for job in accepted:
        await wait_until_settled(job.id)
    check = await assert_ledger_balances(w.account.id)
    assert check["available"] == per_send // 2 and check["reserved"] == 0


async def test_recovery_requeues_unwritten_claims_and_holds_written_ones_until_a_receipt_or_the_wait_ends(world):
    later = datetime.now(UTC) + timedelta(hours=1)
    job = await pipeline.accept_send(world.customer, ["09121111111", "09122222222"], "crash", scheduled_at=later)
    ids = [r["id"] for r in await Recipient.select(Recipient.id).where(Recipient.job == job.id).order_by(Recipient.id)]
    old = datetime.now(UTC) - timedelta(hours=1)
    # As a killed dispatcher leaves them: one claimed (never written), one written.
    await Recipient.update({Recipient.status: "claimed", Recipient.claimed_at: old}).where(Recipient.id == ids[0])
    await Recipient.update({Recipient.status: "submitting", Recipient.claimed_at: old}).where(Recipient.id == ids[1])
    await SendJob.update({SendJob.status: "sending", SendJob.scheduled_at: None, SendJob.heartbeat_at: old}).where(SendJob.id == job.id)
    result = await dispatch.recover()
    assert result["unconfirmed"] == 1 and job.id in result["jobs"]
    from payamak_testplugin.loopback import SENT

    sent_before = len([m for m in SENT if m.ref in ids])
    await dispatch.run_job(job.id)
    await wait_until_settled(job.id)
    assert [m.ref for m in SENT if m.ref in ids][sent_before:] == [ids[0]]
    statuses = dict((r["id"], r["status"]) for r in await Recipient.select(Recipient.id, Recipient.status).where(Recipient.job == job.id))
    assert statuses == {ids[0]: "submitted", ids[1]: "unconfirmed"}
    # The operator's receipt for the written one arrives under a message id we never saw.
    from payamak.messaging.connectors import DeliveryReport
    from payamak.messaging.receiving import confirm_unconfirmed

    left = await confirm_unconfirmed(world.connection.id, [DeliveryReport("lost-id-1", DELIVERED, recipient="09122222222", line=world.line.number)])
    assert left == []
    row = await Recipient.objects().where(Recipient.id == ids[1]).first()
    assert (row.status, row.message_id) == ("delivered", "lost-id-1")
    check = await assert_ledger_balances(world.account.id)
    assert check["reserved"] == 0 and check["available"] == CREDIT - 2 * job.per_part


async def test_an_unconfirmed_row_no_receipt_confirms_is_sent_again_after_the_wait(world):
    from payamak_testplugin.loopback import SENT

    later = datetime.now(UTC) + timedelta(hours=1)
    job = await pipeline.accept_send(world.customer, ["09123333333"], "lost", scheduled_at=later)
    row_id = (await Recipient.select(Recipient.id).where(Recipient.job == job.id).first())["id"]
    long_ago = datetime.now(UTC) - timedelta(days=1)
    await Recipient.update({Recipient.status: "unconfirmed", Recipient.claimed_at: long_ago}).where(Recipient.id == row_id)
    await SendJob.update({SendJob.status: "sending", SendJob.scheduled_at: None, SendJob.heartbeat_at: long_ago}).where(SendJob.id == job.id)
    await dispatch.recover()
    # Recovery (this call, or the app's scheduler racing it) put the row back in the queue, once.
    assert (await Recipient.objects().where(Recipient.id == row_id).first()).error == "resent: no receipt"
    await dispatch.run_job(job.id)
    assert await wait_until_settled(job.id) == {"submitted": 1}
    assert [m.ref for m in SENT].count(row_id) == 1
    check = await assert_ledger_balances(world.account.id)
    assert check["reserved"] == 0 and check["available"] == CREDIT - job.per_part


async def test_a_customer_without_an_active_line_is_told_so(app, factory):
    w = await make_world(factory)
    await Line.update({Line.status: "suspended"}).where(Line.id == w.line.id)
    with pytest.raises(DomainError) as error:
        await pipeline.accept_send(w.customer, ["09121111111"], "x")
    assert error.value.code == "line.none_active"


async def test_a_peer_to_peer_send_gives_each_row_its_text_and_time_all_or_nothing(world):
    later = datetime.now(UTC) + timedelta(days=1)
    rows = [pipeline.PersonalRow("09121111111", "سلام علی"), pipeline.PersonalRow("09122222222", "a" * 170),
            pipeline.PersonalRow("09123333333", "فردا", later)]
    jobs = await pipeline.accept_personal(world.customer, rows)
    assert [j.status for j in jobs] == ["queued", "scheduled"]
    await wait_until_settled(jobs[0].id)
    sent = {r["number"]: (r["text"], r["parts"], r["status"]) for r in await Recipient.select().where(Recipient.job == jobs[0].id)}
    assert sent["989121111111"] == ("سلام علی", 1, "submitted") and sent["989122222222"][1:] == (2, "submitted")
    ucs2 = await price_per_part(world.tenant.id, "dedicated", "ucs2")
    gsm7 = await price_per_part(world.tenant.id, "dedicated", "gsm7")
    check = await assert_ledger_balances(world.account.id)
    assert check["available"] == CREDIT - (ucs2 + 2 * gsm7) - ucs2 and check["reserved"] == ucs2
    with pytest.raises(pipeline.InvalidRows) as error:
        await pipeline.accept_personal(world.customer, [pipeline.PersonalRow("09121111111", "ok"), pipeline.PersonalRow("123", "bad"),
                                                         pipeline.PersonalRow("09121111111", " ")])
    assert [(row, field) for row, field, _ in error.value.errors] == [(2, "number"), (3, "text")]
    assert await SendJob.count().where(SendJob.user == world.customer.id) == 2


async def test_plugins_hear_of_sends_submissions_and_receipts(world, monkeypatch):
    from payamak import registry

    heard: list[tuple[str, dict]] = []
    real = registry.announce

    async def spy(event, tenant_id, enabled, **kwargs):
        heard.append((event, kwargs))
        await real(event, tenant_id, enabled, **kwargs)

    monkeypatch.setattr(registry, "announce", spy)
    job = await pipeline.accept_send(world.customer, ["09121111111"], "events")
    await wait_until_settled(job.id)
    row = await Recipient.objects().where(Recipient.job == job.id).first()
    await LoopbackConnector.instances[world.connection.id].receipt(row.message_id, DELIVERED)
    events = [e for e, _ in heard]
    assert events[:1] == ["send_accepted"] and "messages_submitted" in events and "delivery_reports" in events
    assert dict(heard[events.index("delivery_reports")][1]) == {"recipient_ids": [row.id], "status": "delivered"}
