"""One TCP connection to an SMSC: framing, in-flight requests, and answers to the SMSC's requests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from .pdu import RESPONSE_BIT, Command, PduError, SequenceCounter, decode, encode, header, read_pdu

log = logging.getLogger(__name__)


class LinkLost(Exception):
    """The link dropped before the response came."""


DeliverHandler = Callable[[Command], "asyncio.Future[bool] | None"]


class SmppLink:
    """One TCP connection to the SMSC and its in-flight requests."""

    def __init__(self, role: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, on_deliver: DeliverHandler) -> None:
        self.role = role
        self.reader, self.writer = reader, writer
        self.pending: dict[int, asyncio.Future[Command]] = {}
        self.lost = False
        self.closed = asyncio.Event()
        self._on_deliver = on_deliver
        self._sequence = SequenceCounter()
        self._reader_task = asyncio.create_task(self._read_loop())

    def request(self, command_name: str, **fields: Any) -> tuple[asyncio.Future[Command], int]:
        """Send a request; the future gets its response PDU (``LinkLost`` if the link drops first)."""
        if self.lost:
            raise LinkLost
        sequence = self._sequence.next()
        future: asyncio.Future[Command] = asyncio.get_running_loop().create_future()
        self.pending[sequence] = future
        self.writer.write(encode(command_name, sequence, **fields))
        return future, sequence

    def respond(self, command_name: str, sequence: int, status: int = 0, **fields: Any) -> None:
        """Answer a request of the SMSC (silently dropped once the link is gone)."""
        if not self.lost:
            self.writer.write(encode(command_name, sequence, status=status, **fields))

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
                except PduError as exc:
                    future.set_exception(exc)
            return
        try:
            pdu = decode(data)
        except PduError:
            log.exception("undecodable request from the SMSC")
            if command_id == 0x05:  # always answer a deliver_sm, or the SMSC resends it for ever
                self.respond("deliver_sm_resp", sequence)
            else:
                self.respond("generic_nack", sequence, status=0x03)
            return
        if pdu.command == "enquire_link":
            self.respond("enquire_link_resp", sequence)
        elif pdu.command == "deliver_sm":
            done = self._on_deliver(pdu)
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
        self.writer.close()
        for future in self.pending.values():
            if not future.done():
                future.set_exception(LinkLost(reason))
        self.pending.clear()
        self.closed.set()

    async def unbind(self, wait: float) -> None:
        """Unbind politely, then close."""
        try:
            future, _ = self.request("unbind")
            await asyncio.wait_for(future, wait)
        except (TimeoutError, LinkLost, OSError):
            pass
        self.close("unbound")
        self._reader_task.cancel()
