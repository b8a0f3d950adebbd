"""Tenants: resolving one from a host name, creating them, syncing them from ``tenants/``."""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.registry import get_registry
from payamak.settings import Settings
from payamak.tables import Tenant

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")
RESERVED_SLUGS = {"www", "admin", "api", "static", "platform"}
MAX_LOGO_BYTES = 256 * 1024


@dataclass(frozen=True)
class HostMatch:
    """What a Host header names: the platform's own host, a tenant, or nothing."""

    platform: bool = False
    tenant: Tenant | None = None


def split_host(host: str) -> str:
    """The host name of a Host header, lower-cased, without port or trailing dot."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


async def resolve_host(host_header: str, settings: Settings) -> HostMatch:
    """Map a Host header to the platform host or a tenant (``<slug>.<base>``, ``<slug>.localhost``, custom domain)."""
    host = split_host(host_header)
    if host in {settings.platform_host, "127.0.0.1", "[::1]"} or host == f"admin.{settings.base_domain}":
        return HostMatch(platform=True)
    slug = None
    for suffix in {settings.base_domain, "localhost"}:
        if host.endswith("." + suffix):
            label = host[: -len(suffix) - 1]
            if "." not in label:
                slug = label
                break
    tenant = None
    if slug is not None:
        tenant = await Tenant.objects().where(Tenant.slug == slug).first()
    if tenant is None:
        tenant = await _tenant_by_domain(host)
    return HostMatch(tenant=tenant)


async def _tenant_by_domain(host: str) -> Tenant | None:
    # Custom domains are few per tenant; tenants are few per platform (hundreds at most),
    # so a scan of the JSON column is cheap and portable across SQLite and PostgreSQL.
    rows = await Tenant.select(Tenant.id, Tenant.domains).run()
    for row in rows:
        if host in {d.lower() for d in json_list(row["domains"])}:
            return await Tenant.objects().where(Tenant.id == row["id"]).first()
    return None


def enabled_plugins(tenant: Tenant) -> list[str]:
    """The optional plugins a tenant enables (its stored list, JSON decoded)."""
    return json_list(tenant.plugins)


def domains_of(tenant: Tenant) -> list[str]:
    """The custom domains a tenant lists."""
    return json_list(tenant.domains)


def json_dict(value: Any) -> dict[str, Any]:
    """A JSON column's object (SQLite hands back text)."""
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return dict(value or {})


def json_list(value: Any) -> list[Any]:
    """A JSON column's list (SQLite hands back text, PostgreSQL may hand back text too)."""
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return list(value or [])


def validate_tenant_fields(slug: str, name: str, colors: list[str], plugins: list[str]) -> None:
    """Raise :class:`DomainError` naming the first bad field."""
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise DomainError(
            "tenant.bad_slug", _("Slug “%(slug)s” must be lower-case letters, digits and dashes (not a reserved name)."), slug=slug
        )
    if not name.strip():
        raise DomainError("tenant.name_required", _("The tenant needs a display name."))
    for color in colors:
        if not COLOR_RE.match(color):
            raise DomainError("tenant.bad_color", _("Colour “%(color)s” is not a #rrggbb value."), color=color)
    installed = set(get_registry().optional_plugins)
    for plugin in plugins:
        if plugin not in installed:
            raise DomainError("tenant.unknown_plugin", _("Plugin “%(plugin)s” is not installed."), plugin=plugin)


async def create_tenant(slug: str, name: str, *, plugins: list[str] | None = None, **fields: Any) -> Tenant:
    """Create a tenant; by default it enables every installed plugin."""
    plugins = get_registry().optional_plugins if plugins is None else plugins
    colors = [fields[k] for k in ("primary_color", "secondary_color") if k in fields]
    validate_tenant_fields(slug, name, colors, plugins)
    if await Tenant.exists().where(Tenant.slug == slug):
        raise DomainError("tenant.slug_taken", _("A tenant with the slug “%(slug)s” already exists."), slug=slug)
    tenant = Tenant(slug=slug, name=name.strip(), plugins=plugins, **fields)
    await tenant.save()
    return tenant


def _stored(tenant: Tenant, field: str) -> Any:
    """A tenant's stored value in the shape ``read_tenant_dir`` produces (for comparing)."""
    value = getattr(tenant, field)
    if field in ("domains", "plugins"):
        return json_list(value)
    if field == "logo" and value is not None:
        return bytes(value)
    return value


class TenantFileError(DomainError):
    """A ``tenant.toml`` is malformed; the message names the file and the field."""


def read_tenant_dir(folder: Path) -> dict[str, Any]:
    """Read ``<folder>/tenant.toml`` and its logo into the fields of a :class:`Tenant`."""
    path = folder / "tenant.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TenantFileError("tenant.bad_toml", f"{path}: {exc}") from None
    slug = data.get("slug", folder.name)
    branding = data.get("branding", {})
    plugins = data.get("plugins", ["*"])
    if plugins == ["*"] or plugins == "*":
        plugins = get_registry().optional_plugins
    fields: dict[str, Any] = {
        "slug": slug,
        "name": data.get("name", ""),
        "domains": [d.lower() for d in data.get("domains", [])],
        "plugins": plugins,
        "status": data.get("status", "active"),
        "support_phone": data.get("support_phone", ""),
        "primary_color": branding.get("primary_color", "#0f766e"),
        "secondary_color": branding.get("secondary_color", "#134e4a"),
    }
    if fields["status"] not in {"active", "suspended"}:
        raise TenantFileError("tenant.bad_status", f"{path}: status must be active or suspended")
    try:
        validate_tenant_fields(slug, fields["name"], [fields["primary_color"], fields["secondary_color"]], plugins)
    except DomainError as exc:
        raise TenantFileError(exc.code, f"{path}: {exc.message}") from None
    logo_name = branding.get("logo")
    if logo_name:
        logo = folder / logo_name
        if not logo.is_file():
            raise TenantFileError("tenant.logo_missing", f"{path}: branding.logo {logo_name!r} not found")
        content = logo.read_bytes()
        if len(content) > MAX_LOGO_BYTES:
            raise TenantFileError("tenant.logo_too_big", f"{path}: branding.logo is over 256 KiB")
        fields["logo"] = content
        fields["logo_type"] = mimetypes.guess_type(logo.name)[0] or "application/octet-stream"
    return fields


def read_tenant_root(root: Path) -> list[dict[str, Any]]:
    """Read and validate every ``<root>/<slug>/tenant.toml``."""
    return [read_tenant_dir(folder) for folder in sorted(root.iterdir()) if (folder / "tenant.toml").is_file()]


async def sync_tenants(root: Path) -> list[tuple[str, str]]:
    """Create or update every tenant under ``root``; returns ``(slug, created|updated|unchanged)``.

    All files are read and validated before anything is written, so a bad file changes nothing.
    """
    definitions = await asyncio.to_thread(read_tenant_root, root)
    report = []
    from payamak.db import writing

    async with writing():
        for fields in definitions:
            existing = await Tenant.objects().where(Tenant.slug == fields["slug"]).first()
            if existing is None:
                await Tenant(**fields).save()
                report.append((fields["slug"], "created"))
                continue
            changed = {k: v for k, v in fields.items() if k != "slug" and _stored(existing, k) != v}
            if changed:
                await Tenant.update(changed).where(Tenant.id == existing.id)
                report.append((fields["slug"], "updated"))
            else:
                report.append((fields["slug"], "unchanged"))
    return report
