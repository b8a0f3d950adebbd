"""Helpers for tests of the billing plugin and of other plugins that need a paying tenant:
a tenant with its own merchant id, and the payer's walk through the stand-in's StartPay page."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit

import httpx

from payamak_billing_zarinpal.services import settings_for
from payamak_billing_zarinpal.tables import BillingSettings


async def billing_tenant(factory, tax_percent: int = 10):
    """A tenant with its own merchant id and a logged-out customer."""
    tenant = await factory.tenant()
    customer = await factory.user(tenant, first_name="مریم", last_name="احمدی")
    row = await settings_for(tenant.id)
    merchant = str(uuid.uuid4())
    await BillingSettings.update({BillingSettings.merchant_id: merchant, BillingSettings.tax_percent: tax_percent}).where(
        BillingSettings.id == row.id
    )
    return SimpleNamespace(tenant=tenant, customer=customer, merchant=merchant)


async def at_gateway(start_pay_url: str, action: str = "pay") -> str:
    """Open the StartPay page and press "pay" or "cancel"; returns the callback URL's path and query."""
    async with httpx.AsyncClient() as http:
        page = await http.get(start_pay_url)
        assert page.status_code == 200 and 'id="pay"' in page.text and 'id="cancel"' in page.text
        answer = await http.post(start_pay_url, data={"action": action})
    assert answer.status_code == 303
    parts = urlsplit(answer.headers["location"])
    return f"{parts.path}?{parts.query}"


async def buy(client, sms_count: int = 100) -> str:
    """Pro-forma, confirm: returns the gateway's StartPay URL the panel redirected to."""
    proforma = await client.post_form("/credit/proforma", {"sms_count": str(sms_count)})
    assert proforma.status_code == 200, proforma.text[:500]
    confirmed = await client.post_form("/credit/confirm", {"sms_count": str(sms_count), "amount": ""})
    assert confirmed.status_code == 303, confirmed.text[:500]
    return confirmed.headers["location"]


def authority_of(callback_path: str) -> str:
    return callback_path.split("Authority=")[1].split("&")[0]
