"""The Litestar application: ``payamak.web.app:create_app`` (also ``payamak.app:create_app``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.template import TemplateConfig

from payamak import db
from payamak.jobs import Scheduler, periodic_tasks, setup_broker, start_worker
from payamak.registry import get_registry
from payamak.settings import Settings, SettingsError, get_settings
from payamak.web.errors import EXCEPTION_HANDLERS
from payamak.web.guards import known_host, plugin_enabled
from payamak.web.middleware import RequestContextMiddleware
from payamak.web.rendering import make_environment

log = logging.getLogger("payamak")

CORE_STATIC = Path(__file__).resolve().parent.parent / "static"


def find_vendor_dir() -> Path | None:
    """``node_modules`` of the checkout (front-end packages installed by npm at set-up)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "node_modules"
        if candidate.is_dir():
            return candidate
    return None


def make_stores(settings: Settings) -> dict[str, Store]:
    """Session and rate-limit stores: Redis in production, files under ``var/`` embedded."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        root = RedisStore.with_client(url=settings.redis_url, namespace=settings.extra.get("REDIS_NAMESPACE", "payamak"))
        return {"sessions": root.with_namespace("sessions"), "ratelimit": root.with_namespace("ratelimit")}
    base = settings.var_dir / "stores"
    return {
        "sessions": FileStore(base / "sessions", create_directories=True),
        "ratelimit": FileStore(base / "ratelimit", create_directories=True),
    }


def validate_plugin_settings(settings: Settings) -> None:
    """Every setting a plugin declares as required must be present (one line names it)."""
    for spec in get_registry().collect("payamak_settings"):
        if spec.required and not settings.extra.get(spec.name):
            raise SettingsError(f"PAYAMAK_{spec.name}: required ({spec.description})")


def plugin_routers() -> list[Router]:
    """Each plugin's handlers under a router marked with the plugin's name (for the guard)."""
    routers = []
    for plugin, handlers in get_registry().results_by_plugin("payamak_route_handlers"):
        routers.append(Router(path="/", route_handlers=handlers, opt={"plugin": plugin}, guards=[plugin_enabled]))
    return routers


def static_routers() -> list[Router]:
    routers = [create_static_files_router(path="/static/core", directories=[CORE_STATIC], name="static-core")]
    for name, folder in get_registry().collect_dict("payamak_static_dirs").items():
        routers.append(create_static_files_router(path=f"/static/{name}", directories=[folder], name=f"static-{name}"))
    vendor = find_vendor_dir()
    if vendor is not None:
        routers.append(create_static_files_router(path="/static/vendor", directories=[vendor], name="static-vendor"))
    return routers


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


def create_app(settings: Settings | None = None, *, run_jobs: bool | None = None) -> Litestar:
    """Build the app. ``run_jobs``: run worker threads and the scheduler in this process
    (default: in the embedded mode, i.e. when no Redis is configured)."""
    settings = settings or get_settings()
    db.use_piccolo_conf()
    validate_plugin_settings(settings)
    broker = setup_broker(settings, worker_pool=False)
    run_jobs = settings.embedded if run_jobs is None else run_jobs

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.prepare_sqlite()
        if not run_jobs:
            # The pool belongs to this loop; in-process workers run on their own loop,
            # so the embedded mode opens a connection per query instead.
            await db.start_pool()
        worker = scheduler = None
        services = AsyncExitStack()
        if run_jobs and settings.embedded:
            for service in get_registry().collect("payamak_embedded_services", settings=settings):
                await services.enter_async_context(service)
        if run_jobs:
            worker = start_worker(broker, settings.worker_threads)
            scheduler = Scheduler(broker, periodic_tasks())
            scheduler.start_thread()
        app.state.worker = worker
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.stop()
            if worker is not None:
                worker.stop()
            await services.aclose()
            await db.close_pool()

    session_config = ServerSideSessionConfig(
        store="sessions", secure=settings.production, httponly=True, samesite="lax", max_age=7 * 24 * 3600, key="payamak_session"
    )
    csrf = CSRFConfig(
        secret=settings.secret_key,
        exclude=["/api/"],
        cookie_secure=settings.production,
        cookie_name="payamak_csrf",
        header_name="x-csrftoken",
    )
    handlers: list[Any] = [healthz, *static_routers(), *plugin_routers()]
    return Litestar(
        route_handlers=handlers,
        middleware=[session_config.middleware, DefineMiddleware(RequestContextMiddleware, settings=settings)],
        csrf_config=csrf,
        stores=make_stores(settings),
        guards=[known_host],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(make_environment())),
        openapi_config=OpenAPIConfig(title="Payamak API", version="1", path="/api/docs"),
        lifespan=[lifespan],
        debug=False,
    )
