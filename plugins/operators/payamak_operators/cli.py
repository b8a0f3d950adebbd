"""``payamak simulator``: run the simulator SMSC, and send it an incoming message as a phone would.

``run`` listens for SMPP on ``--port`` and for control commands on ``--control-port`` (default
``--port`` + 1, loopback only: see :mod:`payamak_operators.control`). ``inject`` talks to that
control port; the simulator delivers the message to a bound receiver of the line, or queues it.
"""

from __future__ import annotations

import asyncio
import contextlib

import click

from payamak_operators.control import control_request
from payamak_operators.simulator import SmscSimulator


@click.group()
def simulator() -> None:
    """A simulator SMSC (SMPP 3.4) for development and tests."""


@simulator.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it loopback).")
@click.option("--port", default=2775, show_default=True, type=int, help="SMPP port.")
@click.option("--control-port", type=int, default=None, help="Control port for `inject` (default: SMPP port + 1).")
@click.option("--system-id", default=None, help="Accept only this system_id (default: any).")
@click.option("--password", default=None, help="Accept only this password (default: any); also guards the control port.")
@click.option("--receipt-delay", default=1.0, show_default=True, type=float, help="Seconds from submit to receipt.")
@click.option("--delivered", default=0.9, show_default=True, type=float, help="Weight of delivered receipts.")
@click.option("--undelivered", default=0.07, show_default=True, type=float, help="Weight of undelivered receipts.")
@click.option("--expired", default=0.03, show_default=True, type=float, help="Weight of expired receipts.")
@click.option("--rejected", default=0.0, show_default=True, type=float, help="Weight of rejected receipts.")
@click.option("--seed", type=int, default=None, help="Seed of the outcome and throttling draws.")
@click.option("--throttle", default=0.0, show_default=True, type=float, help="Fraction of submits answered ESME_RTHROTTLED.")
@click.option("--max-per-second", default=0, show_default=True, type=int, help="Throttle submits above this rate (0: no limit).")
def run(
    host: str, port: int, control_port: int | None, system_id: str | None, password: str | None, receipt_delay: float,
    delivered: float, undelivered: float, expired: float, rejected: float, seed: int | None, throttle: float, max_per_second: int,
) -> None:  # fmt: skip
    """Start a standalone simulator SMSC and run until interrupted."""
    weights = {"delivered": delivered, "undelivered": undelivered, "expired": expired, "rejected": rejected}
    sim = SmscSimulator(
        host, port, system_id=system_id, password=password, receipt_delay=receipt_delay, seed=seed,
        outcomes={k: v for k, v in weights.items() if v > 0} or None,
        control_port=port + 1 if control_port is None else control_port,
    )  # fmt: skip
    sim.set_throttle(fraction=throttle, max_per_second=max_per_second)

    async def body() -> None:
        await sim.start()
        click.echo(f"simulator SMSC on {host}:{sim.port} (control port {sim.control_port}); Ctrl-C stops it")
        try:
            await asyncio.Event().wait()
        finally:
            await sim.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(body())


@simulator.command("inject")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2775, show_default=True, type=int, help="The simulator's SMPP port.")
@click.option("--control-port", type=int, default=None, help="Its control port (default: SMPP port + 1).")
@click.option("--password", default=None, help="The simulator's password, if it has one.")
@click.option("--from", "sender", required=True, help="The phone sending, e.g. 989121234567.")
@click.option("--to", "line", required=True, help="The line receiving, e.g. 3000123.")
@click.argument("text")
def inject(host: str, port: int, control_port: int | None, password: str | None, sender: str, line: str, text: str) -> None:
    """Send TEXT to a line as if a phone sent it."""
    request = {"cmd": "inject", "from": sender, "to": line, "text": text}
    if password is not None:
        request["password"] = password
    try:
        answer = asyncio.run(control_request(host, port + 1 if control_port is None else control_port, request))
    except OSError as exc:
        raise click.ClickException(f"no simulator control port at {host}: {exc}") from None
    if not answer.get("ok"):
        raise click.ClickException(str(answer.get("error")))
    queued = " (queued: no receiver bound)" if answer.get("queued") else ""
    click.echo(f"injected {answer['parts']} part(s) from {sender} to {line}{queued}")
