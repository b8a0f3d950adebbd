"""Form helpers for handlers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from litestar import Request

from payamak.errors import DomainError
from payamak.i18n import latin_digits
from payamak.i18n import lazy_gettext as _


async def form_data(request: Request) -> dict[str, Any]:
    """The submitted form as a plain dict (last value wins), without the CSRF field."""
    form = await request.form()
    return {k: v for k, v in form.items() if k != "_csrf_token"}


def safe_next(target: str | None, default: str = "/") -> str:
    """A local redirect target only (no open redirects to other hosts)."""
    if not target:
        return default
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def client_ip(request: Request) -> str:
    """The client's address (behind a proxy, uvicorn's --proxy-headers sets it)."""
    return request.client.host if request.client else ""


def whole_number(value: Any, field: Any, *, signed: bool = False) -> int | None:
    """A form's whole number: Persian or Latin digits, thousands separators allowed, a leading
    minus when ``signed``; empty → ``None``; anything else an error naming ``field``."""
    text = latin_digits(str(value or "")).replace(",", "").replace("٬", "").strip()
    if not text:
        return None
    digits = text[1:] if signed and text.startswith("-") else text
    if not digits.isdigit():
        raise DomainError("form.not_a_number", _("%(field)s must be a whole number."), field=str(field))
    return int(text)
