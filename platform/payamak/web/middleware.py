"""Per-request context: the tenant from the Host header, the locale, the signed-in user."""

from __future__ import annotations

from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

from payamak.accounts.services import user_for_api_key
from payamak.i18n import LOCALES, _locale
from payamak.settings import Settings
from payamak.tables import User
from payamak.tenancy.scope import reset_current_tenant, set_current_tenant
from payamak.tenancy.services import resolve_host

PASS_THROUGH = ("/static/", "/healthz")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


def _cookie(scope: Scope, name: str) -> str | None:
    for part in _header(scope, b"cookie").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class RequestContextMiddleware:
    """Sets ``state.tenant`` / ``state.platform`` / ``state.user`` and the locale.

    An unknown host or a suspended tenant is refused by the ``host_guard`` hook (a page
    rendered by the error handlers); here we only resolve.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith(PASS_THROUGH):
            await self.app(scope, receive, send)
            return
        match = await resolve_host(_header(scope, b"host"), self.settings)
        state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[assignment]
        state["tenant"] = match.tenant
        state["platform"] = match.platform
        state["host_known"] = match.platform or match.tenant is not None
        state["user"] = None
        tenant_token = set_current_tenant(match.tenant)
        user = None
        if scope["path"].startswith("/api/"):
            if match.tenant is not None and match.tenant.status == "active":
                user = await self._api_user(scope, match.tenant.id)
        elif match.tenant is None or match.tenant.status == "active":
            user = await self._session_user(scope, match.tenant.id if match.tenant else None, match.platform)
        state["user"] = user
        locale = _cookie(scope, "lang") or (user.locale if user is not None and user.locale else None) or self.settings.default_locale
        locale_token = _locale.set(locale if locale in LOCALES else self.settings.default_locale)
        try:
            await self.app(scope, receive, send)
        finally:
            _locale.reset(locale_token)
            reset_current_tenant(tenant_token)

    async def _api_user(self, scope: Scope, tenant_id: int) -> User | None:
        auth = _header(scope, b"authorization")
        key = auth[7:] if auth.lower().startswith("bearer ") else _header(scope, b"x-api-key")
        if not key:
            return None
        client = scope.get("client")
        return await user_for_api_key(tenant_id, key, client[0] if client else "")

    async def _session_user(self, scope: Scope, tenant_id: int | None, platform: bool) -> User | None:
        session = scope.get("session")
        if not isinstance(session, dict) or not session.get("uid"):
            return None
        # The session is per host, but check the tenant too: a user is only ever
        # signed in on the tenant (or platform host) they belong to.
        if session.get("tid") != tenant_id or (tenant_id is None and not platform):
            return None
        query = User.objects().where(User.id == session["uid"])
        query = query.where(User.tenant.is_null()) if tenant_id is None else query.where(User.tenant == tenant_id)
        user = await query.first()
        if user is None or user.status != "active":
            return None
        return user
