"""An asyncio ESME: one SMPP 3.4 session to an operator's SMSC.

The session binds as a transceiver (or as a transmitter plus a receiver), keeps each link
alive with ``enquire_link``, and reconnects with exponential back-off whenever a link drops.
``submit`` sends a batch through a window of outstanding ``submit_sm`` and a token bucket;
``ESME_RTHROTTLED`` and ``ESME_RMSGQFUL`` slow the bucket down and the same part is sent
again; any other error status is the message's final failure.

Delivery semantics are *at least once*. A part whose response never came — the link dropped,
or no response within ``response_timeout`` (the link is then closed as broken) — is sent
again on the next link. The SMSC may have accepted the first copy: its response can be lost
with the connection (a TCP reset discards what we had not read yet), or it was merely slow;
the recipient then gets the message twice. Failing such a part instead would lose messages
the SMSC never saw, and a failed result is final in the core, so we send again. An SMSC that
ends a link gracefully (answering what it accepted, then closing) causes no duplicates; the
simulator's drops are graceful, and its tests count exactly one copy of every message.

``submit`` raises :class:`NotBound` when no transmitter bind comes up within
``bind_wait_seconds`` (nothing was sent: the core can queue the batch again). A batch under
way waits across reconnects; ``close`` lets running batches finish for a grace period, then
what is left fails with ``connector_closed``.

Receipts for a long message arrive one per part; only the first part's is reported (the core
knows a message by its first part's id), matched through :class:`RecentIds`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from payamak.messaging.connectors import DeliveryReport, IncomingMessage, OutboundMessage, SubmitResult, WriteGate, WriteHook
from payamak.messaging.text import split_for_smpp

from .addresses import AddressPlan
from .flow import TokenBucket
from .inbound import InboundPolicy, InboundRouter
from .link import LinkLost, SmppLink
from .pdu import status_name, text_field
from .receipts import RecentIds

log = logging.getLogger(__name__)

THROTTLING = frozenset({0x58, 0x14})  # ESME_RTHROTTLED, ESME_RMSGQFUL
BIND_MODES = ("transceiver", "transmitter_receiver")


@dataclass(frozen=True)
class EsmeConfig:
    """Everything one session needs; times in seconds, ``max_per_second`` 0 means unlimited."""

    host: str
    port: int
    system_id: str
    password: str = ""
    system_type: str = ""
    bind_mode: str = "transceiver"
    address_range: str = ""
    service_type: str = ""
    registered_delivery: int = 1
    window: int = 50
    max_per_second: float = 100.0
    enquire_link_seconds: float = 30.0
    response_timeout: float = 10.0
    connect_timeout: float = 10.0
    bind_wait_seconds: float = 30.0
    reconnect_min: float = 1.0
    reconnect_max: float = 60.0
    throttle_pause: float = 1.0
    recent_ids: int = 100_000
    flush_interval: float = 0.05
    flush_size: int = 500


@dataclass
class SessionStats:
    """Counters of a session's life, for logs, tests and benchmarks."""

    parts_sent: int = 0
    throttled: int = 0
    resent: int = 0
    timeouts: int = 0
    binds: int = 0


class BindError(ConnectionError):
    """The SMSC refused the bind (or never answered it)."""


class NotBound(ConnectionError):
    """No transmitter bind came up in time; nothing of the batch was sent."""


class ConnectorClosed(ConnectionError):
    """The session was closed while messages waited."""


class _Withdrawn(Exception):
    """The core took the message back before it was written."""


class _Rejected(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status_name(status))
        self.name = status_name(status)


