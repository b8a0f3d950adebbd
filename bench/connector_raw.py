"""Raw connector throughput: 20,000 messages through the SMPP connector into the simulator SMSC.

The simulator runs in a child process (so the connector has a CPU of its own, as in
production), answers every submit and sends a delivery receipt for each. The connector has
no rate limit; its window is ``--window``. Prints submitted messages per second and how long
the receipts took to reach the (in-memory) sink.

    .venv/bin/python bench/connector_raw.py [--messages 20000] [--window 100] [--text …]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import time

from payamak.messaging.connectors import OutboundMessage
from payamak_operators.connectors import SimulatorConnector
from payamak_operators.simulator import SmscSimulator
from payamak_operators.testing import FakeSink, eventually


def _run_simulator(port_queue: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    async def body() -> None:
        sim = SmscSimulator("127.0.0.1", 0)
        await sim.start()
        port_queue.put(sim.port)
        await asyncio.to_thread(stop.wait)
        port_queue.put(len(sim.submitted))
        await sim.stop()

    asyncio.run(body())


async def bench(port: int, count: int, window: int, text: str) -> tuple[float, float, int]:
    sink = FakeSink()
    settings = {"port": port, "window": window, "max_per_second": 0, "flush_interval": 0.05}
    connector = SimulatorConnector(1, settings, sink)
    await connector.connect()
    batch = [OutboundMessage(i, "3000123", f"98912{i:07d}", text) for i in range(count)]
    started = time.perf_counter()
    results = await connector.submit(batch)
    submitted = time.perf_counter() - started
    failed = sum(not r.ok for r in results)
    with contextlib.suppress(AssertionError):
        await eventually(lambda: len(sink.reports) >= count, within=submitted * 5 + 30)
    receipts = time.perf_counter() - started
    await connector.disconnect()
    return submitted, receipts, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--text", default="Payamak benchmark message")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    queue, stop = context.Queue(), context.Event()
    child = context.Process(target=_run_simulator, args=(queue, stop), daemon=True)
    child.start()
    port = queue.get(timeout=30)
    submitted, receipts, failed = asyncio.run(bench(port, args.messages, args.window, args.text))
    stop.set()
    at_smsc = queue.get(timeout=30)
    child.join(10)
    print(
        f"connector_raw: {args.messages} messages, window {args.window}: {args.messages / submitted:,.0f} messages/s submitted "
        f"({submitted:.2f}s), receipts in {receipts:.2f}s, {failed} failed, {at_smsc} at the SMSC"
    )


if __name__ == "__main__":
    main()
