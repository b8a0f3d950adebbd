"""Test helpers: factories for tenants and users, and a client that logs in and posts forms."""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx

from payamak.accounts.services import create_user
from payamak.registry import get_registry
from payamak.tables import Tenant, User
from payamak.tenancy.services import create_tenant

PASSWORD = "correct-horse-9"
_counter = itertools.count(1)


class Factory:
    """Creates tenants and users with unique names."""

    async def tenant(self, *, plugins: list[str] | None = None, **fields: Any) -> Tenant:
        n = next(_counter)
        slug = fields.pop("slug", f"t{n}-{id(self) % 10000}")
        return await create_tenant(slug, fields.pop("name", f"Tenant {n}"), plugins=plugins, **fields)

    async def user(self, tenant: Tenant | None, role: str = "customer", **fields: Any) -> User:
        username = fields.pop("username", f"{role.split('_')[-1]}{next(_counter)}")
        return await create_user(tenant.id if tenant else None, username, fields.pop("password", PASSWORD), role, **fields)

    @staticmethod
    def optional_plugins() -> list[str]:
        return get_registry().optional_plugins


class PanelClient(httpx.AsyncClient):
    """A client on one host that keeps cookies, logs in and posts forms with the CSRF token.

    It calls the app on the test's own event loop (the app's Redis and database
    connections belong to that loop), from the address 127.0.0.1.
    """

    def __init__(self, app: Any, host: str) -> None:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        super().__init__(transport=transport, base_url=f"http://{host}", follow_redirects=False)

    def csrf(self) -> str:
        return self.cookies.get("payamak_csrf") or ""

    async def ensure_csrf(self) -> str:
        if not self.csrf():
            await self.get("/login")
        return self.csrf()

    async def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        token = await self.ensure_csrf()
        return await self.post(url, data={**(data or {}), "_csrf_token": token}, **kwargs)

    async def login(self, user: User | str, password: str = PASSWORD) -> Any:
        username = user if isinstance(user, str) else user.username
        response = await self.post_form("/login", {"username": username, "password": password})
        assert response.status_code in (302, 303), f"login failed: {response.status_code} {response.text[:300]}"
        return response


def text_of(html: str) -> str:
    """The visible text of a page, roughly (tags removed, spaces collapsed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
