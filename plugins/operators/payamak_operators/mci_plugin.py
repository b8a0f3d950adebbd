"""Entry point ``mci``: the MCI (Hamrah-e Aval) connector."""

from __future__ import annotations

from payamak import hookimpl
from payamak.messaging.connectors import Connector


@hookimpl
def payamak_operator_connectors() -> list[type[Connector]]:
    """The MCI (Hamrah-e Aval) connector."""
    from payamak_operators.connectors import MciConnector

    return [MciConnector]
