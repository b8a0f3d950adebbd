"""The connectors: generic SMPP, Irancell, MCI (Hamrah-e Aval), and the simulator SMSC.

Each is an :class:`~payamak.messaging.connectors.Connector` over one :class:`EsmeSession`.
The operator subclasses differ only in data: the prefixes they carry, default ports, window
and throughput, how short-code senders are addressed, and extra receipt ``stat:`` words.

The operators' own interface documents are not public. Their defaults here (window,
throughput, short-code TON/NPI, receipt time zone and extra status words) are conservative
starting points of ours, not values from those documents: check each against the contract
with the operator and override it in the connection's settings (``source_ton``/``source_npi``
override the short-code rule for every sender).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, tzinfo
from typing import Any, ClassVar

from payamak.i18n import lazy_gettext as _
from payamak.messaging.connectors import (
    REJECTED,
    Capabilities,
    Connector,
    ConnectorSink,
    DeliveryReport,
    IncomingMessage,
    OutboundMessage,
    SettingField,
    SubmitResult,
    WriteHook,
)

from .addresses import NPI_ISDN, NPI_UNKNOWN, TON_INTERNATIONAL, TON_NATIONAL, TON_NETWORK, TON_UNKNOWN, AddressPlan, international_mobile
from .esme import BIND_MODES, EsmeConfig, EsmeSession
from .inbound import InboundPolicy
from .receipts import STANDARD_STATUSES, TEHRAN

log = logging.getLogger(__name__)

_TONS = ("auto", "0", "1", "2", "3", "4", "5", "6")
_NPIS = ("auto", "0", "1", "3", "4", "6", "8", "9")


# Each EsmeConfig field's type, to read settings stored as text.
_CONFIG_KINDS = {f.name: type(f.default) if f.default is not dataclasses.MISSING else str for f in dataclasses.fields(EsmeConfig)} | {
    "port": int
}


def smpp_settings_fields(
    host: str = "", port: int = 2775, window: int = 50, max_per_second: int = 100, system_id: str = ""
) -> tuple[SettingField, ...]:
    """The settings of an SMPP connection, with one connector's defaults."""
    return (
        SettingField("host", _("SMSC host"), host),
        SettingField("port", _("SMSC port"), port, kind="int"),
        SettingField("system_id", _("System ID"), system_id),
        SettingField("password", _("Password"), "", secret=True),
        SettingField("system_type", _("System type"), ""),
        SettingField("bind_mode", _("Bind mode"), "transceiver", kind="choice", choices=BIND_MODES),
        SettingField("source_ton", _("Source TON"), "auto", kind="choice", choices=_TONS),
        SettingField("source_npi", _("Source NPI"), "auto", kind="choice", choices=_NPIS),
        SettingField("dest_ton", _("Destination TON"), str(TON_INTERNATIONAL), kind="choice", choices=("0", "1", "2")),
        SettingField("dest_npi", _("Destination NPI"), str(NPI_ISDN), kind="choice", choices=("0", "1")),
        SettingField("window", _("Window (submits awaiting a response)"), window, kind="int"),
        SettingField("max_per_second", _("Messages per second (0: no limit)"), max_per_second, kind="int"),
        SettingField("enquire_link_seconds", _("Enquire-link period (seconds)"), 30, kind="int"),
    )


