"""Fixtures of the operators plugin's tests: simulators on ephemeral loopback ports, connectors, a fake sink."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from payamak_operators.connectors import SimulatorConnector, SmppConnector
from payamak_operators.simulator import SmscSimulator
from payamak_operators.testing import FAST, FakeSink


@pytest.fixture
async def start_simulator() -> AsyncIterator[Callable[..., Awaitable[SmscSimulator]]]:
    """Start a simulator on a free loopback port: ``await start_simulator(**options)``."""
    started: list[SmscSimulator] = []

    async def start(**options: Any) -> SmscSimulator:
        sim = SmscSimulator("127.0.0.1", 0, **options)
        await sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        await sim.stop()


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., Awaitable[SmppConnector]]]:
    """Connect a connector (simulator kind by default) to a simulator: ``await connect(sim, **settings)``."""
    connected: list[SmppConnector] = []

    async def make(
        sim: SmscSimulator, cls: type[SmppConnector] = SimulatorConnector, sink: FakeSink | None = None, **settings: Any
    ) -> SmppConnector:
        connector = cls(1, {"host": sim.host, "port": sim.port, "system_id": "payamak", **FAST, **settings}, sink or FakeSink())
        await connector.connect()
        connected.append(connector)
        return connector

    yield make
    for connector in connected:
        await connector.disconnect()
