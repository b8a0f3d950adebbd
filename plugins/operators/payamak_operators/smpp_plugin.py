"""Entry point ``smpp``: the generic SMPP 3.4 connector."""

from __future__ import annotations

from payamak import hookimpl
from payamak.messaging.connectors import Connector


@hookimpl
def payamak_operator_connectors() -> list[type[Connector]]:
    """The generic SMPP 3.4 connector."""
    from payamak_operators.connectors import SmppConnector

    return [SmppConnector]
