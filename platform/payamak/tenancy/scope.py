"""The only way handlers read tenant data: ``scoped(Table)`` adds the current tenant.

The current tenant is set per request by the tenancy middleware and per job by
:func:`tenant_context`. With no tenant set, every scoped query fails closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from piccolo.table import Table

from payamak.tables import Tenant

T = TypeVar("T", bound=Table)

_current: ContextVar[Tenant | None] = ContextVar("payamak_tenant", default=None)


class NoTenantError(RuntimeError):
    """A tenant-owned table was queried with no current tenant (a bug, never user input)."""


def current_tenant() -> Tenant | None:
    """The tenant of the running request or job, if any."""
    return _current.get()


def current_tenant_id() -> int:
    """The current tenant's id; raises :class:`NoTenantError` when none is set."""
    tenant = _current.get()
    if tenant is None:
        raise NoTenantError("no current tenant: tenant data cannot be read here")
    return tenant.id


def set_current_tenant(tenant: Tenant | None) -> Any:
    """Set the current tenant; returns the token to reset it with."""
    return _current.set(tenant)


def reset_current_tenant(token: Any) -> None:
    _current.reset(token)


@contextmanager
def tenant_context(tenant: Tenant) -> Iterator[Tenant]:
    """Run a block (a job, a CLI command) as ``tenant``."""
    token = _current.set(tenant)
    try:
        yield tenant
    finally:
        _current.reset(token)


class Scope(Generic[T]):
    """Queries of one tenant-owned table, limited to one tenant."""

    def __init__(self, table: type[T], tenant_id: int) -> None:
        if not any(c._meta.name == "tenant" for c in table._meta.columns):
            raise TypeError(f"{table.__name__} has no tenant column")
        self.table = table
        self.tenant_id = tenant_id
        self._column = table.tenant

    def select(self, *columns: Any, **kwargs: Any) -> Any:
        return self.table.select(*columns, **kwargs).where(self._column == self.tenant_id)

    def objects(self, *prefetch: Any) -> Any:
        return self.table.objects(*prefetch).where(self._column == self.tenant_id)

    def count(self) -> Any:
        return self.table.count().where(self._column == self.tenant_id)

    def exists(self) -> Any:
        return self.table.exists().where(self._column == self.tenant_id)

    def update(self, values: dict[Any, Any] | None = None, **kwargs: Any) -> Any:
        return self.table.update(values or {}, **kwargs).where(self._column == self.tenant_id)

    def delete(self) -> Any:
        return self.table.delete().where(self._column == self.tenant_id)

    async def get(self, row_id: Any) -> T | None:
        """The row with this id if it belongs to the tenant, else ``None`` (callers 404)."""
        try:
            row_id = int(row_id)
        except (TypeError, ValueError):
            return None
        return await self.objects().where(self.table._meta.primary_key == row_id).first()

    def new(self, **values: Any) -> T:
        """An unsaved row owned by the tenant."""
        return self.table(tenant=self.tenant_id, **values)

    async def create(self, **values: Any) -> T:
        """Insert a row owned by the tenant and return it."""
        row = self.new(**values)
        await row.save()
        return row


def scoped(table: type[T], tenant_id: int | None = None) -> Scope[T]:
    """Queries of ``table`` limited to ``tenant_id`` (default: the current tenant)."""
    return Scope(table, current_tenant_id() if tenant_id is None else tenant_id)
