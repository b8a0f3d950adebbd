"""One TCP connection to an SMSC: framing, in-flight requests, and answers to the SMSC's requests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from .pdu import RESPONSE_BIT, Command, PduError, PduWriter, SequenceCounter, decode, encode, header, read_pdu

log = logging.getLogger(__name__)


class LinkLost(Exception):
    """The link dropped before the response came."""


DeliverHandler = Callable[[Command], "asyncio.Future[bool] | None"]


class SmppLink:
    """One TCP connection to the SMSC and its in-flight requests.

    It answers the SMSC's ``enquire_link``, ``unbind`` and ``deliver_sm`` (the last when the
    delivery handler's future says the sink has it); other requests get ``generic_nack``.
    """

    def __init__(
        self,
        role: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        on_deliver: DeliverHandler,
        on_lost: Callable[[SmppLink], None] = lambda link: None,
    ) -> None:
        self.role = role
        self.reader, self.writer = reader, writer
        self._out = PduWriter(writer)
        self.pending: dict[int, asyncio.Future[Command]] = {}
        self.lost = False
        self.closed = asyncio.Event()
        self._on_deliver = on_deliver
        self._on_lost = on_lost
        self._sequence = SequenceCounter()
        self._reader_task = asyncio.create_task(self._read_loop())

    def request(self, command_name: str, **fields: Any) -> tuple[asyncio.Future[Command], int]:
        """Send a request; the future gets its response PDU (``LinkLost`` if the link drops first)."""
        if self.writer.is_closing():
            self.close("connection lost")
        if self.lost:
            raise LinkLost
        sequence = self._sequence.next()
        future: asyncio.Future[Command] = asyncio.get_running_loop().create_future()
        self.pending[sequence] = future
        self._out.write(encode(command_name, sequence, **fields))
        return future, sequence

    def prepare(self, command_name: str, **fields: Any) -> tuple[bytes, asyncio.Future[Command], int]:
        """Encode a request and await its response, without writing it yet (see :meth:`send`)."""
        if self.writer.is_closing():
            self.close("connection lost")
        if self.lost:
            raise LinkLost
        sequence = self._sequence.next()
        future: asyncio.Future[Command] = asyncio.get_running_loop().create_future()
        self.pending[sequence] = future
        return encode(command_name, sequence, **fields), future, sequence

    def send(self, data: bytes) -> Callable[[], None]:
        """Queue prepared PDU bytes; returns the flush that hands them to the kernel."""
        self._out.write(data)
        return self._out.flush

    def forget(self, sequence: int) -> None:
        """Drop a prepared request that will not be sent."""
        future = self.pending.pop(sequence, None)
        if future is not None and not future.done():
            future.cancel()

    def respond(self, command_name: str, sequence: int, status: int = 0, **fields: Any) -> None:
        """Answer a request of the SMSC (silently dropped once the link is gone)."""
        if not self.lost and not self.writer.is_closing():
            self._out.write(encode(command_name, sequence, status=status, **fields))

    async def _read_loop(self) -> None:
        reason = "closed by the SMSC"
        try:
            while True:
                self._dispatch(await read_pdu(self.reader))
        except asyncio.IncompleteReadError:
            pass
        except (OSError, PduError) as exc:
            reason = repr(exc)
        finally:
            self.close(reason)

    def _dispatch(self, data: bytes) -> None:
        _, command_id, _, sequence = header(data)
        if command_id & RESPONSE_BIT:
            future = self.pending.pop(sequence, None)
            if future is not None and not future.done():
                try:
                    future.set_result(decode(data))
                except PduError:
                    log.exception("undecodable response from the SMSC")
                    self.close("undecodable response")  # a stream out of step: start afresh
            return
        try:
            pdu = decode(data)
        except PduError:
            log.exception("undecodable request from the SMSC: %s", data.hex())
            if command_id == 0x05:  # acknowledged all the same, or the SMSC resends it for ever
                self.respond("deliver_sm_resp", sequence)
            else:
                self.respond("generic_nack", sequence, status=0x03)
            return
        if pdu.command == "enquire_link":
            self.respond("enquire_link_resp", sequence)
        elif pdu.command == "deliver_sm":
            try:
                done = self._on_deliver(pdu)
            except Exception:
                # Acknowledged all the same: an error status would make the SMSC resend it for ever.
                log.exception("could not read a deliver_sm: %s", data.hex())
                done = None
            if done is None:
                self.respond("deliver_sm_resp", sequence)
            else:
                done.add_done_callback(lambda f: self.respond("deliver_sm_resp", sequence, status=0 if f.result() else 0x64))
        elif pdu.command == "unbind":
            self.respond("unbind_resp", sequence)
            self.close("unbound by the SMSC")
        else:
            self.respond("generic_nack", sequence, status=0x03)  # ESME_RINVCMDID

    def close(self, reason: str = "closed") -> None:
        """Drop the connection; every pending request fails with ``LinkLost``."""
        if self.lost:
            return
        self.lost = True
        log.info("SMPP %s link closed: %s", self.role, reason)
        self._out.flush()
        self.writer.close()
        for future in self.pending.values():
            if not future.done():
                future.set_exception(LinkLost(reason))
        self.pending.clear()
        self.closed.set()
        self._on_lost(self)

    async def unbind(self, wait: float) -> None:
        """Unbind politely, then close."""
        try:
            future, _ = self.request("unbind")
            await asyncio.wait_for(future, wait)
        except (TimeoutError, LinkLost, OSError):
            pass
        self.close("unbound")
        self._reader_task.cancel()
