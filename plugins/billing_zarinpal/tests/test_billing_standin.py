"""The local ZarinPal stand-in speaks ZarinPal's v4 API over real HTTP with its real answer codes,
and the embedded mode starts it (on a free port when the configured one is taken)."""

from __future__ import annotations

import socket
import uuid

import httpx
import pytest

from payamak.settings import get_settings
from payamak_billing_zarinpal import gateway, plugin
from payamak_billing_zarinpal import zarinpal as zp
from payamak_billing_zarinpal.testing import at_gateway


def client(standin, merchant: str | None = None) -> zp.ZarinPal:
    return zp.ZarinPal(merchant or str(uuid.uuid4()), standin.url, retries=0)


async def test_verify_answers_100_then_101_and_lists_paid_unverified_payments(standin):
    c = client(standin)
    opened = await c.request_payment(50_000, "http://shop.localhost/cb", "test")
    assert opened.start_pay_url == f"{standin.url}/pg/StartPay/{opened.authority}" and len(opened.authority) == 36
    with pytest.raises(zp.PaymentNotSuccessful):
        await c.verify(opened.authority, 50_000)
    assert "Status=OK" in await at_gateway(opened.start_pay_url, "pay")
    assert [p.authority for p in await c.unverified()] == [opened.authority]
    first, second = await c.verify(opened.authority, 50_000), await c.verify(opened.authority, 50_000)
    assert (first.code, second.code, second.ref_id) == (100, 101, first.ref_id)
    assert await c.unverified() == []


async def test_verify_refuses_another_amount_merchant_or_authority(standin):
    c = client(standin)
    opened = await c.request_payment(50_000, "http://shop.localhost/cb", "test")
    await at_gateway(opened.start_pay_url, "pay")
    with pytest.raises(zp.AmountMismatch):
        await c.verify(opened.authority, 40_000)
    with pytest.raises(zp.ForeignSession):
        await client(standin).verify(opened.authority, 50_000)
    with pytest.raises(zp.InvalidAuthority):
        await c.verify("A" + "f" * 35, 50_000)
    assert (await c.verify(opened.authority, 50_000)).code == 100


async def test_a_cancelled_payment_answers_minus_51_and_its_page_is_gone(standin):
    c = client(standin)
    opened = await c.request_payment(50_000, "http://shop.localhost/cb?x=1", "test")
    callback = await at_gateway(opened.start_pay_url, "cancel")
    assert callback.startswith("/cb?x=1&Authority=") and callback.endswith("Status=NOK")
    with pytest.raises(zp.PaymentNotSuccessful) as info:
        await c.verify(opened.authority, 50_000)
    assert info.value.code == -51
    async with httpx.AsyncClient() as http:
        assert (await http.get(opened.start_pay_url)).status_code == 404


async def test_a_timed_out_payment_cannot_be_paid(standin):
    c = client(standin)
    opened = await c.request_payment(50_000, "http://shop.localhost/cb", "test")
    standin.ledger.payments[opened.authority].created -= standin.ledger.expire_seconds + 1
    async with httpx.AsyncClient() as http:
        assert (await http.get(opened.start_pay_url)).status_code == 404
        assert (await http.post(opened.start_pay_url, data={"action": "pay"})).status_code == 404
    with pytest.raises(zp.PaymentNotSuccessful):
        await c.verify(opened.authority, 50_000)


async def test_request_refuses_a_bad_merchant_and_bad_fields(standin):
    with pytest.raises(zp.MerchantRejected) as info:
        await client(standin, "short").request_payment(50_000, "http://cb", "d")
    assert info.value.code == -10
    with pytest.raises(zp.ValidationFailed) as info:
        await client(standin).request_payment(500, "http://cb", "d")
    assert info.value.code == -9


async def test_embedded_mode_starts_the_stand_in_on_a_free_port_when_the_configured_one_is_taken():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        services = plugin.payamak_embedded_services(get_settings())
        assert len(services) == 1
        async with plugin.embedded_standin(taken) as running:
            assert running.port != taken and gateway.standin_url() == running.url
            opened = await client(running).request_payment(10_000, "http://cb", "d")
            assert opened.authority
        await services[0].__aenter__()  # the configured port (8600 by default), or a free one
        await services[0].__aexit__(None, None, None)
