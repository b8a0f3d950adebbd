"""What the SMSC delivers to us: delivery receipts and incoming (mobile-originated) messages.

Each ``deliver_sm`` becomes a :class:`DeliveryReport` or an :class:`IncomingMessage`, collected
into batches for the core's sink (every ``flush_interval`` seconds or ``flush_size`` items). The
``deliver_sm_resp`` is sent when its batch is in the sink: an SMSC resends what we did not
acknowledge, so a crash between receipt and sink loses nothing (the sink may see a repeat).
Parts of a concatenated incoming message are acknowledged at once and kept in memory until the
last part arrives; after ``reassembly_seconds`` whatever arrived is handed over as it is.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo

from payamak.messaging.connectors import DeliveryReport, IncomingMessage
from payamak.messaging.text import decode_short_message, join_parts

from .pdu import Command, text_field
from .receipts import MESSAGE_STATES, RecentIds, parse_receipt_text

log = logging.getLogger(__name__)

RECEIPT_BIT = 0x04
OTHER_NOTICE_BITS = 0x08 | 0x10 | 0x20  # SME acknowledgements, intermediate notifications

ReportsHandler = Callable[[list[DeliveryReport]], Awaitable[list[DeliveryReport] | None]]
IncomingHandler = Callable[[list[IncomingMessage]], Awaitable[None]]


@dataclass
class _Partial:
    started: float
    line: str
    sender: str
    total: int
    parts: dict[int, str] = field(default_factory=dict)

    def text(self) -> str:
        return join_parts(self.parts[i] for i in sorted(self.parts))


@dataclass
class InboundPolicy:
    """The operator-specific parts of reading deliveries (the connector supplies them)."""

    receipt_status: Callable[[str, str | None], str | None]
    receipt_id: Callable[[str], str] = str.strip
    normalise_sender: Callable[[str, int | None], str] = lambda address, ton: address
    receipt_tz: tzinfo = UTC


class InboundRouter:
    """Turns ``deliver_sm`` PDUs into reports and incoming messages and hands them over in batches."""

    def __init__(
        self,
        policy: InboundPolicy,
        recent_ids: RecentIds,
        on_reports: ReportsHandler,
        on_incoming: IncomingHandler,
        *,
        flush_interval: float = 0.05,
        flush_size: int = 500,
        reassembly_seconds: float = 300.0,
    ) -> None:
        self.policy = policy
        self.recent_ids = recent_ids
        self._on_reports = on_reports
        self._on_incoming = on_incoming
        self.flush_interval = flush_interval
        self.flush_size = flush_size
        self.reassembly_seconds = reassembly_seconds
        self._reports: list[tuple[DeliveryReport, asyncio.Future[bool]]] = []
        self._messages: list[IncomingMessage] = []
        self._messages_done: asyncio.Future[bool] | None = None
        self._partials: dict[tuple[str, str, int, int], _Partial] = {}
        self._wake = asyncio.Event()

    def accept(self, pdu: Command) -> asyncio.Future[bool] | None:
        """Take one ``deliver_sm``; the future says when (and whether) it reached the sink, ``None``: nothing to wait for."""
        esm_class = pdu.esm_class or 0
        if esm_class & RECEIPT_BIT:
            report = self._report(pdu)
            if report is None:
                return None
            # One future per receipt: the core may hand some back to be delivered again.
            done = asyncio.get_running_loop().create_future()
            self._reports.append((report, done))
        elif esm_class & OTHER_NOTICE_BITS:
            return None
        else:
            message = self._incoming(pdu)
            if message is None:
                return None
            self._messages.append(message)
            if self._messages_done is None:
                self._messages_done = asyncio.get_running_loop().create_future()
            done = self._messages_done
        if len(self._reports) + len(self._messages) >= self.flush_size:
            self._wake.set()
        return done

    def _report(self, pdu: Command) -> DeliveryReport | None:
        payload = pdu.short_message or pdu.message_payload or b""
        text = payload.decode("utf-16-be", "replace") if pdu.data_coding == 8 else payload.decode("latin-1")
        fields = parse_receipt_text(text, self.policy.receipt_tz)
        raw_id = text_field(pdu.receipted_message_id) or fields.message_id
        if not raw_id:
            log.warning("receipt without a message id: %r", text)
            return None
        status = self.policy.receipt_status(fields.stat, fields.err) if fields.stat else None
        if status is None and not fields.stat and pdu.message_state is not None:
            status = MESSAGE_STATES.get(pdu.message_state)
        if status is None:
            log.debug("receipt %s not final or not understood: %r", raw_id, text)
            return None
        return DeliveryReport(
            message_id=raw_id,
            status=status,
            done_at=fields.done_date,
            error_code=fields.err,
            recipient=text_field(pdu.source_addr) or None,
            line=text_field(pdu.destination_addr) or None,
        )

    def _matched(self, report: DeliveryReport) -> DeliveryReport | None:
        """The report under the id the core knows; ``None`` for a long message's later parts.

        Done at flush time, not on arrival: a receipt can be read in the same pass as the
        ``submit_sm_resp`` before it, before the submitting task has recorded that id.
        """
        resolved = self.recent_ids.resolve(report.message_id)
        if resolved is None:
            return replace(report, message_id=self.policy.receipt_id(report.message_id))
        return replace(report, message_id=resolved[0]) if resolved[1] else None

    def _incoming(self, pdu: Command) -> IncomingMessage | None:
        payload = pdu.short_message or pdu.message_payload or b""
        coding, esm_class = pdu.data_coding or 0, pdu.esm_class or 0
        try:
            text, concat = decode_short_message(payload, coding, esm_class)
        except Exception:
            log.warning("undecodable incoming message (coding %s): %s", coding, payload.hex())
            text, concat = payload.decode("latin-1"), None
        if concat is None and (pdu.sar_total_segments or 0) > 1:
            concat = (pdu.sar_msg_ref_num or 0, pdu.sar_total_segments, pdu.sar_segment_seqnum or 1)
        sender = self.policy.normalise_sender(text_field(pdu.source_addr), pdu.source_addr_ton)
        line = text_field(pdu.destination_addr).lstrip("+")
        if concat is not None and concat[1] > 1:
            ref, total, seq = concat
            key = (sender, line, ref, total)
            partial = self._partials.setdefault(key, _Partial(time.monotonic(), line, sender, total))
            partial.parts[seq] = text
            if len(partial.parts) < total:
                return None
            del self._partials[key]
            text = partial.text()
        return IncomingMessage(line=line, sender=sender, text=text, received_at=datetime.now(UTC))

    def _expire_partials(self) -> None:
        deadline = time.monotonic() - self.reassembly_seconds
        for key, partial in list(self._partials.items()):
            if partial.started < deadline:
                del self._partials[key]
                log.warning(
                    "incoming message from %s: %d of %d parts after %ss; handing over what arrived",
                    partial.sender,
                    len(partial.parts),
                    partial.total,
                    self.reassembly_seconds,
                )
                self._messages.append(IncomingMessage(partial.line, partial.sender, partial.text(), datetime.now(UTC)))

    async def run(self) -> None:
        """Flush on a period (and early when a batch is full) until cancelled."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.flush_interval)
            except TimeoutError:
                pass
            self._wake.clear()
            if self._partials:
                self._expire_partials()
            await self.flush()

    async def flush(self) -> None:
        """Hand everything collected to the sink now."""
        reports, self._reports = self._reports, []
        messages, messages_done, self._messages, self._messages_done = self._messages, self._messages_done, [], None
        if reports:
            await self._hand_over_reports(reports)
        if messages:
            await self._hand_over(self._on_incoming, messages, messages_done)

    async def _hand_over_reports(self, pairs: list[tuple[DeliveryReport, asyncio.Future[bool]]]) -> None:
        """Give receipts to the sink; those it hands back (or all, if it fails) are refused for now."""
        matched = [(self._matched(report), done) for report, done in pairs]
        reports = [report for report, _ in matched if report is not None]
        try:
            retry = (await self._on_reports(reports) or []) if reports else []
            again = {id(report) for report in retry}
            ok = True
        except Exception:
            log.exception("the sink refused %d receipts; the SMSC will deliver them again", len(reports))
            again, ok = set(), False
        for report, done in matched:
            if not done.done():
                done.set_result(ok and (report is None or id(report) not in again))

    @staticmethod
    async def _hand_over(handler: Callable[[list], Awaitable[None]], items: list, done: asyncio.Future[bool] | None) -> None:
        try:
            if items:
                await handler(items)
            ok = True
        except Exception:
            log.exception("the sink refused %d items; the SMSC will deliver them again", len(items))
            ok = False
        if done is not None and not done.done():
            done.set_result(ok)
