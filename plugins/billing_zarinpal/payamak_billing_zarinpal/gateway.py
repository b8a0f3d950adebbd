"""Which ZarinPal a tenant talks to: production, sandbox or the local stand-in."""

from __future__ import annotations

from payamak.settings import get_settings
from payamak_billing_zarinpal import zarinpal
from payamak_billing_zarinpal.tables import BillingSettings

GATEWAYS = ("standin", "sandbox", "production")

# The URL of the stand-in this process started (the embedded mode, tests); it may have
# moved off the configured port when that one was taken.
_running_standin: list[str] = []


def use_standin(url: str | None) -> None:
    """Record (or, with ``None``, forget) the URL of the stand-in running in this process."""
    _running_standin.clear()
    if url:
        _running_standin.append(url)


def running_standin() -> str | None:
    """The URL recorded by :func:`use_standin`, if any."""
    return _running_standin[0] if _running_standin else None


def standin_url() -> str:
    """The stand-in's URL: the running one, else ``ZARINPAL_STANDIN_URL``, else the configured port."""
    if _running_standin:
        return _running_standin[0]
    extra = get_settings().extra
    return extra.get("ZARINPAL_STANDIN_URL") or f"http://127.0.0.1:{extra.get('ZARINPAL_STANDIN_PORT', '8600')}"


def base_url(gateway: str) -> str:
    """The API base URL of a gateway choice."""
    if gateway == "production":
        return zarinpal.PRODUCTION
    if gateway == "sandbox":
        return zarinpal.SANDBOX
    return standin_url()


def client_for(settings: BillingSettings) -> zarinpal.ZarinPal:
    """A client for the tenant's own merchant id (money goes to the reseller)."""
    return zarinpal.ZarinPal(settings.merchant_id, base_url(settings.gateway), timeout=10.0, retries=2)
