"""Form helpers for handlers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from litestar import Request


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
