"""Service-backed: a ``payamak worker`` process over Redis, the Redis session store, and
PostgreSQL migrations. Locally they skip when a service is down; with CI=true they fail."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import subprocess
import sys

import pytest
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker

from conftest import ROOT
from payamak.settings import get_settings
from payamak.tenancy import scoped
from payamak_testplugin.tables import Note

pytestmark = pytest.mark.services


async def test_worker_process_runs_plugin_actors_from_redis(redis_url, factory):
    tenant = await factory.tenant(plugins=["testplugin"])
    namespace = f"payamak-test-worker-{secrets.token_hex(3)}"
    env = {**os.environ, "PAYAMAK_REDIS_URL": redis_url, "PAYAMAK_REDIS_NAMESPACE": namespace}
    worker = subprocess.Popen(
        [sys.executable, "-m", "payamak.cli", "worker", "--threads", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    broker = RedisBroker(url=redis_url, namespace=namespace)
    try:
        broker.declare_queue("testplugin")
        broker.enqueue(Message(queue_name="testplugin", actor_name="record_note", args=(tenant.id, "via redis"), kwargs={}, options={}))
        for _ in range(300):
            if await scoped(Note, tenant.id).count().where(Note.source == "actor"):
                break
            assert worker.poll() is None, worker.stdout.read()
            await asyncio.sleep(0.1)
        note = await scoped(Note, tenant.id).objects().where(Note.source == "actor").first()
        assert note is not None and note.text == "via redis"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        for key in broker.client.scan_iter(f"{namespace}*"):
            broker.client.delete(key)
        broker.close()
    assert worker.returncode == 0


async def test_sessions_and_throttle_counts_live_in_redis_when_configured(redis_url):
    from payamak.web.app import make_stores

    settings = dataclasses.replace(get_settings(), redis_url=redis_url, extra={"REDIS_NAMESPACE": f"payamak-test-{secrets.token_hex(3)}"})
    stores = make_stores(settings)
    await stores["sessions"].set("abc", b"session-data", expires_in=30)
    assert await stores["sessions"].get("abc") == b"session-data"
    assert type(stores["ratelimit"]).__name__ == "RedisStore"
    await stores["sessions"].delete_all()
    await stores["ratelimit"].delete_all()


def test_migrations_apply_to_a_fresh_postgres_database_twice(postgres_url):
    import asyncpg

    name = f"payamak_mig_{secrets.token_hex(3)}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(postgres_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        base = postgres_url.rsplit("/", 1)[0]
        env = {**os.environ, "PAYAMAK_DATABASE_URL": f"{base}/{name}"}
        for _ in range(2):
            result = subprocess.run(
                [sys.executable, "-m", "payamak.cli", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, result.stderr[-2000:]
        synced = subprocess.run(
            [sys.executable, "-m", "payamak.cli", "tenants", "sync"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert synced.returncode == 0 and "demo: created" in synced.stdout
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
