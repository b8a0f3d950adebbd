"""Test support for connectors: an in-memory sink, polling, message factories, fast session timings.

Used by this plugin's tests and available to cross-plugin tests that drive the simulator.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from payamak.messaging.connectors import DeliveryReport, IncomingMessage, OutboundMessage

# Fast timings so drops, timeouts and throttling resolve in test time.
FAST = {
    "reconnect_min": 0.02,
    "reconnect_max": 0.2,
    "response_timeout": 2.0,
    "throttle_pause": 0.05,
    "flush_interval": 0.02,
    "max_per_second": 0,
    "enquire_link_seconds": 5,
    "bind_wait_seconds": 5,
}


class FakeSink:
    """The core's side of a connector, in memory."""

    def __init__(self) -> None:
        self.reports: list[DeliveryReport] = []
        self.messages: list[IncomingMessage] = []
        self.batches = 0

    async def delivery_reports(self, connection_id: int, reports: list[DeliveryReport]) -> None:
        self.batches += 1
        self.reports.extend(reports)

    async def incoming(self, connection_id: int, messages: list[IncomingMessage]) -> None:
        self.batches += 1
        self.messages.extend(messages)


async def eventually(predicate: Callable[[], bool], within: float = 10.0) -> None:
    """Wait until ``predicate()`` holds, failing the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within}s: {predicate}")
        await asyncio.sleep(0.01)


def messages(count: int, text: str = "hello", source: str = "3000123", start: int = 0) -> list[OutboundMessage]:
    """``count`` messages to distinct recipients (ref i → 98912000000i)."""
    return [OutboundMessage(ref=i, source=source, destination=f"98912{i:07d}", text=text) for i in range(start, start + count)]
