"""A worker killed in the middle of a 10,000-recipient send (a real process, SIGKILL), on
PostgreSQL + Redis + the simulator SMSC over TCP: after a restart every recipient is
submitted exactly once and both books (the customer's credit and the tenant's wholesale
balance) balance to the Rial."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
from collections import Counter
from urllib.parse import urlparse, urlunparse

import asyncpg
import pytest

from conftest import ROOT

pytestmark = pytest.mark.services

RECIPIENTS = 10_000
CREDIT = 50_000_000
WHOLESALE_PER_PART = 700
WHOLESALE = 9_000_000

SETUP = """
import asyncio, json, sys
from payamak.db import use_piccolo_conf, writing
from payamak.jobs import setup_broker
from payamak.settings import get_settings

async def main(port):
    use_piccolo_conf()
    setup_broker(get_settings())
    from payamak.accounts.services import create_user
    from payamak.messaging import ledger, pipeline, pricing, wholesale
    from payamak.messaging.lines import create_connection, register_line
    from payamak.messaging.tables import Line, WholesalePrice
    from payamak.tenancy.services import create_tenant
    tenant = await create_tenant("crash", "Crash", plugins=[])
    user = await create_user(tenant.id, "crash", "crash-password", "customer")
    conn = await create_connection("sim", "simulator", {"host": "127.0.0.1", "port": port, "system_id": "payamak", "password": ""})
    line = await register_line("3000777", "dedicated", conn.id, tenant.id)
    await Line.update({Line.owner: user.id}).where(Line.id == line.id)
    async with writing():
        account = await ledger.account_for(tenant.id, user.id)
        await ledger.credit(account, CREDIT, "purchase", "crash test")
    await pricing.set_price(tenant.id, "dedicated", "ucs2", WHOLESALE_PER_PART, WholesalePrice)
    await wholesale.top_up(tenant.id, WHOLESALE, "crash test", None)
    job = await pipeline.accept_send(user, (f"0912{i:07d}" for i in range(COUNT)), "پیام آزمون بازیابی", source="crash-test")
    print(json.dumps({"job": job.id, "account": account.id, "tenant": tenant.id, "price": job.per_part * job.parts, "parts": job.parts}))

asyncio.run(main(int(sys.argv[1])))
""".replace("WHOLESALE_PER_PART", str(WHOLESALE_PER_PART)).replace("WHOLESALE", str(WHOLESALE))
SETUP = SETUP.replace("CREDIT", str(CREDIT)).replace("COUNT", str(RECIPIENTS))


def _spawn(args: list[str], env: dict[str, str], log_name: str, tmp_path) -> subprocess.Popen:
    log = open(tmp_path / log_name, "w")
    return subprocess.Popen([sys.executable, "-m", "payamak.cli", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


async def _counts(conn: asyncpg.Connection, job_id: int) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, COUNT(*) AS n FROM recipient WHERE job = $1 GROUP BY status", job_id)
    return {r["status"]: r["n"] for r in rows}


async def test_a_killed_worker_resumes_without_double_sending_or_double_charging(postgres_url, redis_url, tmp_path):
    from payamak_operators.simulator import SmscSimulator

    simulator = SmscSimulator(receipt_delay=0.2, seed=7)
    await simulator.start()
    name = f"payamak_crash_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(postgres_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    database_url = urlunparse(urlparse(postgres_url)._replace(path=f"/{name}"))
    namespace = f"payamak-crash-{secrets.token_hex(3)}"
    env = {
        **os.environ,
        "PAYAMAK_DATABASE_URL": database_url,
        "PAYAMAK_REDIS_URL": redis_url,
        "PAYAMAK_REDIS_NAMESPACE": namespace,
        "PAYAMAK_VAR_DIR": str(tmp_path),
        "PAYAMAK_STALE_SUBMIT_SECONDS": "4",
        "PAYAMAK_IDLE_JOB_SECONDS": "3",
        "PAYAMAK_RECOVERY_SECONDS": "2",
        "PAYAMAK_RECEIPT_WAIT_SECONDS": "40",
    }
    processes: list[subprocess.Popen] = []
    db = None
    try:
        migrate = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "payamak.cli", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert migrate.returncode == 0, migrate.stderr[-2000:]
        setup = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", SETUP, str(simulator.port)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert setup.returncode == 0, setup.stderr[-3000:]
        facts = json.loads(setup.stdout.strip().splitlines()[-1])
        db = await asyncpg.connect(database_url)

        first = _spawn(["worker", "--threads", "2"], env, "worker1.log", tmp_path)
        processes.append(first)
        for _ in range(1200):
            counts = await _counts(db, facts["job"])
            if counts.get("submitted", 0) + counts.get("delivered", 0) >= 1500:
                break
            assert first.poll() is None, (tmp_path / "worker1.log").read_text()[-3000:]
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        at_kill = await _counts(db, facts["job"])
        assert sum(at_kill.values()) == RECIPIENTS
        assert at_kill.get("queued", 0) > 0, f"the send finished before the kill: {at_kill}"

        processes.append(_spawn(["worker", "--threads", "2"], env, "worker2.log", tmp_path))
        processes.append(_spawn(["scheduler"], env, "scheduler.log", tmp_path))
        for _ in range(1800):
            counts = await _counts(db, facts["job"])
            if not {"queued", "claimed", "submitting", "unconfirmed"} & counts.keys():
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"the send did not finish after the restart: {counts}; {(tmp_path / 'worker2.log').read_text()[-3000:]}")

        done = await _counts(db, facts["job"])
        assert set(done) <= {"submitted", "delivered", "undelivered", "expired"}, done
        per_number = Counter(m.destination for m in simulator.submitted)
        assert len(per_number) == RECIPIENTS, f"{len(per_number)} distinct numbers reached the SMSC; at the kill: {at_kill}"
        assert max(per_number.values()) == 1, per_number.most_common(3)

        account = await db.fetchrow("SELECT available, reserved FROM credit_account WHERE id = $1", facts["account"])
        sums = await db.fetchrow("SELECT SUM(amount) AS a, SUM(reserved_delta) AS r FROM ledger_entry WHERE account = $1", facts["account"])
        assert account["reserved"] == 0 and sums["r"] == 0
        assert account["available"] == sums["a"] == CREDIT - RECIPIENTS * facts["price"]
        tenant_account = await db.fetchrow("SELECT id, available, reserved FROM wholesale_account WHERE tenant = $1", facts["tenant"])
        tenant_sums = await db.fetchrow(
            "SELECT SUM(amount) AS a, SUM(reserved_delta) AS r FROM wholesale_entry WHERE account = $1", tenant_account["id"]
        )
        assert tenant_account["reserved"] == 0 and tenant_sums["r"] == 0
        assert tenant_account["available"] == tenant_sums["a"] == WHOLESALE - RECIPIENTS * facts["parts"] * WHOLESALE_PER_PART
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if db is not None:
            await db.close()
        await simulator.stop()
        admin = await asyncpg.connect(postgres_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{namespace}*"):
            client.delete(key)
