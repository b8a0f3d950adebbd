"""The simulator's "send as a phone" page injects an incoming message that lands in the line owner's inbox."""

from __future__ import annotations

import asyncio

from payamak.messaging.tables import InboundMessage
from payamak_operators.simulator import SmscSimulator
from tests.messaging.conftest import make_world


async def test_a_platform_admin_texts_a_line_as_a_phone_and_it_reaches_the_inbox(app, factory, client_for, monkeypatch):
    simulator = SmscSimulator(control_port=0)
    await simulator.start()
    try:
        monkeypatch.setattr("payamak_operators.pages._control_port", lambda: simulator.control_port)
        world = await make_world(
            factory, connector="simulator", settings={"host": "127.0.0.1", "port": simulator.port, "system_id": "payamak"}
        )
        from payamak.messaging.dispatch import POOL

        await POOL.get(world.connection.id)
        admin = await factory.user(None, "platform_admin")
        client = client_for("localhost")
        await client.login(admin)
        page = await client.get("/admin/simulator")
        assert page.status_code == 200 and "ارسال به‌جای گوشی" in page.text
        bad = await client.post_form("/admin/simulator", {"sender": "12", "line": world.line.number, "text": "x"})
        assert bad.status_code == 400
        sent = await client.post_form("/admin/simulator", {"sender": "۰۹۱۲۷۷۷۶۶۵۵", "line": world.line.number, "text": "سلام از گوشی"})
        assert sent.status_code == 200
        for _ in range(100):
            row = await InboundMessage.objects().where(InboundMessage.line == world.line.id).first()
            if row:
                break
            await asyncio.sleep(0.05)
        assert row is not None and (row.sender, row.text, row.owner) == ("989127776655", "سلام از گوشی", world.customer.id)
    finally:
        from payamak.messaging.dispatch import POOL

        await POOL.close_all()
        await simulator.stop()