class EsmeSession:
    """An SMPP session: binds, submits batches, and routes deliveries to the report and incoming handlers."""

    def __init__(
        self,
        config: EsmeConfig,
        policy: InboundPolicy,
        on_reports: Callable[[list[DeliveryReport]], Awaitable[list[DeliveryReport] | None]],
        on_incoming: Callable[[list[IncomingMessage]], Awaitable[None]],
        address_plan: AddressPlan | None = None,
    ) -> None:
        if config.bind_mode not in BIND_MODES:
            raise ValueError(f"bind_mode must be one of {BIND_MODES}")
        self.config = config
        self.address_plan = address_plan or AddressPlan()
        self.recent_ids = RecentIds(config.recent_ids)
        self.inbound = InboundRouter(
            policy, self.recent_ids, on_reports, on_incoming, flush_interval=config.flush_interval, flush_size=config.flush_size
        )
        self.bucket = TokenBucket(config.max_per_second)
        self.stats = SessionStats()
        self._roles = ("transceiver",) if config.bind_mode == "transceiver" else ("transmitter", "receiver")
        self._links: dict[str, SmppLink] = {}
        self._tx: SmppLink | None = None
        self._tx_ready = asyncio.Event()
        self._window = asyncio.Semaphore(max(1, config.window))
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._reference = random.randrange(256)

    @property
    def bound(self) -> bool:
        """Whether a link that can submit is up."""
        return self._tx is not None

    async def start(self) -> None:
        """Bind every link once (raising ``BindError``/``OSError`` on failure), then keep them up."""
        links: list[SmppLink] = []
        try:
            for role in self._roles:
                links.append(await self._open(role))
        except BaseException:
            for link in links:
                link.close("start failed")
            raise
        for role, link in zip(self._roles, links, strict=True):
            self._install(role, link)
            self._tasks.append(asyncio.create_task(self._supervise(role, link)))
        self._tasks.append(asyncio.create_task(self.inbound.run()))

    async def close(self, grace: float | None = None) -> None:
        """Let running submits finish (up to ``grace`` seconds), flush deliveries, unbind."""
        if self._active:
            try:
                await asyncio.wait_for(self._idle.wait(), self.config.response_timeout if grace is None else grace)
            except TimeoutError:
                log.warning("closing with %d submit calls unfinished", self._active)
        self._closing = True
        self._tx_ready.set()
        await self.inbound.flush()
        for link in list(self._links.values()):
            await link.unbind(min(2.0, self.config.response_timeout))
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _open(self, role: str) -> SmppLink:
        cfg = self.config
        reader, writer = await asyncio.wait_for(asyncio.open_connection(cfg.host, cfg.port), cfg.connect_timeout)
        link = SmppLink(role, reader, writer, self.inbound.accept, lambda lost: self._uninstall(role, lost))
        try:
            future, _ = link.request(
                f"bind_{role}",
                system_id=cfg.system_id,
                password=cfg.password or "",
                system_type=cfg.system_type or "",
                addr_ton=0,
                addr_npi=0,
                address_range=cfg.address_range or "",
            )
            response = await asyncio.wait_for(future, cfg.response_timeout)
        except (TimeoutError, LinkLost) as exc:
            link.close("bind failed")
            raise BindError(f"no answer to bind_{role} from {cfg.host}:{cfg.port}") from exc
        if response.status != 0:
            link.close("bind refused")
            raise BindError(f"bind_{role} refused by {cfg.host}:{cfg.port}: {status_name(response.status)}")
        self.stats.binds += 1
        log.info("SMPP bound as %s to %s:%s (%s)", role, cfg.host, cfg.port, text_field(response.system_id))
        return link

    async def _supervise(self, role: str, link: SmppLink | None) -> None:
        cfg = self.config
        delay = cfg.reconnect_min
        while True:
            if link is not None:
                started = time.monotonic()
                self._install(role, link)
                keepalive = asyncio.create_task(self._keepalive(link))
                await link.closed.wait()
                keepalive.cancel()
                self._uninstall(role, link)
                if self._closing:
                    return
                if time.monotonic() - started > cfg.reconnect_max:
                    # It was healthy for a while: start the back-off over. A flapping SMSC keeps doubling it.
                    delay = cfg.reconnect_min
                link = None
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, cfg.reconnect_max)
            if self._closing:
                return
            try:
                link = await self._open(role)
            except (OSError, TimeoutError) as exc:
                log.warning("SMPP %s reconnect to %s:%s failed: %s; next try in %.1fs", role, cfg.host, cfg.port, exc, delay)

    def _install(self, role: str, link: SmppLink) -> None:
        self._links[role] = link
        if role != "receiver":
            self._tx = link
            self._tx_ready.set()

    def _uninstall(self, role: str, link: SmppLink) -> None:
        if self._links.get(role) is link:
            del self._links[role]
        if self._tx is link:
            self._tx = None
            if not self._closing:
                self._tx_ready.clear()

    async def _keepalive(self, link: SmppLink) -> None:
        while not link.lost:
            await asyncio.sleep(self.config.enquire_link_seconds)
            try:
                future, _ = link.request("enquire_link")
                await asyncio.wait_for(future, self.config.response_timeout)
            except TimeoutError:
                link.close("no answer to enquire_link")
            except LinkLost:
                return

    def drop_links(self) -> None:
        """Close every link as if the network failed (tests use this; the session reconnects)."""
        for link in list(self._links.values()):
            link.close("dropped on request")

    async def submit(self, messages: list[OutboundMessage], on_write: WriteHook | None = None) -> list[SubmitResult]:
        """Submit a batch; one final result per message. Raises ``NotBound`` when no bind came up in time.

        With ``on_write`` each message is admitted through a :class:`WriteGate` right before its
        first PDU is written; a message the core withdraws is dropped (no result)."""
        if self._closing:
            raise ConnectorClosed("the session is closed")
        if not messages:
            return []
        if self._tx is None:
            try:
                await asyncio.wait_for(self._tx_ready.wait(), self.config.bind_wait_seconds)
            except TimeoutError:
                raise NotBound(f"not bound to {self.config.host}:{self.config.port}") from None
        self._active += 1
        self._idle.clear()
        queue = deque(messages)
        results: list[SubmitResult] = []
        gate = WriteGate(on_write) if on_write is not None else None

        async def worker() -> None:
            while queue:
                result = await self._submit_message(queue.popleft(), gate)
                if result is not None:
                    results.append(result)

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(len(messages), self.config.window)):
                    group.create_task(worker())
        finally:
            self._active -= 1
            if not self._active:
                self._idle.set()
        return results

    def _next_reference(self) -> int:
        self._reference = (self._reference + 1) % 256
        return self._reference

    async def _submit_message(self, message: OutboundMessage, gate: WriteGate | None = None) -> SubmitResult | None:
        try:
            split = split_for_smpp(message.text, self._next_reference())
        except ValueError as exc:
            return SubmitResult(message.ref, False, error=f"bad_text: {exc}"[:64])
        source, source_ton, source_npi = self.address_plan.source(message.source)
        destination, dest_ton, dest_npi = self.address_plan.destination(message.destination)
        common = dict(
            service_type=self.config.service_type,
            source_addr_ton=source_ton,
            source_addr_npi=source_npi,
            source_addr=source,
            dest_addr_ton=dest_ton,
            dest_addr_npi=dest_npi,
            destination_addr=destination,
            esm_class=split.esm_class,
            registered_delivery=self.config.registered_delivery,
            data_coding=split.data_coding,
        )
        ids: list[str] = []
        total = len(split.parts)
        error: str | None = None
        for number, octets in enumerate(split.parts, 1):
            admit = (lambda send, ref=message.ref: gate.admit(ref, send)) if gate is not None and number == 1 else None
            try:
                ids.append(await self._submit_part(dict(common, short_message=octets), admit))
                self.recent_ids.add(ids[-1], ids[0])
            except _Rejected as exc:
                error = exc.name if total == 1 else f"{exc.name} (part {number}/{total})"
            except ConnectorClosed:
                error = "connector_closed"
            except _Withdrawn:
                return None
            if error:
                break
        return SubmitResult(message.ref, error is None, ids[0] if ids else None, error)

    async def _submit_part(
        self, fields: dict[str, Any], admit: Callable[[Callable[[], Callable[[], None]]], Awaitable[bool]] | None = None
    ) -> str:
        cfg = self.config
        while True:
            if self._closing:
                raise ConnectorClosed
            if self._tx is None:
                await self._tx_ready.wait()
                continue
            async with self._window:
                await self.bucket.take()
                link = self._tx
                if link is None or link.lost:
                    await asyncio.sleep(0)
                    continue
                try:
                    if admit is None:
                        future, sequence = link.request("submit_sm", **fields)
                    else:
                        # Encoded first; the gate records it as written and sends it in one step.
                        data, future, sequence = link.prepare("submit_sm", **fields)
                        allowed, admit = await admit(lambda link=link, data=data: link.send(data)), None
                        if not allowed:
                            link.forget(sequence)
                            raise _Withdrawn
                except LinkLost:
                    continue
                self.stats.parts_sent += 1
                try:
                    response = await asyncio.wait_for(future, cfg.response_timeout)
                except TimeoutError:
                    link.pending.pop(sequence, None)
                    self.stats.timeouts += 1
                    link.close(f"no submit_sm_resp in {cfg.response_timeout}s")
                    continue
                except LinkLost:
                    self.stats.resent += 1
                    continue
            if response.status == 0:
                return text_field(response.message_id)
            if response.status in THROTTLING:
                self.stats.throttled += 1
                self.bucket.throttled(cfg.throttle_pause)
                continue
            raise _Rejected(response.status)
