"""A simulator SMSC: SMPP 3.4 on loopback for development, the demo and the tests.

It accepts the three binds (checking ``system_id``/``password`` when configured), answers
``submit_sm`` with unique hex message ids, and sends one delivery receipt per accepted part
(``deliver_sm`` with esm_class 0x04, the standard receipt text, and the
``receipted_message_id``/``message_state`` TLVs) after ``receipt_delay`` seconds, its outcome
drawn from the ``outcomes`` weights with a seeded RNG. Receipts and incoming messages for a
receiver that is not bound wait in a queue and go out when one binds; a ``deliver_sm`` not
acknowledged before its link drops goes out again. It can throttle (answer ``ESME_RTHROTTLED``
to a fraction of submits, for some seconds, or above a rate), drop every connection at once or
after every N accepted submits, leave submits unanswered, reject destinations, and inject
incoming messages as if a phone sent them.

Every accepted message is recorded in :attr:`SmscSimulator.submitted` (reassembled from its
parts) so tests can count. A submit is recorded and answered in one step, and a drop is a
half-close after the responses written so far: requests still in the socket are read and
ignored (neither answered nor recorded) until the ESME closes. So a submit counts as accepted
exactly when its ESME received the response, and an ESME that sends again what got no answer
submits each message exactly once. (Closing outright would send a TCP reset, which makes the
ESME's kernel discard responses it has not read yet — a real SMSC can do that, and then an
ESME cannot tell accepted from lost: see :mod:`payamak_operators.esme`.)

With ``control_port`` set it also opens the control channel of :mod:`payamak_operators.control`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from payamak.messaging.connectors import DELIVERED, RECEIPT_STATUSES
from payamak.messaging.text import decode_short_message, join_parts, split_for_smpp

from .pdu import RESPONSE_BIT, PduError, PduWriter, SequenceCounter, decode, encode, header, read_pdu, text_field
from .receipts import STATE_OF_STATUS, format_receipt_text

log = logging.getLogger(__name__)

ESME_RINVBNDSTS, ESME_RALYBND, ESME_RINVPASWD, ESME_RINVSYSID, ESME_RTHROTTLED = 0x04, 0x05, 0x0E, 0x0F, 0x58


@dataclass(frozen=True)
class SubmittedMessage:
    """One message the simulator accepted, whole: its text reassembled from its parts."""

    source: str
    destination: str
    text: str
    message_id: str
    part_ids: tuple[str, ...]
    system_id: str


@dataclass
class _Outgoing:
    """A deliver_sm waiting for (or on its way to) a receiver."""

    fields: dict[str, Any]
    system_id: str | None  # receipts go back to the account that submitted
    line: str | None  # incoming messages go to a receiver whose address_range fits the line


class _Session:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.out = PduWriter(writer)
        self.bind: str | None = None
        self.system_id = ""
        self.address_range = ""
        self.outstanding: dict[int, list[_Outgoing]] = {}
        self.sequence = SequenceCounter()
        self.closing = False

    @property
    def receives(self) -> bool:
        return not self.closing and not self.writer.is_closing() and self.bind in ("receiver", "transceiver")

    def respond(self, command_name: str, sequence: int, status: int = 0, **fields: Any) -> None:
        if not self.closing and not self.writer.is_closing():
            self.out.write(encode(command_name, sequence, status=status, **fields))

    def deliver(self, item: _Outgoing) -> None:
        sequence = self.sequence.next()
        self.outstanding[sequence] = [item]
        self.out.write(encode("deliver_sm", sequence, **item.fields))

    def close(self) -> None:
        """Half-close: the peer reads every response written so far, then end of stream.

        Closing outright with unread requests in the socket would send a TCP reset, and a
        reset makes the peer's kernel drop responses it has not read yet.
        """
        if self.closing:
            return
        self.closing = True
        self.out.flush()
        if self.writer.can_write_eof() and not self.writer.is_closing():
            try:
                self.writer.write_eof()
            except OSError:  # the peer is already gone
                self.writer.close()
                return
            asyncio.get_running_loop().call_later(5.0, self.writer.close)
        else:
            self.writer.close()


class SmscSimulator:
    """An SMSC on ``host:port`` (port 0: any free port, read :attr:`port` after :meth:`start`)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        system_id: str | None = None,
        password: str | None = None,
        receipt_delay: float = 0.0,
        outcomes: dict[str, float] | None = None,
        seed: int | None = None,
        receipt_seconds: bool = False,
        receipt_tlvs: bool = True,
        receipt_id_style: str = "same",
        control_port: int | None = None,
    ) -> None:
        self.host, self.port, self.control_port = host, port, control_port
        self.system_id, self.password = system_id, password
        self.receipt_delay = receipt_delay
        self.outcomes_weights = outcomes or {DELIVERED: 1.0}
        if not set(self.outcomes_weights) <= set(RECEIPT_STATUSES):
            raise ValueError(f"outcomes must be among {RECEIPT_STATUSES}")
        self.receipt_seconds, self.receipt_tlvs, self.receipt_id_style = receipt_seconds, receipt_tlvs, receipt_id_style
        self._rng = random.Random(seed)
        #: Accepted messages, whole, in the order their last part arrived.
        self.submitted: list[SubmittedMessage] = []
        #: The receipt outcome drawn for each accepted part's message id.
        self.outcomes: dict[str, str] = {}
        self.parts_accepted = 0
        self.duplicate_parts = 0
        self.throttled = 0
        self.enquire_links = 0
        self._partials: dict[tuple[str, str, str, int, int], dict[int, tuple[str, str]]] = {}
        self._sessions: set[_Session] = set()
        self._queue: list[list[_Outgoing]] = []
        self._next_id = int(time.time()) * 1_000_000
        self._throttle_fraction = 0.0
        self._throttle_until = 0.0
        self._rate_limit = 0
        self._rate_window = (0, 0)
        self._drop_every = 0
        self._swallow = 0
        self._rejects: dict[str, int] = {}
        self._servers: list[asyncio.Server] = []
        self._stopped = False

    # --- life --------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen (and open the control channel when ``control_port`` is set)."""
        server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = server.sockets[0].getsockname()[1]
        self._servers.append(server)
        if self.control_port is not None:
            from .control import ControlChannel

            control = await asyncio.start_server(ControlChannel(self).serve, self.host, self.control_port)
            self.control_port = control.sockets[0].getsockname()[1]
            self._servers.append(control)
        log.info("simulator SMSC listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Close every session and stop listening."""
        self._stopped = True
        for server in self._servers:
            server.close()
        self.drop_connections()
        for server in self._servers:
            await server.wait_closed()

    # --- control -----------------------------------------------------------------------

    @property
    def bound_sessions(self) -> int:
        """How many sessions are bound right now."""
        return sum(1 for s in self._sessions if s.bind and not s.closing)

    @property
    def queued(self) -> int:
        """Deliveries waiting for a receiver to bind."""
        return sum(len(items) for items in self._queue)

    def set_throttle(self, fraction: float = 0.0, seconds: float = 0.0, max_per_second: int = 0) -> None:
        """Answer ``ESME_RTHROTTLED`` to a fraction of submits, to all for ``seconds``, and above a rate (0: off)."""
        self._throttle_fraction = fraction
        self._throttle_until = time.monotonic() + seconds if seconds else 0.0
        self._rate_limit = max_per_second

    def drop_connections(self) -> None:
        """Close every session (after the responses already written)."""
        for session in list(self._sessions):
            session.close()

    def drop_every(self, submits: int) -> None:
        """Close the session that sent every ``submits``-th accepted submit, right after answering it (0: never)."""
        self._drop_every = submits

    def swallow(self, submits: int) -> None:
        """Leave the next ``submits`` submits unanswered and unrecorded (an SMSC losing them)."""
        self._swallow = submits

    def reject(self, destination: str, status: int = 0x0B) -> None:
        """Answer submits to ``destination`` with an error status (default ``ESME_RINVDSTADR``)."""
        self._rejects[destination] = status

    async def inject(self, sender: str, line: str, text: str) -> int:
        """Deliver a message from a phone to a line (queued if no receiver is bound); returns its part count."""
        split = split_for_smpp(text, self._rng.randrange(256))
        items = [
            _Outgoing(
                dict(
                    source_addr_ton=1,
                    source_addr_npi=1,
                    source_addr=sender,
                    dest_addr_ton=0,
                    dest_addr_npi=1,
                    destination_addr=line,
                    esm_class=split.esm_class,
                    data_coding=split.data_coding,
                    short_message=octets,
                ),
                system_id=None,
                line=line,
            )
            for octets in split.parts
        ]
        self._route(items)
        return len(items)

    # --- sessions ----------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Session(reader, writer)
        self._sessions.add(session)
        try:
            while True:
                data = await read_pdu(reader)
                if not session.closing:  # after a drop, requests are read and ignored until the peer closes
                    self._handle(session, data)
        except (asyncio.IncompleteReadError, OSError, PduError):
            pass
        finally:
            session.closing = True
            writer.close()
            self._sessions.discard(session)
            if not self._stopped:
                for items in session.outstanding.values():
                    self._route(items)

    def _handle(self, session: _Session, data: bytes) -> None:
        _, command_id, status, sequence = header(data)
        if command_id & RESPONSE_BIT:
            items = session.outstanding.pop(sequence, None)
            if items is not None and status != 0:  # deliver_sm_resp with an error, or generic_nack
                asyncio.get_running_loop().call_later(1.0, self._route, items)
            return
        try:
            pdu = decode(data)
        except PduError:
            session.respond("generic_nack", sequence, status=0x02)
            return
        command = pdu.command
        if command.startswith("bind_"):
            self._bind(session, pdu, sequence)
        elif command == "submit_sm":
            self._submit(session, pdu, sequence)
        elif command == "enquire_link":
            self.enquire_links += 1
            session.respond("enquire_link_resp", sequence)
        elif command == "unbind":
            session.respond("unbind_resp", sequence)
            session.close()
        else:
            session.respond("generic_nack", sequence, status=0x03)

    def _bind(self, session: _Session, pdu: Any, sequence: int) -> None:
        response = pdu.command + "_resp"
        system_id, password = text_field(pdu.system_id), text_field(pdu.password)
        status = 0
        if session.bind:
            status = ESME_RALYBND
        elif self.system_id is not None and system_id != self.system_id:
            status = ESME_RINVSYSID
        elif self.password is not None and password != self.password:
            status = ESME_RINVPASWD
        if status:
            session.respond(response, sequence, status=status)
            return
        session.bind = pdu.command.removeprefix("bind_")
        session.system_id, session.address_range = system_id, text_field(pdu.address_range)
        session.respond(response, sequence, system_id="payamak-sim")
        if session.receives and self._queue:
            queue, self._queue = self._queue, []
            for items in queue:
                self._route(items)

    def _throttling(self) -> bool:
        now = time.monotonic()
        if self._throttle_until and now < self._throttle_until:
            return True
        if self._rate_limit:
            second, count = self._rate_window
            if int(now) != second:
                second, count = int(now), 0
            self._rate_window = (second, count + 1)
            if count >= self._rate_limit:
                return True
        return self._throttle_fraction > 0 and self._rng.random() < self._throttle_fraction

    def _submit(self, session: _Session, pdu: Any, sequence: int) -> None:
        if session.bind not in ("transmitter", "transceiver"):
            session.respond("submit_sm_resp", sequence, status=ESME_RINVBNDSTS)
            return
        if self._swallow > 0:
            self._swallow -= 1
            return
        if status := self._rejects.get(text_field(pdu.destination_addr), 0):
            session.respond("submit_sm_resp", sequence, status=status)
            return
        if self._throttling():
            self.throttled += 1
            session.respond("submit_sm_resp", sequence, status=ESME_RTHROTTLED)
            return
        self._next_id += 1
        message_id = format(self._next_id, "x")
        self._record(session, pdu, message_id)
        session.respond("submit_sm_resp", sequence, message_id=message_id)
        self.parts_accepted += 1
        if (pdu.registered_delivery or 0) & 0x03:
            self._schedule_receipt(session, pdu, message_id)
        if self._drop_every and self.parts_accepted % self._drop_every == 0:
            session.close()

    def _record(self, session: _Session, pdu: Any, message_id: str) -> None:
        source, destination = text_field(pdu.source_addr), text_field(pdu.destination_addr)
        payload = pdu.short_message or pdu.message_payload or b""
        text, concat = decode_short_message(payload, pdu.data_coding or 0, pdu.esm_class or 0)
        if concat is None or concat[1] <= 1:
            self.submitted.append(SubmittedMessage(source, destination, text, message_id, (message_id,), session.system_id))
            return
        ref, total, seq = concat
        key = (session.system_id, source, destination, ref, total)
        parts = self._partials.setdefault(key, {})
        if seq in parts:
            self.duplicate_parts += 1
        parts[seq] = (text, message_id)
        if len(parts) == total:
            del self._partials[key]
            ordered = [parts[i] for i in sorted(parts)]
            ids = tuple(mid for _, mid in ordered)
            self.submitted.append(SubmittedMessage(source, destination, join_parts(t for t, _ in ordered), ids[0], ids, session.system_id))

    def _schedule_receipt(self, session: _Session, pdu: Any, message_id: str) -> None:
        outcome = self._rng.choices(list(self.outcomes_weights), weights=list(self.outcomes_weights.values()))[0]
        self.outcomes[message_id] = outcome
        submitted_at = datetime.now(UTC)
        shown_id = str(int(message_id, 16)) if self.receipt_id_style == "decimal" else message_id
        text = format_receipt_text(
            shown_id, outcome, submitted_at, submitted_at, "000" if outcome == DELIVERED else "001", self.receipt_seconds
        )
        fields: dict[str, Any] = dict(
            source_addr_ton=pdu.dest_addr_ton or 0, source_addr_npi=pdu.dest_addr_npi or 0, source_addr=text_field(pdu.destination_addr),
            dest_addr_ton=pdu.source_addr_ton or 0, dest_addr_npi=pdu.source_addr_npi or 0, destination_addr=text_field(pdu.source_addr),
            esm_class=0x04, data_coding=0, short_message=text.encode("ascii"),
        )  # fmt: skip
        if self.receipt_tlvs:
            fields.update(receipted_message_id=message_id, message_state=STATE_OF_STATUS[outcome])
        items = [_Outgoing(fields, system_id=session.system_id, line=None)]
        if self.receipt_delay > 0:
            asyncio.get_running_loop().call_later(self.receipt_delay, self._route, items)
        else:
            self._route(items)

    def _route(self, items: list[_Outgoing]) -> None:
        """Send deliveries (all parts to one receiver) or queue them until one binds."""
        if self._stopped:
            return
        first = items[0]
        receivers = [
            s for s in self._sessions
            if s.receives and (first.system_id is None or s.system_id == first.system_id)
            and (first.line is None or first.line.startswith(s.address_range))
        ]  # fmt: skip
        if not receivers:
            self._queue.append(items)
            return
        receiver = receivers[self._rng.randrange(len(receivers))] if len(receivers) > 1 else receivers[0]
        for item in items:
            receiver.deliver(item)
