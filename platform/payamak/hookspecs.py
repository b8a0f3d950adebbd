"""The plugin contract: every hook a Payamak plugin may implement.

Plugins implement these with ``@payamak.hookimpl`` and register themselves in the
``payamak.plugins`` entry-point group. The core's own features are plugins of the same
registry. Hooks that return a value may return ``None`` when the plugin has nothing to add.
Event hooks (``payamak_on_*``) may be sync or async; the core awaits coroutines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from payamak.registry import MenuEntry, SettingSpec

hookspec = pluggy.HookspecMarker("payamak")


# --- start-up contributions -------------------------------------------------------------


@hookspec
def payamak_piccolo_apps() -> list[str] | None:
    """Module paths of the plugin's Piccolo app configs (modules defining ``APP_CONFIG``)."""


@hookspec
def payamak_route_handlers() -> list[Any] | None:
    """Litestar controllers, routers or handlers of the plugin (panel, admin and API)."""


@hookspec
def payamak_template_dirs() -> list[str] | None:
    """Folders of Jinja templates; put them under a folder named after the plugin."""


@hookspec
def payamak_static_dirs() -> dict[str, str] | None:
    """Static folders to serve, as ``{name: folder}``; served under ``/static/<name>/``."""


@hookspec
def payamak_locale_dirs() -> list[str] | None:
    """Folders holding ``<locale>/LC_MESSAGES/messages.po`` catalogues to merge."""


@hookspec
def payamak_menu_entries() -> list[MenuEntry] | None:
    """Panel navigation entries (label, URL, icon, order, roles that see them)."""


@hookspec
def payamak_dashboard_widgets() -> list[str] | None:
    """Template names rendered in the dashboard's widget slot, in order."""


@hookspec
def payamak_dashboard_context(tenant_id: int, user_id: int) -> dict[str, Any] | None:
    """Values the plugin's dashboard widgets need (may be async); merged into the page context."""


@hookspec
def payamak_actor_modules() -> list[str] | None:
    """Module paths declaring Dramatiq actors; imported after the broker is set up."""


@hookspec
def payamak_periodic_tasks() -> list[tuple[str, int]] | None:
    """``(actor_name, every_seconds)`` pairs that the scheduler sends on a period."""


@hookspec
def payamak_cli_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``payamak`` command."""


@hookspec
def payamak_settings() -> list[SettingSpec] | None:
    """Settings the plugin needs; validated at start-up with a one-line error."""


@hookspec
def payamak_embedded_services(settings: Any) -> list[Any] | None:
    """Async context managers ``payamak serve`` runs in the embedded mode (e.g. the simulator SMSC)."""


@hookspec
def payamak_demo_data(tenant_slug: str) -> None:
    """Load the plugin's demo data into a tenant (``payamak demo``); may be async."""


# --- events the core announces (called only for plugins the tenant enables) -------------


@hookspec
def payamak_on_user_created(tenant_id: int | None, user_id: int) -> None:
    """A user account was created."""


@hookspec
def payamak_on_announcement_published(tenant_id: int, announcement_id: int) -> None:
    """A tenant admin published an announcement."""


@hookspec
def payamak_on_send_accepted(tenant_id: int, job_id: int) -> None:
    """A send job was accepted and its credit reserved."""


@hookspec
def payamak_on_messages_submitted(tenant_id: int, job_id: int, recipient_ids: list[int]) -> None:
    """A batch of a job's recipient rows was accepted by the operator."""


@hookspec
def payamak_on_delivery_reports(tenant_id: int, recipient_ids: list[int], status: str) -> None:
    """Delivery reports moved these recipient rows to ``status`` (a batch, one status)."""


@hookspec
def payamak_on_message_received(tenant_id: int, message_id: int) -> None:
    """An incoming message landed in an inbox."""


@hookspec
def payamak_on_payment_verified(tenant_id: int, payment_id: int) -> None:
    """A payment was verified with the gateway."""


@hookspec
def payamak_on_line_activated(tenant_id: int, line_id: int) -> None:
    """A sender line became active."""


@hookspec
def payamak_operator_connectors() -> list[Any] | None:
    """Operator connector classes (name, prefixes, capabilities, connect/submit/disconnect)."""


@hookspec
def payamak_recipient_sources() -> list[Any] | None:
    """Recipient sources for send forms (phonebook groups, bulk segments)."""
