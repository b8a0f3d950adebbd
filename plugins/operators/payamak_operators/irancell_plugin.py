"""Entry point ``irancell``: the Irancell connector."""

from __future__ import annotations

from payamak import hookimpl
from payamak.messaging.connectors import Connector


@hookimpl
def payamak_operator_connectors() -> list[type[Connector]]:
    """The Irancell connector."""
    from payamak_operators.connectors import IrancellConnector

    return [IrancellConnector]
