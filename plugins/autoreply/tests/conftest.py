"""Fixtures of the auto-reply tests: a messaging world (loopback connector) and helpers to
receive messages through the core and look at what was replied."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from payamak.messaging.connectors import IncomingMessage
from payamak.messaging.lines import register_line
from payamak.messaging.receiving import store_incoming
from payamak.messaging.tables import Line, Recipient, SendJob
from payamak_autoreply import services
from payamak_autoreply.tables import Reply, Responder
from payamak_testplugin import loopback
from tests.messaging.conftest import make_world, wait_until_settled

_senders = itertools.count(1_000_000)
_lines = itertools.count(1)


def new_sender() -> str:
    """A mobile number no other test texts from (``09…`` as a phone shows it; stored ``989…``)."""
    return f"0912{next(_senders):07d}"


def stored(number: str) -> str:
    return "98" + number.lstrip("0")


async def add_line(world: SimpleNamespace, kind: str = "dedicated", owned: bool = True) -> Line:
    """Another line of the world's tenant on the same loopback connection, owned by its customer."""
    line = await register_line(f"5000{next(_lines)}{world.tenant.id}", kind, world.connection.id, world.tenant.id)
    if owned:
        await Line.update({Line.owner: world.customer.id}).where(Line.id == line.id)
    return line


async def receive(line: Line, sender: str, text: str) -> int:
    """A message texted to ``line``, stored and announced by the core (which calls auto-reply)."""
    ids = await store_incoming([IncomingMessage(line=line.number, sender=sender, text=text, received_at=datetime.now(UTC))])
    assert len(ids) == 1
    return ids[0]


async def reply_of(message_id: int) -> Reply | None:
    return await Reply.objects().where(Reply.message == message_id).first()


async def sent_reply(message_id: int) -> tuple[Reply, list[Any]]:
    """The reply record of a message that was answered, after its job settled; and what the loopback sent."""
    reply = await reply_of(message_id)
    assert reply is not None and reply.outcome == "sent", reply and reply.outcome
    job = await SendJob.objects().where(SendJob.id == reply.job).first()
    assert job.source == "autoreply"
    assert await wait_until_settled(job.id) == {"submitted": 1}
    rows = await Recipient.objects().where(Recipient.job == job.id)
    return reply, [m for m in loopback.SENT if m.ref in {r.id for r in rows}]


async def replies_to(user_id: int, number: str) -> list[str]:
    """Texts of the auto-reply sends of ``user_id`` to ``number`` (stored form), oldest first."""
    jobs = await SendJob.objects().where((SendJob.user == user_id) & (SendJob.source == "autoreply")).order_by(SendJob.id)
    texts = []
    for job in jobs:
        if await Recipient.exists().where((Recipient.job == job.id) & (Recipient.number == number)):
            texts.append(job.text)
    return texts


async def keyword_responder(world: SimpleNamespace, keywords: str, reply: str, line: Line | None = None, **kw: Any) -> Responder:
    data = services.ResponderInput([keywords], reply, line.id if line else None, **kw)
    return await services.create_responder(world.customer, data)


@pytest.fixture
def kit() -> SimpleNamespace:
    """The helpers above, for tests (conftest modules are not importable by name)."""
    return SimpleNamespace(
        new_sender=new_sender,
        stored=stored,
        add_line=add_line,
        receive=receive,
        reply_of=reply_of,
        sent_reply=sent_reply,
        replies_to=replies_to,
        keyword_responder=keyword_responder,
    )


@pytest.fixture
async def world(app, factory) -> SimpleNamespace:
    """A tenant with auto-reply enabled, a customer with credit and a dedicated line on a loopback connection."""
    return await make_world(factory)