class SmppConnector(Connector):
    """A generic SMPP 3.4 connector: any SMSC, any prefix.

    Besides the admin-edited ``settings_fields``, ``settings`` may carry any other
    :class:`EsmeConfig` field (``response_timeout``, ``reconnect_min``, ``throttle_pause``…).
    """

    name: ClassVar[str] = "smpp"
    label: ClassVar[str] = "SMPP"
    capabilities: ClassVar[Capabilities] = Capabilities(max_per_second=100)
    settings_fields: ClassVar[tuple[SettingField, ...]] = smpp_settings_fields()
    #: TON/NPI of short-code senders (3000…, 2000…) when ``source_ton``/``source_npi`` are "auto".
    short_code_ton: ClassVar[int] = TON_NETWORK
    short_code_npi: ClassVar[int] = NPI_UNKNOWN
    #: ``stat:`` words of receipts mapped onto the core's statuses (``None``: not final, ignored).
    receipt_statuses: ClassVar[dict[str, str | None]] = STANDARD_STATUSES
    #: The time zone of the dates in receipt texts.
    receipt_tz: ClassVar[tzinfo] = UTC

    def __init__(self, connection_id: int, settings: dict[str, Any], sink: ConnectorSink) -> None:
        super().__init__(connection_id, settings, sink)
        self.session: EsmeSession | None = None

    def setting(self, name: str) -> Any:
        """A setting's value, or this connector's default for it."""
        value = self.settings.get(name)
        if value is None or value == "":
            spec = next((f for f in self.settings_fields if f.name == name), None)
            return spec.default if spec else None
        return value

    def esme_config(self) -> EsmeConfig:
        """The session configuration from the settings."""
        values = {name: kind(value) for name, kind in _CONFIG_KINDS.items() if (value := self.setting(name)) is not None}
        return EsmeConfig(**values)

    def address_plan(self) -> AddressPlan:
        """How sender and recipient addresses are written for this connection."""
        source_ton, source_npi = self.setting("source_ton"), self.setting("source_npi")
        return AddressPlan(
            source_ton=None if source_ton in (None, "auto") else int(source_ton),
            source_npi=None if source_npi in (None, "auto") else int(source_npi),
            dest_ton=int(self.setting("dest_ton") or TON_INTERNATIONAL),
            dest_npi=int(self.setting("dest_npi") or NPI_ISDN),
            short_code_ton=self.short_code_ton,
            short_code_npi=self.short_code_npi,
        )

    def receipt_status(self, stat: str, err: str | None) -> str | None:
        """The core's status for a receipt's ``stat:`` (and ``err:``); override for operator codes."""
        key = stat.strip().upper()
        if key not in self.receipt_statuses:
            log.warning("%s: unknown receipt status %r (err %r)", self.name, stat, err)
            return None
        return self.receipt_statuses[key]

    def receipt_message_id(self, raw: str) -> str:
        """A receipt's message id as the core stored it, for ids this process did not submit."""
        return raw.strip()

    def incoming_sender(self, address: str, ton: int | None) -> str:
        """An incoming message's sender as the core stores numbers (``98912…``)."""
        return international_mobile(address, ton)

    def normalise_sender(self, line_number: str) -> str:
        """The sender as it goes out in ``source_addr``."""
        return self.address_plan().source(line_number)[0]

    async def connect(self) -> None:
        """Bind (raises if the first bind fails); later reconnects happen in the session."""
        policy = InboundPolicy(self.receipt_status, self.receipt_message_id, self.incoming_sender, self.receipt_tz)
        self.session = EsmeSession(self.esme_config(), policy, self._reports, self._incoming, self.address_plan())
        await self.session.start()

    async def submit(self, messages: list[OutboundMessage], on_write: WriteHook | None = None) -> list[SubmitResult]:
        """Submit a batch through the session (see :meth:`EsmeSession.submit`)."""
        if self.session is None:
            raise ConnectionError(f"{self.name} connection {self.connection_id} is not connected")
        return await self.session.submit(messages, on_write)

    async def disconnect(self) -> None:
        """Finish running submits, flush deliveries, unbind."""
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def _reports(self, reports: list[DeliveryReport]) -> list[DeliveryReport] | None:
        return await self.sink.delivery_reports(self.connection_id, reports)

    async def _incoming(self, messages: list[IncomingMessage]) -> None:
        await self.sink.incoming(self.connection_id, messages)


def _prefixes(*blocks: tuple[int, int]) -> tuple[str, ...]:
    return tuple(str(n) for low, high in blocks for n in range(low, high + 1))


# Status words Iranian SMSCs add for the regulator's advertising blacklist.
_IRANIAN_STATUSES = {**STANDARD_STATUSES, "BLACKLIST": REJECTED, "BLACKLISTED": REJECTED, "BLOCKED": REJECTED}


class IrancellConnector(SmppConnector):
    """MTN Irancell's SMSC: prefixes 98901–98905, 98930, 98933, 98935–98939, 98941.

    Short-code senders go out as national numbers (TON 2, NPI 1); receipt dates are Tehran time.
    """

    name: ClassVar[str] = "irancell"
    label: ClassVar[str] = "Irancell (SMPP)"
    prefixes: ClassVar[tuple[str, ...]] = _prefixes((98901, 98905), (98930, 98930), (98933, 98933), (98935, 98939), (98941, 98941))
    capabilities: ClassVar[Capabilities] = Capabilities(max_per_second=100)
    settings_fields: ClassVar[tuple[SettingField, ...]] = smpp_settings_fields(port=2775, window=50, max_per_second=100)
    short_code_ton: ClassVar[int] = TON_NATIONAL
    short_code_npi: ClassVar[int] = NPI_ISDN
    receipt_statuses: ClassVar[dict[str, str | None]] = _IRANIAN_STATUSES
    receipt_tz: ClassVar[tzinfo] = TEHRAN


class MciConnector(SmppConnector):
    """MCI (Hamrah-e Aval)'s SMSC: prefixes 98910–98919, 98990–98994.

    Short-code senders go out with TON 0 (unknown), NPI 1; a smaller default window and rate.
    """

    name: ClassVar[str] = "mci"
    label: ClassVar[str] = "MCI / Hamrah-e Aval (SMPP)"
    prefixes: ClassVar[tuple[str, ...]] = _prefixes((98910, 98919), (98990, 98994))
    capabilities: ClassVar[Capabilities] = Capabilities(max_per_second=50)
    settings_fields: ClassVar[tuple[SettingField, ...]] = smpp_settings_fields(port=2775, window=30, max_per_second=50)
    short_code_ton: ClassVar[int] = TON_UNKNOWN
    short_code_npi: ClassVar[int] = NPI_ISDN
    receipt_statuses: ClassVar[dict[str, str | None]] = _IRANIAN_STATUSES
    receipt_tz: ClassVar[tzinfo] = TEHRAN


class SimulatorConnector(SmppConnector):
    """The SMPP connector pointed at the local simulator SMSC (``payamak simulator run``)."""

    name: ClassVar[str] = "simulator"
    label: ClassVar[str] = "Simulator SMSC (development)"
    capabilities: ClassVar[Capabilities] = Capabilities(max_per_second=1000)
    settings_fields: ClassVar[tuple[SettingField, ...]] = smpp_settings_fields("127.0.0.1", 2775, 100, 1000, system_id="payamak")
