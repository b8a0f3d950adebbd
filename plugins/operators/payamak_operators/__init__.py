"""Payamak's operator connectors: generic SMPP, Irancell, MCI, and a simulator SMSC.

One distribution, one entry point per connector (``smpp``, ``irancell``, ``mci``,
``simulator``), so each can be enabled on its own. Copy this folder to write a connector for
another operator: subclass :class:`payamak_operators.connectors.SmppConnector`, or implement
:class:`payamak.messaging.connectors.Connector` from scratch for a non-SMPP API.
"""

__version__ = "0.1.0"
