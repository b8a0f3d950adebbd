"""A connector for tests that need no SMPP: accepts every message at once, records it, and
sends a delivery receipt when asked."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any, ClassVar

from payamak.messaging.connectors import Capabilities, Connector, DeliveryReport, OutboundMessage, SettingField, SubmitResult, WriteHook

SENT: list[OutboundMessage] = []
_ids = itertools.count(1)


class LoopbackConnector(Connector):
    """Accepts everything; ``fail_prefix`` numbers are refused (to test refunds)."""

    name: ClassVar[str] = "loopback"
    label: ClassVar[str] = "Loopback (tests)"
    capabilities: ClassVar[Capabilities] = Capabilities(max_per_second=100_000)
    prefixes: ClassVar[tuple[str, ...]] = ("98935",)
    settings_fields: ClassVar[tuple[SettingField, ...]] = (
        SettingField("fail_prefix", "Refuse numbers starting with", default=""),
        SettingField("password", "Password", default="", secret=True),
    )
    instances: ClassVar[dict[int, LoopbackConnector]] = {}

    async def connect(self) -> None:
        LoopbackConnector.instances[self.connection_id] = self

    async def disconnect(self) -> None:
        LoopbackConnector.instances.pop(self.connection_id, None)

    async def submit(self, messages: list[OutboundMessage], on_write: WriteHook | None = None) -> list[SubmitResult]:
        allowed = await on_write([m.ref for m in messages]) if on_write else {m.ref for m in messages}
        results = []
        fail = self.settings.get("fail_prefix") or None
        for message in messages:
            if message.ref not in allowed:
                continue
            if fail and message.destination.startswith(fail):
                results.append(SubmitResult(message.ref, False, error="ESME_RINVDSTADR"))
                continue
            SENT.append(message)
            results.append(SubmitResult(message.ref, True, message_id=f"lb-{next(_ids)}"))
        return results

    async def receipt(self, message_id: str, status: str) -> None:
        """Report a delivery receipt as an operator would."""
        await self.sink.delivery_reports(self.connection_id, [DeliveryReport(message_id, status, datetime.now(UTC))])


def connector_settings(**extra: Any) -> dict[str, Any]:
    return {"fail_prefix": "", **extra}
