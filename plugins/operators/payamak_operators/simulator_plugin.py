"""Entry point ``simulator``: the connector to the local simulator SMSC, and ``payamak simulator``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import click

from payamak import hookimpl
from payamak.messaging.connectors import Connector

log = logging.getLogger(__name__)


@hookimpl
def payamak_operator_connectors() -> list[type[Connector]]:
    """The SMPP connector with defaults pointing at the local simulator."""
    from payamak_operators.connectors import SimulatorConnector

    return [SimulatorConnector]


@hookimpl
def payamak_cli_commands(cli: click.Group) -> None:
    """``payamak simulator run`` and ``payamak simulator inject``."""
    from payamak_operators.cli import simulator

    cli.add_command(simulator)


@hookimpl
def payamak_settings() -> list[Any]:
    from payamak.registry import SettingSpec

    return [SettingSpec("SIMULATOR_PORT", "port of the simulator SMSC the embedded mode starts", default="2775")]


@hookimpl
def payamak_embedded_services(settings: Any) -> list[Any]:
    """The embedded mode (``payamak serve`` without Redis) runs the simulator SMSC in-process."""
    return [embedded_simulator(int(settings.extra.get("SIMULATOR_PORT", "2775")))]


@asynccontextmanager
async def embedded_simulator(port: int) -> AsyncIterator[Any]:
    """A simulator SMSC on 127.0.0.1:``port`` with a realistic receipt mix, for the demo."""
    from payamak_operators.simulator import SmscSimulator

    simulator = SmscSimulator(
        "127.0.0.1", port, receipt_delay=2.0, outcomes={"delivered": 0.9, "undelivered": 0.07, "expired": 0.03}, control_port=port + 1
    )
    try:
        await simulator.start()
    except OSError as exc:
        log.warning("simulator SMSC not started on port %s: %s (another one is running?)", port, exc)
        yield None
        return
    try:
        yield simulator
    finally:
        await simulator.stop()


@hookimpl
async def payamak_demo_data(tenant_slug: str) -> None:
    """The demo's operator connection: the embedded simulator (created once)."""
    from payamak.messaging.lines import create_connection
    from payamak.messaging.tables import OperatorConnection
    from payamak.settings import get_settings

    if not await OperatorConnection.exists().where(OperatorConnection.name == "simulator"):
        port = int(get_settings().extra.get("SIMULATOR_PORT", "2775"))
        await create_connection("simulator", "simulator", {"host": "127.0.0.1", "port": port, "system_id": "payamak"})


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak_operators.pages import phone_page, phone_send

    return [phone_page, phone_send]


@hookimpl
def payamak_template_dirs() -> list[str]:
    return [str(Path(__file__).parent / "templates")]


@hookimpl
def payamak_locale_dirs() -> list[str]:
    return [str(Path(__file__).parent / "locale")]


@hookimpl
def payamak_menu_entries() -> list[Any]:
    from payamak.i18n import lazy_gettext as _
    from payamak.registry import MenuEntry

    return [MenuEntry(_("Send as a phone"), "/admin/simulator", "phone", 30, ("platform_admin",))]
