"""The ZarinPal v4 client against httpx.MockTransport: every documented response code,
typed results and errors, retries on network errors only, sandbox and production URLs."""

from __future__ import annotations

import json

import httpx
import pytest

from payamak_billing_zarinpal import zarinpal as zp

MERCHANT = "1344b5d4-0048-11e8-94db-005056a205be"

ERROR_CODES = {
    -9: zp.ValidationFailed,
    -10: zp.MerchantRejected,
    -11: zp.MerchantRejected,
    -12: zp.TooManyAttempts,
    -15: zp.MerchantRejected,
    -16: zp.MerchantRejected,
    -30: zp.WagesRejected,
    -31: zp.WagesRejected,
    -32: zp.WagesRejected,
    -33: zp.WagesRejected,
    -34: zp.WagesRejected,
    -35: zp.WagesRejected,
    -40: zp.InvalidExtraParameters,
    -50: zp.AmountMismatch,
    -51: zp.PaymentNotSuccessful,
    -52: zp.UnexpectedGatewayError,
    -53: zp.ForeignSession,
    -54: zp.InvalidAuthority,
}


def client(handler, base_url: str = zp.SANDBOX, **kwargs) -> zp.ZarinPal:
    return zp.ZarinPal(MERCHANT, base_url, transport=httpx.MockTransport(handler), retry_delay=0, **kwargs)


def error_body(code: int) -> httpx.Response:
    return httpx.Response(
        400 if code != -52 else 500, json={"data": [], "errors": {"code": code, "message": f"message {code}", "validations": []}}
    )


async def test_request_payment_sends_rials_and_returns_authority_and_start_pay_url():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["body"] = json.loads(request.content)
        return httpx.Response(
            200,
            json={
                "data": {
                    "code": 100,
                    "message": "Success",
                    "authority": "A0000000000000000000000000000abcde",
                    "fee_type": "Merchant",
                    "fee": 1000,
                },
                "errors": [],
            },
        )

    result = await client(handler).request_payment(150_000, "http://x.localhost/cb", "credit", mobile="09120000000")
    assert seen["url"] == "https://sandbox.zarinpal.com/pg/v4/payment/request.json"
    assert seen["body"]["amount"] == 150_000 and seen["body"]["currency"] == "IRR" and seen["body"]["merchant_id"] == MERCHANT
    assert seen["body"]["metadata"] == {"mobile": "09120000000"}
    assert result == zp.PaymentRequest(
        "A0000000000000000000000000000abcde",
        "https://sandbox.zarinpal.com/pg/StartPay/A0000000000000000000000000000abcde",
        1000,
        "Merchant",
    )


def test_production_and_sandbox_start_pay_urls():
    assert zp.ZarinPal(MERCHANT).start_pay_url("A1") == "https://payment.zarinpal.com/pg/StartPay/A1"
    assert zp.ZarinPal(MERCHANT, zp.SANDBOX).start_pay_url("A1") == "https://sandbox.zarinpal.com/pg/StartPay/A1"


async def test_verify_100_returns_ref_id_and_card():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/pg/v4/payment/verify.json"
        assert json.loads(request.content) == {"merchant_id": MERCHANT, "amount": 5000, "authority": "A1"}
        return httpx.Response(
            200,
            json={
                "data": {
                    "code": 100,
                    "message": "Verified",
                    "ref_id": 201,
                    "card_pan": "502229******5995",
                    "card_hash": "h",
                    "fee_type": "Merchant",
                    "fee": 0,
                },
                "errors": [],
            },
        )

    result = await client(handler).verify("A1", 5000)
    assert result.code == 100 and result.ref_id == 201 and result.card_pan == "502229******5995" and not result.already_verified


async def test_verify_101_is_a_success_marked_already_verified():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": {"code": 101, "message": "Verified", "ref_id": 201}, "errors": []})

    result = await client(handler).verify("A1", 5000)
    assert result.already_verified and result.ref_id == 201


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
async def test_every_documented_error_code_raises_its_typed_error_with_code_and_message(code):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return error_body(code)

    for call in (lambda c: c.request_payment(1000, "http://cb", "d"), lambda c: c.verify("A1", 1000), lambda c: c.unverified()):
        with pytest.raises(ERROR_CODES[code]) as info:
            await call(client(handler))
        assert info.value.code == code and info.value.message == f"message {code}"
        assert isinstance(info.value, zp.ZarinPalError)
    assert len(calls) == 3  # an answered error is never retried


async def test_an_undocumented_code_is_a_plain_zarinpal_error():
    with pytest.raises(zp.ZarinPalError) as info:
        await client(lambda r: error_body(-99)).verify("A1", 1)
    assert type(info.value) is zp.ZarinPalError and info.value.code == -99


async def test_unverified_lists_authorities_with_amounts():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/pg/v4/payment/unVerified.json"
        body = {
            "code": 100,
            "message": "Success",
            "authorities": [{"authority": "A1", "amount": 5000, "callback_url": "http://cb", "referer": "", "date": "2026-11-27 10:00:00"}],
        }
        return httpx.Response(200, json={"data": body, "errors": []})

    assert await client(handler).unverified() == [zp.UnverifiedPayment("A1", 5000, "http://cb", "", "2026-11-27 10:00:00")]


async def test_network_errors_are_retried_then_succeed():
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json={"data": {"code": 100, "message": "Verified", "ref_id": 7}, "errors": []})

    assert (await client(handler, retries=2).verify("A1", 1)).ref_id == 7
    assert len(attempts) == 3


async def test_network_errors_after_the_retries_raise_gateway_unreachable():
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ReadTimeout("slow")

    with pytest.raises(zp.GatewayUnreachable):
        await client(handler, retries=1).verify("A1", 1)
    assert len(attempts) == 2


async def test_a_non_json_answer_is_a_protocol_error_and_not_retried():
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        return httpx.Response(502, text="<html>bad gateway</html>")

    with pytest.raises(zp.ProtocolError):
        await client(handler).verify("A1", 1)
    assert len(attempts) == 1


async def test_a_non_positive_amount_is_refused_before_any_call():
    with pytest.raises(ValueError):
        await client(lambda r: httpx.Response(500)).request_payment(0, "http://cb", "d")


def test_clients_share_no_state():
    a, b = zp.ZarinPal("m1", zp.SANDBOX), zp.ZarinPal("m2")
    assert a.merchant_id != b.merchant_id and a.base_url != b.base_url
