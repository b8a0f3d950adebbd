"""Fixtures of the bulk tests: one synthetic database per run (~20,000 numbers) and a world
with an advertising line whose tenant is granted it."""

from __future__ import annotations

import pytest

from payamak_sms_bulk import databases
from tests.messaging.conftest import make_world

SIZE = 20_000


@pytest.fixture(scope="session")
async def synthetic(migrated):
    """The synthetic database shared by the bulk tests (read-only for them)."""
    return await databases.create_synthetic("test synthetic", SIZE, seed=7)


@pytest.fixture
async def bulk_world(app, factory, synthetic):
    """A tenant granted the synthetic database, its customer with credit, an advertising line."""
    world = await make_world(factory, kind="advertising", credit=500_000_000)
    await databases.grant(world.tenant.id, synthetic.id)
    world.database = synthetic
    return world
