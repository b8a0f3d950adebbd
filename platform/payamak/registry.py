"""The plugin registry: one pluggy manager holding the core's features and every installed plugin.

Plugins are discovered through the ``payamak.plugins`` entry-point group. All of them are
loaded globally; what a tenant sees is filtered at run time by the tenant's enabled
plugins (routes by a guard, menus by a filter, events through a subset hook caller).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points, version
from typing import Any

import pluggy

from payamak import hookspecs

ENTRY_POINT_GROUP = "payamak.plugins"

# The core's own features, registered like any plugin (the pytest model).
BUILTIN_PLUGINS = (
    "payamak.tenancy.plugin",
    "payamak.accounts.plugin",
    "payamak.dashboard.plugin",
    "payamak.platform_admin.plugin",
    "payamak.messaging.plugin",
    "payamak.boxes.plugin",
)

ROLES = ("platform_admin", "tenant_admin", "tenant_staff", "customer")


@dataclass(frozen=True)
class MenuEntry:
    """One navigation entry of the panel."""

    label: str
    url: str
    icon: str = "dot"
    order: int = 100
    roles: tuple[str, ...] = ("customer", "tenant_admin", "tenant_staff")
    plugin: str = ""


@dataclass(frozen=True)
class SettingSpec:
    """A setting a plugin needs: ``PAYAMAK_<name>``, required or with a default."""

    name: str
    description: str
    default: str | None = None
    required: bool = False


@dataclass(frozen=True)
class PluginInfo:
    """What ``payamak plugins`` shows of an installed plugin."""

    name: str
    distribution: str
    version: str
    builtin: bool


@dataclass
class Registry:
    """The loaded plugins and the hook caller, with per-tenant views."""

    pm: pluggy.PluginManager
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    _subset_cache: dict[frozenset[str], Any] = field(default_factory=dict)

    @property
    def hook(self) -> Any:
        return self.pm.hook

    @property
    def optional_plugins(self) -> list[str]:
        """Names of the plugins a tenant can enable or disable (all but the core's own)."""
        return sorted(name for name, info in self.plugins.items() if not info.builtin)

    def is_enabled(self, plugin: str, enabled: Iterable[str] | None) -> bool:
        """Whether ``plugin`` is visible to a tenant whose enabled list is ``enabled``
        (``None``: the platform's own host, where every installed plugin is visible)."""
        info = self.plugins.get(plugin)
        if info is None or info.builtin or enabled is None:
            return True
        return plugin in set(enabled)

    def hook_for(self, enabled: Iterable[str] | None) -> Any:
        """A hook relay that leaves out the plugins a tenant has not enabled."""
        enabled_set = set(enabled or ())
        disabled = frozenset(name for name in self.optional_plugins if name not in enabled_set)
        if not disabled:
            return self.pm.hook
        relay = self._subset_cache.get(disabled)
        if relay is None:
            relay = _SubsetRelay(self.pm, disabled)
            self._subset_cache[disabled] = relay
        return relay

    def results_by_plugin(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a hook one implementation at a time, keeping which plugin answered what."""
        caller = getattr(self.pm.hook, hook_name)
        out: list[tuple[str, Any]] = []
        for impl in reversed(caller.get_hookimpls()):
            args = {name: kwargs[name] for name in impl.argnames}
            result = impl.function(**args)
            if result is not None:
                out.append((impl.plugin_name, result))
        return out

    def collect_dict(self, hook_name: str, **kwargs: Any) -> dict[str, Any]:
        """Merge the dict results of a hook across all plugins."""
        merged: dict[str, Any] = {}
        for _, result in self.results_by_plugin(hook_name, **kwargs):
            merged.update(result)
        return merged

    def collect(self, hook_name: str, **kwargs: Any) -> list[Any]:
        """Flatten the list results of a hook across all plugins."""
        items: list[Any] = []
        for _, result in self.results_by_plugin(hook_name, **kwargs):
            items.extend(result)
        return items


class _SubsetRelay:
    """``pm.hook``-like access to subset hook callers that skip some plugins (cached)."""

    def __init__(self, pm: pluggy.PluginManager, disabled: frozenset[str]) -> None:
        self._pm = pm
        self._disabled = disabled
        self._callers: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        caller = self._callers.get(name)
        if caller is None:
            plugins = [self._pm.get_plugin(p) for p in self._disabled]
            caller = self._pm.subset_hook_caller(name, [p for p in plugins if p is not None])
            self._callers[name] = caller
        return caller


def build_registry(extra_plugins: Iterable[tuple[str, Any]] = ()) -> Registry:
    """Load the core's features and every plugin of the ``payamak.plugins`` entry-point group."""
    pm = pluggy.PluginManager("payamak")
    pm.add_hookspecs(hookspecs)
    registry = Registry(pm=pm)
    core_version = version("payamak")
    for path in BUILTIN_PLUGINS:
        name = "core." + path.split(".")[1]
        pm.register(importlib.import_module(path), name=name)
        registry.plugins[name] = PluginInfo(name, "payamak", core_version, builtin=True)
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        plugin = ep.load()
        pm.register(plugin, name=ep.name)
        dist = ep.dist.name if ep.dist else "?"
        dist_version = ep.dist.version if ep.dist else "?"
        registry.plugins[ep.name] = PluginInfo(ep.name, dist, dist_version, builtin=False)
    for name, plugin in extra_plugins:
        pm.register(plugin, name=name)
        registry.plugins[name] = PluginInfo(name, "(in process)", "0", builtin=False)
    pm.check_pending()
    return registry


_registry: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, built on first use."""
    global _registry
    if _registry is None:
        _registry = build_registry()
    return _registry


def set_registry(registry: Registry | None) -> None:
    """Replace the process-wide registry (tests that register in-process plugins)."""
    global _registry
    _registry = registry
    _menu_cache.cache_clear()


async def await_me_maybe(value: Any) -> Any:
    """Await ``value`` if a hook returned a coroutine (hooks may be sync or async)."""
    if inspect.isawaitable(value):
        return await value
    return value


async def announce(event: str, tenant_id: int | None, enabled: Iterable[str] | None, **kwargs: Any) -> None:
    """Call an event hook (``payamak_on_<event>``) for the plugins a tenant enables."""
    caller = getattr(get_registry().hook_for(enabled), f"payamak_on_{event}")
    for result in caller(tenant_id=tenant_id, **kwargs):
        await await_me_maybe(result)


@lru_cache(maxsize=1)
def _menu_cache() -> tuple[MenuEntry, ...]:
    entries: list[MenuEntry] = []
    for plugin, items in get_registry().results_by_plugin("payamak_menu_entries"):
        for item in items:
            entries.append(MenuEntry(**{**item.__dict__, "plugin": plugin}))
    return tuple(sorted(entries, key=lambda e: e.order))


def menu_for(role: str, enabled: Iterable[str] | None) -> list[MenuEntry]:
    """The navigation a user of ``role`` sees in a tenant that enables ``enabled``."""
    registry = get_registry()
    return [entry for entry in _menu_cache() if role in entry.roles and registry.is_enabled(entry.plugin, enabled)]
