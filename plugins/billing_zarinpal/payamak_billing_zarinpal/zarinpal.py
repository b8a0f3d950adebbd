"""A typed client for ZarinPal's REST API v4: payment request, StartPay URL, verify, unverified list.

One :class:`ZarinPal` object per merchant; no global state. Amounts are integer Rials. Errors
ZarinPal reports become :class:`ZarinPalError` subclasses carrying its ``code`` and ``message``;
network failures are retried (and only they: a request ZarinPal answered is never re-sent) and
then raised as :class:`GatewayUnreachable`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

PRODUCTION = "https://payment.zarinpal.com"
SANDBOX = "https://sandbox.zarinpal.com"

SUCCESS = 100
ALREADY_VERIFIED = 101


class ZarinPalError(Exception):
    """ZarinPal refused a call: ``code`` and ``message`` are ZarinPal's own."""

    def __init__(self, code: int, message: str, validations: Any = None) -> None:
        super().__init__(f"ZarinPal {code}: {message}")
        self.code = code
        self.message = message
        self.validations = validations


class ValidationFailed(ZarinPalError):
    """-9: the request's fields did not validate."""


class MerchantRejected(ZarinPalError):
    """-10, -11, -15, -16: the terminal (merchant id, IP) is unknown, inactive, suspended or not allowed."""


class TooManyAttempts(ZarinPalError):
    """-12: too many attempts in a short time; try again later."""


class WagesRejected(ZarinPalError):
    """-30 … -35: the terminal does not accept these wages (fee sharing) settings."""


class InvalidExtraParameters(ZarinPalError):
    """-40: invalid extra parameters (e.g. ``expire_in``)."""


class AmountMismatch(ZarinPalError):
    """-50: the amount sent to verify is not the payment's amount."""


class PaymentNotSuccessful(ZarinPalError):
    """-51: the payer did not pay (cancelled, failed or timed out)."""


class UnexpectedGatewayError(ZarinPalError):
    """-52: an unexpected error at ZarinPal."""


class ForeignSession(ZarinPalError):
    """-53: the payment belongs to another merchant."""


class InvalidAuthority(ZarinPalError):
    """-54: the authority is invalid."""


class GatewayUnreachable(Exception):
    """ZarinPal could not be reached (after the retries); the outcome of the call is unknown."""


class ProtocolError(Exception):
    """ZarinPal answered with something that is not its documented JSON."""


ERRORS: dict[int, type[ZarinPalError]] = {
    -9: ValidationFailed,
    -10: MerchantRejected,
    -11: MerchantRejected,
    -12: TooManyAttempts,
    -15: MerchantRejected,
    -16: MerchantRejected,
    -30: WagesRejected,
    -31: WagesRejected,
    -32: WagesRejected,
    -33: WagesRejected,
    -34: WagesRejected,
    -35: WagesRejected,
    -40: InvalidExtraParameters,
    -50: AmountMismatch,
    -51: PaymentNotSuccessful,
    -52: UnexpectedGatewayError,
    -53: ForeignSession,
    -54: InvalidAuthority,
}


@dataclass(frozen=True)
class PaymentRequest:
    """A payment ZarinPal opened: send the payer to ``start_pay_url``."""

    authority: str
    start_pay_url: str
    fee: int = 0
    fee_type: str = ""


@dataclass(frozen=True)
class Verification:
    """A verified payment; ``already_verified`` when ZarinPal answered 101."""

    code: int
    ref_id: int
    card_pan: str = ""
    card_hash: str = ""
    fee: int = 0
    fee_type: str = ""

    @property
    def already_verified(self) -> bool:
        return self.code == ALREADY_VERIFIED


@dataclass(frozen=True)
class UnverifiedPayment:
    """A paid payment the merchant has not verified yet."""

    authority: str
    amount: int
    callback_url: str = ""
    referer: str = ""
    date: str = ""


