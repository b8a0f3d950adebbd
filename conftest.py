"""Shared fixtures for every test folder (tests/, platform/tests/, plugins/*/tests/): a fresh database per run (SQLite by default, PostgreSQL when
``PAYAMAK_DATABASE_URL`` names one), the app, clients per tenant, factories, a live server.

The environment is prepared here, before anything imports ``payamak``: settings are read once.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parent
RUN_ID = secrets.token_hex(4)
VAR_DIR = Path(tempfile.mkdtemp(prefix=f"payamak-test-{RUN_ID}-"))
os.environ["PAYAMAK_VAR_DIR"] = str(VAR_DIR)
os.environ.setdefault("PAYAMAK_ENV", "test")
os.environ.setdefault("PAYAMAK_WORKER_THREADS", "2")
os.environ.pop("PICCOLO_CONF", None)

_BASE_DB_URL = os.environ.get("PAYAMAK_DATABASE_URL", "")
_PG_TEST_DB: str | None = None
if _BASE_DB_URL.startswith(("postgresql://", "postgres://")):
    # A database of its own for this run, dropped at the end.
    import asyncpg

    _PG_TEST_DB = f"payamak_test_{RUN_ID}"
    parsed = urlparse(_BASE_DB_URL)

    async def _create() -> None:
        conn = await asyncpg.connect(_BASE_DB_URL)
        try:
            await conn.execute(f'CREATE DATABASE "{_PG_TEST_DB}"')
        finally:
            await conn.close()

    asyncio.run(_create())
    os.environ["PAYAMAK_DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{_PG_TEST_DB}"))
if os.environ.get("PAYAMAK_REDIS_URL"):
    os.environ["PAYAMAK_REDIS_NAMESPACE"] = f"payamak-test-{RUN_ID}"

from payamak.settings import get_settings  # noqa: E402

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct-horse-9"


def pytest_report_header() -> list[str]:
    settings = get_settings()
    return [f"payamak: database {settings.database_url.split('@')[-1]}, broker {'redis' if settings.redis_url else 'in-process'}"]


def pytest_sessionfinish() -> None:
    if _PG_TEST_DB:
        import asyncpg

        async def _drop() -> None:
            conn = await asyncpg.connect(_BASE_DB_URL)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{_PG_TEST_DB}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(_drop())
    if os.environ.get("PAYAMAK_REDIS_URL"):
        import redis

        client = redis.Redis.from_url(os.environ["PAYAMAK_REDIS_URL"])
        for key in client.scan_iter(f"*payamak-test-{RUN_ID}*"):
            client.delete(key)
    shutil.rmtree(VAR_DIR, ignore_errors=True)


# --- services ----------------------------------------------------------------------------


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, url: str) -> str:
    """Skip a service-backed test locally when the service is down; in CI, fail instead."""
    parsed = urlparse(url)
    if _reachable(parsed.hostname or "127.0.0.1", parsed.port or {"redis": 6379}.get(parsed.scheme, 5432)):
        return url
    message = f"{name} is not reachable at {url}"
    if CI:
        pytest.fail(message + " (CI=true: service-backed tests must not skip)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return require_service("PostgreSQL", os.environ.get("PAYAMAK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))


@pytest.fixture(scope="session")
def redis_url() -> str:
    return require_service("Redis", os.environ.get("PAYAMAK_TEST_REDIS_URL", "redis://127.0.0.1:6379/14"))


# --- database and app --------------------------------------------------------------------


@pytest.fixture(scope="session")
async def migrated() -> None:
    from payamak.db import migrate

    await migrate()


@pytest.fixture(scope="session")
async def app(migrated: None) -> AsyncIterator[object]:
    """The app with its lifespan running (worker threads and scheduler in-process)."""
    from payamak.web.app import create_app

    application = create_app(get_settings(), run_jobs=True)
    started, stop = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        # Entered and left in one task: anyio's cancel scopes insist on it.
        async with application.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(lifespan())
    await started.wait()
    yield application
    stop.set()
    await task


@pytest.fixture
def factory(migrated: None):
    from tests.helpers import Factory

    return Factory()


@pytest.fixture
def client_for(app: object):
    """``client_for(tenant_or_host)``: a cookie-keeping client on a tenant's host."""
    from tests.helpers import PanelClient

    def make(target: object) -> PanelClient:
        host = target if isinstance(target, str) else f"{target.slug}.localhost"
        return PanelClient(app, host)

    return make


# --- a live server for browser tests -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(migrated: None) -> Iterator[str]:
    """``payamak serve`` in a subprocess on this run's database; yields its port as text."""
    port = _free_port()
    env = dict(os.environ)
    log = open(VAR_DIR / "live-server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "payamak.cli", "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"payamak serve exited: {(VAR_DIR / 'live-server.log').read_text()[-2000:]}")
        if _reachable("127.0.0.1", port):
            break
        time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("payamak serve did not start in 30 s")
    yield str(port)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
async def browser_page(live_server: str) -> AsyncIterator[object]:
    """A fresh Chromium page (Debian's chromium driven by Playwright)."""
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = await browser.new_context()
        page = await context.new_page()
        page.set_default_timeout(15000)
        try:
            yield page
        finally:
            await context.close()
            await browser.close()
