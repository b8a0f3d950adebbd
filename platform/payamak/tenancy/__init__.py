"""Tenancy: the current tenant of a request or job, and the one scoping helper."""

from payamak.tenancy.scope import (
    NoTenantError,
    Scope,
    current_tenant,
    current_tenant_id,
    scoped,
    tenant_context,
)

__all__ = [
    "NoTenantError",
    "Scope",
    "current_tenant",
    "current_tenant_id",
    "scoped",
    "tenant_context",
]
