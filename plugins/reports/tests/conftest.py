"""Fixtures of the report tests: a month of seeded traffic (sends with recipients in every
status, received messages) for one customer, with a neighbour's traffic that must not count."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from payamak.messaging.lines import register_line
from payamak.messaging.tables import InboundMessage, Line, Recipient, SendJob
from payamak.web.formatting import TEHRAN
from tests.messaging.conftest import make_world

STATUSES = ["delivered"] * 6 + ["undelivered", "failed", "expired", "submitted", "queued", "cancelled", "blocked"]


async def seed_traffic(world, lines, days: int = 30, rng: random.Random | None = None) -> None:
    """Sends and received messages spread over the last ``days`` Tehran days (some at the day's edges)."""
    rng = rng or random.Random(8)
    today = datetime.now(TEHRAN).date()
    for back in range(days):
        day = today - timedelta(days=back)
        for moment in (time(0, 0, 1), time(rng.randint(1, 22), rng.randint(0, 59)), time(23, 59, 58)):
            created = datetime.combine(day, moment, tzinfo=TEHRAN).astimezone(UTC)
            line = rng.choice(lines)
            parts = rng.randint(1, 3)
            result = await SendJob.insert(
                SendJob(
                    tenant=world.tenant.id,
                    user=world.customer.id,
                    line=line.id,
                    text="گزارش",
                    parts=parts,
                    created_at=created,
                    status="done",
                )
            )
            job_id = result[0]["id"]
            rows = []
            for _n in range(rng.randint(1, 6)):
                status = rng.choice(STATUSES)
                rows.append(
                    Recipient(
                        tenant=world.tenant.id,
                        job=job_id,
                        number=f"98912{rng.randint(0, 9_999_999):07d}",
                        parts=parts,
                        price=0 if status == "blocked" else parts * 1000,
                        status=status,
                        done_at=created if status in ("delivered", "undelivered", "failed", "expired") else None,
                    )
                )
            await Recipient.insert(*rows)
            received = datetime.combine(day, moment, tzinfo=TEHRAN).astimezone(UTC)
            inbound = [
                InboundMessage(
                    tenant=world.tenant.id, line=line.id, owner=world.customer.id, sender="989120000000", text="سلام", received_at=received
                )
                for _ in range(rng.randint(0, 3))
            ]
            if inbound:
                await InboundMessage.insert(*inbound)


@pytest.fixture
async def month(factory):
    """A customer with two lines and 30 days of traffic, and a neighbour with traffic of their own."""
    world = await make_world(factory)
    second = await register_line(f"5000{world.tenant.id}{world.line.id}", "dedicated", world.connection.id, world.tenant.id)
    await Line.update({Line.owner: world.customer.id}).where(Line.id == second.id)
    await seed_traffic(world, [world.line, second])
    neighbour = await make_world(factory)
    await seed_traffic(neighbour, [neighbour.line], days=5, rng=random.Random(9))
    return SimpleNamespace(world=world, lines=[world.line, second], neighbour=neighbour)
