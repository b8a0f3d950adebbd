"""End-to-end send rate: API accepted → ``submit_sm_resp`` recorded, on PostgreSQL + Redis +
the simulator SMSC over TCP, with real ``payamak serve`` and ``payamak worker`` processes;
then the connector's raw rate to the same simulator (bench/connector_raw.py) and the ratio.

    PAYAMAK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test PAYAMAK_REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/send_e2e.py [messages] [requests]
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
REQUESTS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def main() -> None:
    base, redis_url = os.environ.get("PAYAMAK_DATABASE_URL", ""), os.environ.get("PAYAMAK_REDIS_URL", "")
    if not base.startswith("postgres") or not redis_url:
        sys.exit("set PAYAMAK_DATABASE_URL (PostgreSQL) and PAYAMAK_REDIS_URL: this bench measures the production set-up")
    import asyncpg
    import httpx

    name = f"payamak_e2e_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(base)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    database_url = urlunparse(urlparse(base)._replace(path=f"/{name}"))
    var_dir = tempfile.mkdtemp(prefix="payamak-e2e-")
    namespace = f"payamak-e2e-{secrets.token_hex(3)}"
    os.environ.update(PAYAMAK_DATABASE_URL=database_url, PAYAMAK_VAR_DIR=var_dir, PAYAMAK_REDIS_NAMESPACE=namespace)
    env = dict(os.environ)

    from payamak_operators.simulator import SmscSimulator

    simulator = SmscSimulator(receipt_delay=1.0)
    await simulator.start()
    processes: list[subprocess.Popen] = []
    try:
        from payamak.db import migrate, use_piccolo_conf, writing

        use_piccolo_conf()
        await migrate()
        from _benchdb import bill_wholesale

        from payamak.accounts.services import create_api_key, create_user
        from payamak.messaging import ledger
        from payamak.messaging.lines import create_connection, register_line
        from payamak.messaging.tables import Line
        from payamak.tenancy import tenant_context
        from payamak.tenancy.services import create_tenant

        tenant = await create_tenant("bench", "Bench", plugins=[])
        user = await create_user(tenant.id, "bench", "bench-password", "customer")
        connection = await create_connection(
            "sim", "simulator", {"host": "127.0.0.1", "port": simulator.port, "system_id": "payamak", "window": 100, "max_per_second": 0}
        )
        line = await register_line("3000555", "dedicated", connection.id, tenant.id)
        await Line.update({Line.owner: user.id}).where(Line.id == line.id)
        async with writing():
            await ledger.credit(await ledger.account_for(tenant.id, user.id), MESSAGES * 5_000, "purchase", "bench")
        await bill_wholesale(tenant.id, MESSAGES)
        with tenant_context(tenant):
            _, key = await create_api_key(user)

        port = free_port()
        logs = Path(var_dir)
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "payamak.cli", "serve", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=open(logs / "serve.log", "w"),
                stderr=subprocess.STDOUT,
            )
        )
        for i in range(WORKERS):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "payamak.cli", "worker", "--threads", "4"],
                    cwd=ROOT,
                    env=env,
                    stdout=open(logs / f"worker{i}.log", "w"),
                    stderr=subprocess.STDOUT,
                )
            )
        db = await asyncpg.connect(database_url)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"Host": "bench.localhost", "X-API-Key": key}, timeout=120
        ) as api:
            for _ in range(100):
                try:
                    if (await api.get("/api/v1/balance")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
            # Warm the workers' binds with one message, then measure.
            await api.post("/api/v1/messages", json={"to": ["09350000000"], "text": "warm-up"})
            for _ in range(200):
                if await db.fetchval("SELECT COUNT(*) FROM recipient WHERE status <> 'queued' AND status <> 'claimed'"):
                    break
                await asyncio.sleep(0.1)
            per_request = MESSAGES // REQUESTS
            started = time.perf_counter()
            responses = await asyncio.gather(
                *(
                    api.post(
                        "/api/v1/messages", json={"to": [f"0912{r:03d}{i:04d}" for i in range(per_request)], "text": "پیامک آزمون سرعت"}
                    )
                    for r in range(REQUESTS)
                )
            )
            accepted_at = time.perf_counter() - started
            assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201][:2]
            total = per_request * REQUESTS + 1
            while True:
                done = await db.fetchval(
                    "SELECT COUNT(*) FROM recipient WHERE status IN ('submitted', 'delivered', 'undelivered', 'expired')"
                )
                if done >= total:
                    break
                if time.perf_counter() - started > 600:
                    raise SystemExit(f"only {done} of {total} submitted after 600 s")
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
        await db.close()
        e2e = (total - 1) / elapsed
        print(
            f"end-to-end: {total - 1:,} messages in {REQUESTS} API requests accepted in {accepted_at:.1f} s, all submitted in "
            f"{elapsed:.1f} s → {e2e:,.0f} messages/s ({WORKERS} worker processes)"
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        await simulator.stop()
        from payamak.db import close_pool

        await close_pool()
        admin = await asyncpg.connect(base)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    raw = subprocess.run([sys.executable, str(ROOT / "bench" / "connector_raw.py")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    print(raw.stdout.strip())
    match = re.search(r"([\d,]+) messages/s", raw.stdout)
    if match:
        rate = float(match.group(1).replace(",", ""))
        print(f"ratio end-to-end / raw connector: {e2e / rate:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
