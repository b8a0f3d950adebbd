"""Receipt parsing, receipt id matching, and turning deliver_sm PDUs into reports and incoming messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from payamak.messaging.connectors import DELIVERED, EXPIRED, REJECTED, UNDELIVERED, DeliveryReport, IncomingMessage
from payamak.messaging.text import split_for_smpp
from payamak_operators.connectors import IrancellConnector, MciConnector, SmppConnector
from payamak_operators.inbound import InboundPolicy, InboundRouter
from payamak_operators.pdu import decode, encode
from payamak_operators.receipts import TEHRAN, RecentIds, format_receipt_text, parse_date, parse_receipt_text
from payamak_operators.testing import FakeSink

STANDARD = "id:0123456789 sub:001 dlvrd:001 submit date:2611271530 done date:2611271531 stat:DELIVRD err:000 text:Salam donya"


def test_a_standard_receipt_text_is_read_whole():
    receipt = parse_receipt_text(STANDARD)

    assert receipt.message_id == "0123456789"
    assert (receipt.stat, receipt.err) == ("DELIVRD", "000")
    assert receipt.submit_date == datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    assert receipt.done_date == datetime(2026, 11, 27, 15, 31, tzinfo=UTC)


def test_receipt_dates_of_twelve_digits_and_in_tehran_time_are_read():
    receipt = parse_receipt_text("id:ab12 submit date:261127153045 done date:261127160000 stat:UNDELIV err:034", TEHRAN)

    assert receipt.submit_date == datetime(2026, 11, 27, 12, 0, 45, tzinfo=UTC)
    assert receipt.done_date == datetime(2026, 11, 27, 12, 30, tzinfo=UTC)
    assert receipt.stat == "UNDELIV" and receipt.err == "034"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2611271530", datetime(2026, 11, 27, 15, 30, tzinfo=UTC)),
        ("261127153012", datetime(2026, 11, 27, 15, 30, 12, tzinfo=UTC)),
        ("202611271530", datetime(2026, 11, 27, 15, 30, tzinfo=UTC)),
        ("20261127153012", datetime(2026, 11, 27, 15, 30, 12, tzinfo=UTC)),
        ("26-11-27 15:30", datetime(2026, 11, 27, 15, 30, tzinfo=UTC)),
        ("2613271530", None),
        ("", None),
        ("12345", None),
    ],
)
def test_receipt_dates_are_read_leniently(value, expected):
    assert parse_date(value) == expected


def test_odd_receipt_texts_are_read_as_far_as_they_go():
    receipt = parse_receipt_text("ID: 77  Stat : expired  Submit_Date:2611271530")

    assert (receipt.message_id, receipt.stat, receipt.submit_date.minute) == ("77", "EXPIRED", 30)
    assert parse_receipt_text("garbage").message_id is None


def test_the_simulator_receipt_text_reads_back():
    at = datetime(2026, 11, 27, 15, 30, 5, tzinfo=UTC)
    receipt = parse_receipt_text(format_receipt_text("abc", EXPIRED, at, at, "001", seconds=True))

    assert (receipt.message_id, receipt.stat, receipt.err, receipt.done_date) == ("abc", "EXPIRED", "001", at)


def test_receipt_ids_match_when_padded_or_in_the_other_base():
    ids = RecentIds()
    ids.add("ab12", "ab12")
    ids.add("ab13", "ab12")
    ids.add("12345", "12345")

    assert ids.resolve("0000AB12") == ("ab12", True)
    assert ids.resolve(str(0xAB12)) == ("ab12", True)
    assert ids.resolve("ab13") == ("ab12", False)
    assert ids.resolve("3039") == ("12345", True)  # 0x3039 == 12345
    assert ids.resolve("ffff") is None


def test_recent_ids_forget_the_oldest_first():
    ids = RecentIds(size=2)
    for n in ("a1", "a2", "a3"):
        ids.add(n, n)

    assert ids.resolve("a1") is None and ids.resolve("a3") == ("a3", True)


def test_operators_map_their_own_status_words():
    sink = FakeSink()
    irancell, mci, generic = IrancellConnector(1, {}, sink), MciConnector(1, {}, sink), SmppConnector(1, {}, sink)

    assert irancell.receipt_status("BLACKLIST", "0") == REJECTED
    assert mci.receipt_status("blocked", None) == REJECTED
    assert generic.receipt_status("BLACKLIST", None) is None
    assert generic.receipt_status("DELIVRD", "000") == DELIVERED
    assert generic.receipt_status("ENROUTE", None) is None


class Collector:
    def __init__(self, fail: bool = False) -> None:
        self.reports: list[DeliveryReport] = []
        self.messages: list[IncomingMessage] = []
        self.fail = fail

    async def on_reports(self, reports: list[DeliveryReport]) -> None:
        if self.fail:
            raise RuntimeError("database down")
        self.reports.extend(reports)

    async def on_incoming(self, messages: list[IncomingMessage]) -> None:
        self.messages.extend(messages)


def router(collector: Collector, connector: SmppConnector | None = None, **options) -> InboundRouter:
    connector = connector or SmppConnector(1, {}, FakeSink())
    policy = InboundPolicy(connector.receipt_status, connector.receipt_message_id, connector.incoming_sender, connector.receipt_tz)
    return InboundRouter(policy, RecentIds(), collector.on_reports, collector.on_incoming, **options)


def deliver_sm(**fields):
    return decode(encode("deliver_sm", 1, **fields))


async def test_a_receipt_without_stat_text_takes_its_status_from_message_state():
    collector = Collector()
    inbound = router(collector)

    done = inbound.accept(deliver_sm(esm_class=0x04, short_message=b"id:9f", receipted_message_id="9F", message_state=5))
    await inbound.flush()

    assert done.result() is True
    assert collector.reports == [DeliveryReport("9F", UNDELIVERED, None, None)]


async def test_receipts_in_progress_or_unknown_are_acknowledged_and_not_reported():
    collector = Collector()
    inbound = router(collector)

    assert inbound.accept(deliver_sm(esm_class=0x04, short_message=b"id:1 stat:ENROUTE")) is None
    assert inbound.accept(deliver_sm(esm_class=0x04, short_message=b"id:1 stat:WHATEVER")) is None
    assert inbound.accept(deliver_sm(esm_class=0x04, short_message=b"stat:DELIVRD")) is None
    await inbound.flush()
    assert collector.reports == []


async def test_a_sink_failure_is_answered_so_the_smsc_delivers_again():
    collector = Collector(fail=True)
    inbound = router(collector)

    done = inbound.accept(deliver_sm(esm_class=0x04, short_message=b"id:1 stat:DELIVRD"))
    await inbound.flush()

    assert done.result() is False


async def test_an_incoming_message_in_sar_segments_is_reassembled():
    collector = Collector()
    inbound = router(collector)
    first, second = "سلام ", "دنیا"

    for seq, text in ((2, second), (1, first)):
        inbound.accept(deliver_sm(source_addr="09121234567", source_addr_ton=2, destination_addr="+3000123", data_coding=8,
                                  short_message=text.encode("utf-16-be"), sar_msg_ref_num=300, sar_total_segments=2, sar_segment_seqnum=seq))  # fmt: skip
    await inbound.flush()

    [message] = collector.messages
    assert (message.line, message.sender, message.text) == ("3000123", "989121234567", first + second)


async def test_an_incomplete_incoming_message_is_handed_over_after_the_reassembly_time():
    collector = Collector()
    inbound = router(collector, reassembly_seconds=0.0)
    split = split_for_smpp("ب" * 100, 9)

    inbound.accept(deliver_sm(source_addr="989121234567", destination_addr="3000123", data_coding=split.data_coding,
                              esm_class=split.esm_class, short_message=split.parts[0]))  # fmt: skip
    inbound._expire_partials()
    await inbound.flush()

    assert [m.text for m in collector.messages] == ["ب" * 67]


async def test_delivery_acknowledgements_are_not_incoming_messages():
    collector = Collector()
    inbound = router(collector)

    assert inbound.accept(deliver_sm(esm_class=0x08, short_message=b"ack")) is None
    await inbound.flush()
    assert collector.messages == [] and collector.reports == []