@dataclass
class ZarinPal:
    """A ZarinPal v4 client for one merchant.

    ``base_url`` is :data:`PRODUCTION`, :data:`SANDBOX` or a stand-in's URL; ``transport``
    lets tests plug in :class:`httpx.MockTransport`.
    """

    merchant_id: str
    base_url: str = PRODUCTION
    timeout: float = 10.0
    retries: int = 2
    retry_delay: float = 0.3
    transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False)

    def start_pay_url(self, authority: str) -> str:
        """Where the payer pays a payment."""
        return f"{self.base_url.rstrip('/')}/pg/StartPay/{authority}"

    async def request_payment(
        self, amount: int, callback_url: str, description: str, *, mobile: str = "", email: str = "", order_id: str = ""
    ) -> PaymentRequest:
        """Open a payment of ``amount`` Rials; the payer comes back to ``callback_url``."""
        if amount <= 0:
            raise ValueError("amount must be positive")
        body: dict[str, Any] = {
            "merchant_id": self.merchant_id,
            "amount": amount,
            "currency": "IRR",
            "callback_url": callback_url,
            "description": description,
        }
        metadata = {k: v for k, v in {"mobile": mobile, "email": email, "order_id": order_id}.items() if v}
        if metadata:
            body["metadata"] = metadata
        data = await self._call("/pg/v4/payment/request.json", body)
        if data.get("code") != SUCCESS or not data.get("authority"):
            raise _error(data)
        authority = str(data["authority"])
        return PaymentRequest(authority, self.start_pay_url(authority), int(data.get("fee") or 0), str(data.get("fee_type") or ""))

    async def verify(self, authority: str, amount: int) -> Verification:
        """Verify a payment with the amount from our own records (100 verified, 101 already verified)."""
        data = await self._call("/pg/v4/payment/verify.json", {"merchant_id": self.merchant_id, "amount": amount, "authority": authority})
        code = data.get("code")
        if code not in (SUCCESS, ALREADY_VERIFIED):
            raise _error(data)
        return Verification(
            int(code),
            int(data.get("ref_id") or 0),
            str(data.get("card_pan") or ""),
            str(data.get("card_hash") or ""),
            int(data.get("fee") or 0),
            str(data.get("fee_type") or ""),
        )

    async def unverified(self) -> list[UnverifiedPayment]:
        """Paid payments of this merchant that were never verified."""
        data = await self._call("/pg/v4/payment/unVerified.json", {"merchant_id": self.merchant_id})
        if data.get("code") != SUCCESS:
            raise _error(data)
        return [
            UnverifiedPayment(
                str(a["authority"]), int(a["amount"]), str(a.get("callback_url", "")), str(a.get("referer", "")), str(a.get("date", ""))
            )
            for a in data.get("authorities") or []
        ]

    async def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.base_url.rstrip("/") + path
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        last: Exception | None = None
        async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as http:
            for attempt in range(self.retries + 1):
                try:
                    response = await http.post(url, json=body, headers=headers)
                    break
                except httpx.TransportError as exc:
                    last = exc
                    if attempt < self.retries:
                        await asyncio.sleep(self.retry_delay * (attempt + 1))
            else:
                raise GatewayUnreachable(str(last)) from last
        try:
            payload = response.json()
        except ValueError as exc:
            raise ProtocolError(f"HTTP {response.status_code}: not JSON") from exc
        if not isinstance(payload, dict):
            raise ProtocolError(f"HTTP {response.status_code}: unexpected JSON")
        errors = payload.get("errors")
        if isinstance(errors, dict) and errors.get("code") is not None:
            raise _error(errors)
        data = payload.get("data")
        if not isinstance(data, dict) or "code" not in data:
            raise ProtocolError(f"HTTP {response.status_code}: no data.code")
        return data


def _error(data: dict[str, Any]) -> ZarinPalError:
    try:
        code = int(data.get("code"))
    except (TypeError, ValueError) as exc:
        raise ProtocolError("error without a code") from exc
    return ERRORS.get(code, ZarinPalError)(code, str(data.get("message") or ""), data.get("validations"))
