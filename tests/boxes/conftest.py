"""A boxes world: the messaging world (tenant, customer with credit, a line on a loopback connection),
a logged-in client, and helpers that put messages in the customer's inbox."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from payamak.messaging.connectors import IncomingMessage
from payamak.messaging.receiving import store_incoming
from payamak.web.formatting import parse_jalali
from tests.messaging.conftest import make_world

_senders = itertools.count(1_000_000)
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def money_fa(amount: int) -> str:
    """Rials as the Persian pages show them: ``۱٬۵۰۰``."""
    return f"{amount:,}".replace(",", "٬").translate(PERSIAN)


def a_mobile() -> str:
    """A fresh mobile number as a phone would send it (``0912…``)."""
    return f"0912{next(_senders):07d}"


async def receive(world, text: str, sender: str | None = None, at: str | datetime = "1403/05/12 14:30") -> int:
    """A message arriving on the world's line; ``at`` is a Jalali ``Y/M/D H:m`` (Tehran) or a datetime."""
    moment = parse_jalali(at) if isinstance(at, str) else at
    ids = await store_incoming([IncomingMessage(line=world.line.number, sender=sender or a_mobile(), text=text, received_at=moment)])
    assert len(ids) == 1
    return ids[0]


@pytest.fixture
async def world(app, factory):
    return await make_world(factory)


@pytest.fixture
async def client(world, client_for):
    """A client logged in as the world's customer."""
    c = client_for(world.tenant)
    await c.login(world.customer)
    return c


async def api_headers(tenant, user) -> dict[str, str]:
    """Headers with a fresh API key of ``user`` (11-1 web service)."""
    from payamak.accounts.services import create_api_key
    from payamak.tenancy.scope import tenant_context

    with tenant_context(tenant):
        _key, plain = await create_api_key(user)
    return {"X-API-Key": plain}


_lines = itertools.count(500)


async def own_line(world, owner=None):
    """Another dedicated line in the world's tenant, owned by ``owner`` (default: the world's customer)."""
    from payamak.messaging.lines import register_line
    from payamak.messaging.tables import Line

    owner = owner or world.customer
    line = await register_line(f"3000{next(_lines)}{world.tenant.id}9", "dedicated", world.connection.id, world.tenant.id)
    await Line.update({Line.owner: owner.id}).where(Line.id == line.id)
    line.owner = owner.id
    return line


async def receive_on(line, text: str, sender: str, at: str = "1403/05/12 14:30") -> int:
    """A message arriving on ``line``."""
    ids = await store_incoming([IncomingMessage(line=line.number, sender=sender, text=text, received_at=parse_jalali(at))])
    return ids[0]
