"""The simulator's control channel: one-line JSON commands over TCP, for ``payamak simulator inject``.

With ``control_port`` set (``payamak simulator run`` opens the SMPP port + 1), the simulator
listens on that port of its host for lines of JSON and answers each with one line of JSON:

* ``{"cmd": "inject", "from": "98912…", "to": "3000123", "text": "…"}`` → ``{"ok": true, "parts": 1, "queued": 0}``
* ``{"cmd": "throttle", "fraction": 0.5, "seconds": 10, "max_per_second": 0}`` → ``{"ok": true}``
* ``{"cmd": "drop"}`` (close every session) → ``{"ok": true}``
* ``{"cmd": "stats"}`` → ``{"ok": true, "submitted": …, "parts": …, "throttled": …, "sessions": …, "queued": …}``

When the simulator has a password, every command carries it as ``"password"``. Errors come
back as ``{"ok": false, "error": "…"}``. A development tool: keep it on loopback.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .simulator import SmscSimulator


class ControlChannel:
    """Serves control connections for one simulator."""

    def __init__(self, simulator: SmscSimulator) -> None:
        self.simulator = simulator

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer the commands of one connection, a line each, until it closes."""
        try:
            while line := await reader.readline():
                try:
                    answer = await self.command(json.loads(line))
                except (ValueError, KeyError, TypeError) as exc:
                    answer = {"ok": False, "error": str(exc)}
                writer.write(json.dumps(answer).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def command(self, request: dict[str, Any]) -> dict[str, Any]:
        """Carry out one command and return the answer."""
        sim = self.simulator
        if sim.password is not None and request.get("password") != sim.password:
            return {"ok": False, "error": "bad password"}
        command = request["cmd"]
        if command == "inject":
            parts = await sim.inject(str(request["from"]), str(request["to"]), str(request["text"]))
            return {"ok": True, "parts": parts, "queued": sim.queued}
        if command == "throttle":
            sim.set_throttle(float(request.get("fraction", 0)), float(request.get("seconds", 0)), int(request.get("max_per_second", 0)))
            return {"ok": True}
        if command == "drop":
            sim.drop_connections()
            return {"ok": True}
        if command == "stats":
            return {"ok": True, "submitted": len(sim.submitted), "parts": sim.parts_accepted, "throttled": sim.throttled,
                    "sessions": sim.bound_sessions, "queued": sim.queued}  # fmt: skip
        return {"ok": False, "error": f"unknown command {command!r}"}


async def control_request(host: str, port: int, request: dict[str, Any], wait: float = 5.0) -> dict[str, Any]:
    """Send one command to a running simulator's control channel and return its answer."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), wait)
    try:
        writer.write(json.dumps(request).encode() + b"\n")
        await writer.drain()
        return json.loads(await asyncio.wait_for(reader.readline(), wait))
    finally:
        writer.close()
