"""The contract between the core and operator connectors (the operators plugin implements it).

A connector holds one operator connection's session (an SMPP bind, say) inside a worker
process. The core hands it batches of messages; it submits them — windowing, rate limiting,
splitting long texts, slowing down when throttled — and returns one final result per message.
Delivery reports and incoming messages go back to the core through a :class:`ConnectorSink`.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True)
class Capabilities:
    """What a connector can do."""

    unicode: bool = True
    long_messages: bool = True
    delivery_reports: bool = True
    incoming: bool = True
    max_per_second: int = 100


@dataclass(frozen=True)
class SettingField:
    """One setting of an operator connection, edited by platform admins."""

    name: str
    label: str
    default: Any = None
    secret: bool = False
    kind: str = "text"  # text, int, choice
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one recipient; ``ref`` is the core's recipient row id."""

    ref: int
    source: str
    destination: str
    text: str


@dataclass(frozen=True)
class SubmitResult:
    """The final outcome of submitting one :class:`OutboundMessage`.

    ``message_id`` is the operator's id of the first part (receipts are matched on it).
    A failed result is final: the connector retries throttling and transient errors itself.
    """

    ref: int
    ok: bool
    message_id: str | None = None
    error: str | None = None


# Receipt statuses the core understands (a connector maps its operator's codes onto them).
DELIVERED = "delivered"
UNDELIVERED = "undelivered"
EXPIRED = "expired"
REJECTED = "rejected"
RECEIPT_STATUSES = (DELIVERED, UNDELIVERED, EXPIRED, REJECTED)


@dataclass(frozen=True)
class DeliveryReport:
    """A delivery receipt for the message whose first part had ``message_id``.

    ``recipient`` (the handset) and ``line`` (our sender) come from the receipt's addresses;
    they let the core recognise a message whose submit answer was lost in a crash.
    """

    message_id: str
    status: str
    done_at: datetime | None = None
    error_code: str | None = None
    recipient: str | None = None
    line: str | None = None


@dataclass(frozen=True)
class IncomingMessage:
    """A message a phone sent to one of our lines."""

    line: str
    sender: str
    text: str
    received_at: datetime


WriteHook = Callable[[list[int]], Awaitable[set[int]]]


class WriteGate:
    """Lets connectors honour ``on_write`` cheaply and tightly.

    Messages ready to be written in the same event-loop pass are recorded with one call (one
    database commit). Each brings a ``send`` callable that queues its already-encoded first PDU
    and returns a ``flush`` callable; right after the commit the gate calls every admitted
    ``send`` and then every distinct ``flush`` — no await in between — so the gap between
    "recorded as written" and "handed to the kernel" is a few microseconds, whatever the batch.
    """

    def __init__(self, on_write: WriteHook) -> None:
        self._on_write = on_write
        self._pending: dict[int, tuple[asyncio.Future[bool], Callable[[], Callable[[], None]]]] = {}
        self._flush: asyncio.Task[None] | None = None

    async def admit(self, ref: int, send: Callable[[], Callable[[], None]]) -> bool:
        """Record ``ref`` as written and send it; False (nothing sent) if the core withdrew it."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending[ref] = (future, send)
        if self._flush is None:
            self._flush = asyncio.ensure_future(self._run())
        return await future

    async def _run(self) -> None:
        await asyncio.sleep(0)  # let every message ready in this pass join the batch
        batch, self._pending, self._flush = self._pending, {}, None
        try:
            allowed = await self._on_write(list(batch))
        except BaseException as exc:
            for future, _ in batch.values():
                if not future.done():
                    future.set_exception(exc)
            raise
        flushes: dict[Callable[[], None], None] = {}
        for ref, (_, send) in batch.items():
            if ref in allowed:
                flushes[send()] = None
        for flush in flushes:
            flush()
        for ref, (future, _) in batch.items():
            if not future.done():
                future.set_result(ref in allowed)


class ConnectorSink(Protocol):
    """What a connector reports back to the core (implemented by the core)."""

    async def delivery_reports(self, connection_id: int, reports: list[DeliveryReport]) -> list[DeliveryReport] | None:
        """Record receipts (batches, in arrival order). Returns those the core cannot place yet:
        the connector refuses them temporarily (``ESME_RX_T_APPN``) so the operator sends them again."""

    async def incoming(self, connection_id: int, messages: list[IncomingMessage]) -> None:
        """Store incoming messages in the inboxes of the lines' owners."""


class Connector(abc.ABC):
    """An operator connector: one instance per operator connection per worker process."""

    name: ClassVar[str]
    label: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: Mobile prefixes (``98935``…) whose traffic this connector's operator carries.
    prefixes: ClassVar[tuple[str, ...]] = ()
    #: The settings a platform admin fills in for a connection of this kind.
    settings_fields: ClassVar[tuple[SettingField, ...]] = ()

    def __init__(self, connection_id: int, settings: dict[str, Any], sink: ConnectorSink) -> None:
        self.connection_id = connection_id
        self.settings = settings
        self.sink = sink

    @abc.abstractmethod
    async def connect(self) -> None:
        """Open the session (bind); reconnects later happen inside the connector."""

    @abc.abstractmethod
    async def submit(self, messages: list[OutboundMessage], on_write: WriteHook | None = None) -> list[SubmitResult]:
        """Submit a batch; returns one final result per message, in any order.

        ``on_write(refs)`` must be awaited right before the first PDUs of those messages are
        written to the operator (with no other await in between), so the core knows exactly
        which messages may have reached the operator if the process dies. It returns the refs
        that may still be written; the connector drops the others (no result for them).
        """

    @abc.abstractmethod
    async def disconnect(self) -> None:
        """Close the session cleanly (unbind)."""

    def normalise_sender(self, line_number: str) -> str:
        """The sender address as this operator wants it (default: unchanged)."""
        return line_number


@dataclass
class ConnectorInfo:
    """A registered connector class with the plugin that brought it."""

    cls: type[Connector]
    plugin: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
