"""The ``payamak`` command: serve, worker, scheduler, migrate, tenants, users, plugins, demo."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import click

from payamak.settings import Settings, SettingsError, get_settings

DEMO_PASSWORD = "payamak-demo"
DEMO_USERS = (
    # (tenant, username, role, first name, last name)
    ("demo", "admin", "tenant_admin", "مدیر", "نمایندگی"),
    ("demo", "staff", "tenant_staff", "پشتیبان", "نمایندگی"),
    ("demo", "customer", "customer", "مشتری", "نمونه"),
    ("nikan", "admin", "tenant_admin", "مدیر", "نیکان"),
    ("nikan", "customer", "customer", "مشتری", "نیکان"),
)


def settings_or_exit() -> Settings:
    """The settings, or one line naming the bad one and exit status 2."""
    try:
        return get_settings()
    except SettingsError as exc:
        click.echo(f"payamak: configuration error: {exc}", err=True)
        sys.exit(2)


def run(coro_fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any, **kwargs: Any) -> Any:
    """Run an async command body with the database configured."""
    from payamak.db import use_piccolo_conf

    settings_or_exit()
    use_piccolo_conf()
    return asyncio.run(coro_fn(*args, **kwargs))


class PayamakGroup(click.Group):
    """The root group; plugins add their commands through ``payamak_cli_commands``."""

    _plugins_loaded = False

    def _load_plugins(self) -> None:
        if not self._plugins_loaded:
            self._plugins_loaded = True
            from payamak.registry import get_registry

            get_registry().hook.payamak_cli_commands(cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugins()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load_plugins()
        return super().get_command(ctx, cmd_name)


@click.group(cls=PayamakGroup)
@click.version_option(package_name="payamak")
def cli() -> None:
    """Payamak: a multi-tenant, white-label SMS panel platform."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--jobs/--no-jobs", default=None, help="Run worker threads and the scheduler in this process (default: when no Redis is set)."
)
@click.option("--proxy-headers", is_flag=True, help="Trust X-Forwarded-* from a reverse proxy.")
def serve(host: str, port: int, jobs: bool | None, proxy_headers: bool) -> None:
    """Serve the panel, the admin consoles and the API."""
    import uvicorn

    from payamak.web.app import create_app

    settings = settings_or_exit()
    try:
        app = create_app(settings, run_jobs=jobs)
    except SettingsError as exc:
        click.echo(f"payamak: configuration error: {exc}", err=True)
        sys.exit(2)
    mode = "embedded (SQLite/in-process jobs)" if settings.embedded else "production (Redis broker)"
    click.echo(f"payamak: serving on http://{host}:{port}/ — {mode}; database {settings.database_url.split('@')[-1]}")
    uvicorn.run(app, host=host, port=port, proxy_headers=proxy_headers, log_level="info")


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set():
        stop.wait(1.0)


@cli.command()
@click.option("--threads", default=None, type=int, help="Worker threads (default PAYAMAK_WORKER_THREADS).")
def worker(threads: int | None) -> None:
    """Run the Dramatiq actors of the core and of every installed plugin."""
    from payamak.db import use_piccolo_conf
    from payamak.jobs import actor_modules, setup_broker, start_worker

    settings = settings_or_exit()
    use_piccolo_conf()
    broker = setup_broker(settings, worker_pool=True)
    running = start_worker(broker, threads or settings.worker_threads)
    click.echo(f"payamak worker: {running.worker_threads} threads over {', '.join(actor_modules())}")
    try:
        _wait_for_signal()
    finally:
        running.stop()


@cli.command()
def scheduler() -> None:
    """Run periodic work (promote due scheduled sends, re-enqueue stuck work)."""
    from payamak.db import use_piccolo_conf
    from payamak.jobs import Scheduler, periodic_tasks, setup_broker

    settings = settings_or_exit()
    use_piccolo_conf()
    broker = setup_broker(settings)
    tasks = periodic_tasks()
    click.echo(f"payamak scheduler: {len(tasks)} periodic task(s)")
    sched = Scheduler(broker, tasks)
    sched.start_thread()
    try:
        _wait_for_signal()
    finally:
        sched.stop()


@cli.command()
def migrate() -> None:
    """Apply the migrations of the core and every plugin (safe to run twice)."""
    from payamak.db import migrate as run_migrations

    run(run_migrations)
    click.echo("payamak: migrations applied")


@cli.group()
def tenants() -> None:
    """Tenants (resellers): list, create, sync from tenants/."""


