"""Hook implementations of the test plugin: one of every kind of contribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from payamak import hookimpl
from payamak.registry import MenuEntry


@hookimpl
def payamak_piccolo_apps() -> list[str]:
    return ["payamak_testplugin.piccolo_app"]


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak_testplugin.routes import notes_add, notes_api, notes_page

    return [notes_page, notes_add, notes_api]


@hookimpl
def payamak_template_dirs() -> list[str]:
    return [str(Path(__file__).parent / "templates")]


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    return [MenuEntry("Test notes", "/testplugin/notes", "note", 800)]


@hookimpl
def payamak_actor_modules() -> list[str]:
    return ["payamak_testplugin.actors"]


@hookimpl
def payamak_cli_commands(cli: click.Group) -> None:
    @cli.command("testplugin-note")
    @click.argument("tenant_slug")
    @click.argument("text")
    def add_note(tenant_slug: str, text: str) -> None:
        """Write a note for a tenant (the test plugin's CLI command)."""
        from payamak.cli import run
        from payamak.tables import Tenant
        from payamak.tenancy import scoped
        from payamak_testplugin.tables import Note

        async def body() -> None:
            tenant = await Tenant.objects().where(Tenant.slug == tenant_slug).first()
            await scoped(Note, tenant.id).create(text=text, source="cli")

        run(body)
        click.echo(f"note added to {tenant_slug}")


@hookimpl
async def payamak_on_announcement_published(tenant_id: int, announcement_id: int) -> None:
    from payamak.tenancy import scoped
    from payamak_testplugin.tables import Note

    await scoped(Note, tenant_id).create(text=f"announcement {announcement_id}", source="event")


@hookimpl
def payamak_operator_connectors() -> list[Any]:
    from payamak_testplugin.loopback import LoopbackConnector

    return [LoopbackConnector]
