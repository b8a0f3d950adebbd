"""Fixtures of the billing tests: a ZarinPal stand-in on a free loopback port, a tenant that
pays there with its own merchant id, and helpers that walk the payer through the gateway."""

from __future__ import annotations

import pytest

from payamak_billing_zarinpal.gateway import use_standin
from payamak_billing_zarinpal.standin import StandIn
from payamak_billing_zarinpal.testing import billing_tenant


@pytest.fixture(scope="session")
async def standin():
    """One stand-in for the session, reached over real HTTP."""
    server = StandIn(0)
    await server.start()
    use_standin(server.url)
    yield server
    use_standin(None)
    await server.stop()


@pytest.fixture
async def shop(app, factory, standin, client_for):
    """A billing tenant, its customer logged in on a panel client."""
    world = await billing_tenant(factory)
    world.client = client_for(world.tenant)
    await world.client.login(world.customer)
    return world
