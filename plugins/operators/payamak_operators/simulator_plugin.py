"""Entry point ``simulator``: the connector to the local simulator SMSC, and ``payamak simulator``."""

from __future__ import annotations

import click

from payamak import hookimpl
from payamak.messaging.connectors import Connector


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
