"""The plugin contract end to end, through the test plugin (tests/testplugin): table and
migration, route, template, menu entry, actor, CLI command, event reaction, per-tenant
enablement, and ``payamak plugins``."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from conftest import ROOT
from payamak.registry import get_registry
from payamak.tenancy import scoped
from payamak_testplugin.tables import Note
from tests.helpers import text_of


async def _wait_for(predicate, timeout: float = 10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        result = await predicate()
        if result:
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def payamak(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "payamak.cli", *args], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=60
    )


async def test_the_plugin_is_discovered_through_its_entry_point():
    info = get_registry().plugins["testplugin"]
    assert info.distribution == "payamak-testplugin" and not info.builtin
    assert "testplugin" in get_registry().optional_plugins


async def test_plugin_table_exists_after_migrate_and_is_tenant_scoped(factory):
    a, b = await factory.tenant(), await factory.tenant()
    await scoped(Note, a.id).create(text="only a", source="test")
    assert await scoped(Note, b.id).count() == 0
    assert await scoped(Note, a.id).count() == 1


async def test_route_template_and_menu_appear_only_for_tenants_that_enable_the_plugin(factory, client_for):
    on = await factory.tenant(plugins=["testplugin"])
    off = await factory.tenant(plugins=[])
    for tenant, enabled in ((on, True), (off, False)):
        client = client_for(tenant)
        await client.login(await factory.user(tenant))
        page = await client.get("/testplugin/notes")
        dashboard = await client.get("/")
        if enabled:
            assert page.status_code == 200 and 'id="testplugin-title"' in page.text
            assert 'href="/testplugin/notes"' in dashboard.text
        else:
            assert page.status_code == 404
            assert 'href="/testplugin/notes"' not in dashboard.text


async def test_plugin_actor_runs_in_the_worker(factory, client_for):
    tenant = await factory.tenant(plugins=["testplugin"])
    client = client_for(tenant)
    await client.login(await factory.user(tenant))
    response = await client.post_form("/testplugin/notes", {"text": "from the actor"})
    assert response.status_code == 303
    note = await _wait_for(lambda: scoped(Note, tenant.id).objects().where(Note.source == "actor").first())
    assert note.text == "from the actor"
    assert "from the actor" in text_of((await client.get("/testplugin/notes")).text)


async def test_event_reaches_only_plugins_the_tenant_enables(factory, client_for):
    for plugins, expected in ((["testplugin"], 1), ([], 0)):
        tenant = await factory.tenant(plugins=plugins)
        client = client_for(tenant)
        await client.login(await factory.user(tenant, "tenant_admin"))
        response = await client.post_form("/manage/announcements/new", {"title": "خبر", "body": "متن"})
        assert response.status_code == 303
        assert await scoped(Note, tenant.id).count().where(Note.source == "event") == expected


async def test_plugin_cli_command_and_plugins_listing(factory):
    tenant = await factory.tenant(plugins=["testplugin"])
    await factory.tenant(plugins=[])
    result = await asyncio.to_thread(payamak, "testplugin-note", tenant.slug, "from the cli")
    assert result.returncode == 0, result.stderr
    assert await scoped(Note, tenant.id).count().where(Note.source == "cli") == 1
    listing = await asyncio.to_thread(payamak, "plugins")
    assert listing.returncode == 0, listing.stderr
    line = next(line for line in listing.stdout.splitlines() if line.startswith("testplugin"))
    assert "payamak-testplugin 0.0.1" in line and tenant.slug in line
