"""What the benches share: a fresh database for one run, and the process's peak memory."""

from __future__ import annotations

import os
import resource
import secrets
import tempfile
from urllib.parse import urlparse, urlunparse


def rss_mib() -> float:
    """The process's peak resident memory so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def setup_database() -> str | None:
    """A fresh PostgreSQL database next to the one ``PAYAMAK_DATABASE_URL`` names (its name is
    returned), or, without one, a temporary SQLite file (``None``). No Redis: benches measure
    the database side."""
    base = os.environ.get("PAYAMAK_DATABASE_URL", "")
    os.environ["PAYAMAK_VAR_DIR"] = tempfile.mkdtemp(prefix="payamak-bench-")
    os.environ.pop("PAYAMAK_REDIS_URL", None)
    if not base.startswith("postgres"):
        os.environ.pop("PAYAMAK_DATABASE_URL", None)
        return None
    import asyncpg

    name = f"payamak_bench_{secrets.token_hex(3)}"
    conn = await asyncpg.connect(base)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    os.environ["PAYAMAK_DATABASE_URL"] = urlunparse(urlparse(base)._replace(path=f"/{name}"))
    return name


async def drop_database(name: str | None) -> None:
    """Drop the database :func:`setup_database` made."""
    if name:
        import asyncpg

        from payamak.db import close_pool

        await close_pool()
        conn = await asyncpg.connect(os.environ["PAYAMAK_DATABASE_URL"].rsplit("/", 1)[0] + "/postgres")
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def bill_wholesale(tenant_id: int, messages: int, per_part: int = 500) -> None:
    """Give the bench tenant wholesale prices and a balance for ``messages`` parts, so sends
    go through both books as in production."""
    from payamak.messaging import pricing, wholesale
    from payamak.messaging.tables import LINE_KINDS, WholesalePrice

    for kind in LINE_KINDS:
        for encoding in pricing.ENCODINGS:
            await pricing.set_price(tenant_id, kind, encoding, per_part, WholesalePrice)
    await wholesale.top_up(tenant_id, messages * per_part * 2, "bench", None)