@tenants.command("sync")
@click.option("--dir", "folder", default="tenants", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def tenants_sync(folder: Path) -> None:
    """Create or update tenants from <dir>/<slug>/tenant.toml (idempotent, all-or-nothing)."""
    from payamak.errors import DomainError
    from payamak.tenancy.services import sync_tenants

    if not folder.is_dir():
        click.echo(f"payamak: no tenants folder at {folder}", err=True)
        sys.exit(2)
    try:
        report = run(sync_tenants, folder)
    except DomainError as exc:
        click.echo(f"payamak: {exc.message}", err=True)
        sys.exit(1)
    for slug, outcome in report:
        click.echo(f"{slug}: {outcome}")


@tenants.command("list")
def tenants_list() -> None:
    """List tenants with their status, domains and enabled plugins."""
    from payamak.tables import Tenant
    from payamak.tenancy.services import domains_of, enabled_plugins

    async def body() -> list[Tenant]:
        return await Tenant.objects().order_by(Tenant.slug)

    for t in run(body):
        click.echo(
            f"{t.slug}\t{t.status}\t{t.name}\tdomains={','.join(domains_of(t)) or '-'}\tplugins={','.join(enabled_plugins(t)) or '-'}"
        )


@tenants.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name.")
@click.option("--domain", "domains", multiple=True, help="A custom domain (repeatable).")
def tenants_create(slug: str, name: str, domains: tuple[str, ...]) -> None:
    """Create a tenant that enables every installed plugin."""
    from payamak.errors import DomainError
    from payamak.tenancy.services import create_tenant

    try:
        tenant = run(create_tenant, slug, name, domains=[d.lower() for d in domains])
    except DomainError as exc:
        click.echo(f"payamak: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"created tenant {tenant.slug} (id {tenant.id})")


@cli.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.argument("username")
@click.option("--tenant", "tenant_slug", default=None, help="Tenant slug (omit for a platform admin).")
@click.option(
    "--role", type=click.Choice(["platform_admin", "tenant_admin", "tenant_staff", "customer"]), default="customer", show_default=True
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_create(username: str, tenant_slug: str | None, role: str, password: str) -> None:
    """Create a user in a tenant, or a platform admin."""
    from payamak.accounts.services import create_user
    from payamak.errors import DomainError
    from payamak.tables import Tenant

    async def body() -> Any:
        tenant_id = None
        if tenant_slug:
            tenant = await Tenant.objects().where(Tenant.slug == tenant_slug).first()
            if tenant is None:
                raise DomainError("tenant.unknown", f"no tenant with slug {tenant_slug!r}")
            tenant_id = tenant.id
        return await create_user(tenant_id, username, password, role)

    try:
        user = run(body)
    except DomainError as exc:
        click.echo(f"payamak: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"created {role} {user.username} (id {user.id})")


@cli.command("plugins")
def plugins_cmd() -> None:
    """List installed plugins with their versions and the tenants that enable them."""
    from payamak.registry import get_registry
    from payamak.tables import Tenant
    from payamak.tenancy.services import enabled_plugins

    async def body() -> list[Tenant]:
        return await Tenant.objects().order_by(Tenant.slug)

    tenant_rows = run(body)
    for info in get_registry().plugins.values():
        if info.builtin:
            who = "(core: every tenant)"
        else:
            who = ", ".join(t.slug for t in tenant_rows if info.name in enabled_plugins(t)) or "(no tenant)"
        click.echo(f"{info.name}\t{info.distribution} {info.version}\t{who}")


@cli.command()
def demo() -> None:
    """Load demo data: demo users in the demo tenants (prints their logins), plugins' demo data."""
    from payamak.accounts.services import create_user, hash_password
    from payamak.registry import await_me_maybe, get_registry
    from payamak.tables import Tenant, User

    port = os.environ.get("PORT", "8000")  # `make run PORT=…` passes its port along

    async def body() -> list[str]:
        lines = []
        platform_admin = await User.objects().where((User.username == "root") & User.tenant.is_null()).first()
        if platform_admin is None:
            await create_user(None, "root", DEMO_PASSWORD, "platform_admin", first_name="مدیر", last_name="سامانه")
        lines.append(f"platform admin: http://localhost:{port}/  root / {DEMO_PASSWORD}")
        for slug, username, role, first, last in DEMO_USERS:
            tenant = await Tenant.objects().where(Tenant.slug == slug).first()
            if tenant is None:
                continue
            user = await User.objects().where((User.username == username) & (User.tenant == tenant.id)).first()
            if user is None:
                await create_user(tenant.id, username, DEMO_PASSWORD, role, first_name=first, last_name=last)
            else:
                await User.update({User.password_hash: hash_password(DEMO_PASSWORD), User.status: "active"}).where(User.id == user.id)
            lines.append(f"{role:13} http://{slug}.localhost:{port}/  {username} / {DEMO_PASSWORD}")
        for tenant in await Tenant.objects():
            for result in get_registry().hook.payamak_demo_data(tenant_slug=tenant.slug):
                await await_me_maybe(result)
        return lines

    for line in run(body):
        click.echo(line)


def main() -> None:
    """Entry point of the ``payamak`` command."""
    cli()


if __name__ == "__main__":
    main()
