"""The SMPP connector against the simulator SMSC, over real TCP on loopback."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from payamak.messaging.connectors import DELIVERED, EXPIRED, UNDELIVERED, OutboundMessage
from payamak_operators.esme import BindError, NotBound
from payamak_operators.testing import FakeSink, eventually, messages

PERSIAN = "سلام! این یک پیام آزمایشی از سامانه پیامک است که باید در سه بخش فرستاده شود. " * 2
MIXED_LONG = "Hello from Payamak, this message is long enough in GSM-7 to need two parts when it is sent. " * 2


async def test_persian_three_part_message_arrives_whole(start_simulator, connect):
    sim = await start_simulator()
    connector = await connect(sim)
    assert 134 < len(PERSIAN) <= 201  # three UCS-2 parts of 67

    [result] = await connector.submit([OutboundMessage(7, "3000123", "09121234567", PERSIAN)])

    assert result.ok and result.ref == 7
    [got] = sim.submitted
    assert got.text == PERSIAN
    assert got.destination == "989121234567" and got.source == "3000123"
    assert len(got.part_ids) == 3 and result.message_id == got.part_ids[0]


async def test_receipts_follow_the_outcome_mix_with_the_right_message_ids(start_simulator, connect):
    sim = await start_simulator(outcomes={DELIVERED: 0.5, UNDELIVERED: 0.3, EXPIRED: 0.2}, seed=7, receipt_delay=0.05)
    sink = FakeSink()
    connector = await connect(sim, sink=sink)

    results = await connector.submit(messages(300))

    assert all(r.ok for r in results)
    await eventually(lambda: len(sink.reports) == 300)
    by_id = {r.message_id: r.status for r in sink.reports}
    assert set(by_id) == {r.message_id for r in results}
    assert by_id == {mid: sim.outcomes[mid] for mid in by_id}
    counts = Counter(by_id.values())
    assert counts[DELIVERED] > counts[UNDELIVERED] > counts[EXPIRED] > 0
    assert all(r.done_at is not None for r in sink.reports)


async def test_a_long_message_gets_one_report_under_its_first_part_id(start_simulator, connect):
    sim = await start_simulator()
    sink = FakeSink()
    connector = await connect(sim, sink=sink)

    [result] = await connector.submit([OutboundMessage(1, "3000123", "989121234567", MIXED_LONG)])

    await eventually(lambda: len(sink.reports) == 1)
    await asyncio.sleep(0.1)
    assert [r.message_id for r in sink.reports] == [result.message_id]
    assert len(sim.submitted[0].part_ids) == 2


async def test_decimal_receipt_ids_without_the_tlv_match_the_submit_ids(start_simulator, connect):
    sim = await start_simulator(receipt_tlvs=False, receipt_id_style="decimal", receipt_seconds=True)
    sink = FakeSink()
    connector = await connect(sim, sink=sink)

    results = await connector.submit(messages(20))

    await eventually(lambda: len(sink.reports) == 20)
    assert {r.message_id for r in sink.reports} == {r.message_id for r in results}


async def test_throttling_slows_the_connector_but_every_message_succeeds(start_simulator, connect):
    sim = await start_simulator(seed=3)
    sim.set_throttle(fraction=0.3)
    connector = await connect(sim)

    results = await connector.submit(messages(200))

    assert all(r.ok for r in results)
    assert sim.throttled > 0 and connector.session.stats.throttled == sim.throttled
    assert Counter(m.destination for m in sim.submitted) == Counter(f"98912{i:07d}" for i in range(200))


async def test_a_throttling_period_pauses_submission_until_it_ends(start_simulator, connect):
    sim = await start_simulator()
    connector = await connect(sim)
    sim.set_throttle(seconds=0.3)
    started = time.monotonic()

    results = await connector.submit(messages(20))

    assert all(r.ok for r in results)
    assert time.monotonic() - started >= 0.3
    assert len(sim.submitted) == 20


async def test_the_rate_limit_spaces_submits(start_simulator, connect):
    sim = await start_simulator()
    connector = await connect(sim, max_per_second=100)
    started = time.monotonic()

    await connector.submit(messages(60))

    assert time.monotonic() - started >= 0.4  # 10 in the first burst, then 100 a second


async def test_dropped_connections_are_reestablished_and_each_message_submitted_once(start_simulator, connect):
    sim = await start_simulator()
    sim.drop_every(37)
    connector = await connect(sim)
    batch = [OutboundMessage(m.ref, m.source, m.destination, PERSIAN if m.ref % 5 == 0 else m.text) for m in messages(400)]

    results = await connector.submit(batch)

    assert all(r.ok for r in results) and len(results) == 400
    assert connector.session.stats.binds > 5
    assert Counter(m.destination for m in sim.submitted) == Counter(m.destination for m in batch)
    assert sim.duplicate_parts == 0
    assert {m.destination: m.text for m in sim.submitted} == {m.destination: m.text for m in batch}


async def test_dropping_every_session_mid_batch_loses_and_repeats_nothing(start_simulator, connect):
    sim = await start_simulator()
    connector = await connect(sim)
    submitting = asyncio.create_task(connector.submit(messages(1000)))
    for _ in range(3):
        await eventually(lambda: sim.parts_accepted > 0 and sim.bound_sessions == 1)
        await asyncio.sleep(0.01)
        sim.drop_connections()

    results = await submitting

    assert all(r.ok for r in results)
    assert connector.session.stats.resent > 0
    assert len(sim.submitted) == 1000 and len({m.destination for m in sim.submitted}) == 1000


async def test_an_unanswered_submit_is_sent_again_on_a_new_connection(start_simulator, connect):
    sim = await start_simulator()
    connector = await connect(sim, response_timeout=0.3)
    sim.swallow(1)

    [result] = await connector.submit(messages(1))

    assert result.ok
    assert connector.session.stats.timeouts == 1 and connector.session.stats.binds == 2
    assert len(sim.submitted) == 1


async def test_an_error_status_is_a_final_failure_with_its_name(start_simulator, connect):
    sim = await start_simulator()
    sim.reject("989120000001")
    connector = await connect(sim)

    results = {r.ref: r for r in await connector.submit(messages(3))}

    assert results[1].ok is False and results[1].error == "ESME_RINVDSTADR"
    assert results[0].ok and results[2].ok


async def test_receipts_wait_for_the_receiver_to_bind_again(start_simulator, connect):
    sim = await start_simulator(receipt_delay=0.2)
    sink = FakeSink()
    connector = await connect(sim, sink=sink, reconnect_min=0.5, reconnect_max=0.5)

    results = await connector.submit(messages(5))
    sim.drop_connections()
    await asyncio.sleep(0.3)
    assert sim.queued == 5 and not sink.reports

    await eventually(lambda: len(sink.reports) == 5)
    assert {r.message_id for r in sink.reports} == {r.message_id for r in results}


async def test_transmitter_and_receiver_binds_work_as_a_pair(start_simulator, connect):
    sim = await start_simulator()
    sink = FakeSink()
    connector = await connect(sim, sink=sink, bind_mode="transmitter_receiver")
    assert sim.bound_sessions == 2

    results = await connector.submit(messages(10))
    await sim.inject("09351234567", "3000123", "salam")

    await eventually(lambda: len(sink.reports) == 10 and len(sink.messages) == 1)
    assert {r.message_id for r in sink.reports} == {r.message_id for r in results}


async def test_injected_message_reaches_the_sink(start_simulator, connect):
    sim = await start_simulator()
    sink = FakeSink()
    await connect(sim, sink=sink)

    await sim.inject("09121234567", "3000123", "لغو")

    await eventually(lambda: len(sink.messages) == 1)
    [message] = sink.messages
    assert (message.line, message.sender, message.text) == ("3000123", "989121234567", "لغو")
    assert message.received_at.tzinfo is not None


async def test_injected_two_part_message_reaches_the_sink_whole(start_simulator, connect):
    sim = await start_simulator()
    sink = FakeSink()
    await connect(sim, sink=sink)
    text = "پیام بلندی از یک مشترک که در دو بخش به سامانه می‌رسد و باید یکجا تحویل شود."
    assert 70 < len(text) <= 134

    assert await sim.inject("989121234567", "3000123", text) == 2

    await eventually(lambda: len(sink.messages) == 1)
    assert sink.messages[0].text == text


async def test_incoming_messages_wait_until_a_receiver_binds(start_simulator, connect):
    sim = await start_simulator()
    await sim.inject("989121234567", "3000123", "first")
    sink = FakeSink()
    await connect(sim, sink=sink)

    await eventually(lambda: [m.text for m in sink.messages] == ["first"])


async def test_a_wrong_password_fails_the_bind(start_simulator, connect):
    sim = await start_simulator(password="secret")

    with pytest.raises(BindError, match="ESME_RINVPASWD"):
        await connect(sim, password="wrong")
    connector = await connect(sim, password="secret")
    assert connector.session.bound


async def test_closing_mid_batch_fails_what_is_left_as_connector_closed(start_simulator, connect):
    sim = await start_simulator()
    connector = await connect(sim, response_timeout=0.2)
    await connector.submit(messages(1))
    sim.set_throttle(seconds=30)
    submitting = asyncio.create_task(connector.submit(messages(20, start=1)))
    await eventually(lambda: sim.throttled > 0)

    await connector.disconnect()
    results = await submitting

    assert {r.error for r in results} == {"connector_closed"}
    with pytest.raises(ConnectionError):
        await connector.submit(messages(1))


async def test_a_batch_without_a_bind_raises_not_bound_and_sends_nothing(start_simulator, connect):
    sim = await start_simulator()
    connector = await connect(sim, bind_wait_seconds=0.2)
    await sim.stop()
    await eventually(lambda: not connector.session.bound)

    with pytest.raises(NotBound):
        await connector.submit(messages(3))
    assert sim.submitted == []


async def test_enquire_link_keeps_an_idle_link_up(start_simulator, connect):
    sim = await start_simulator()
    connector = await connect(sim, enquire_link_seconds=0.05, response_timeout=0.2)

    await asyncio.sleep(0.5)

    assert sim.enquire_links >= 4
    assert connector.session.stats.binds == 1 and sim.bound_sessions == 1
