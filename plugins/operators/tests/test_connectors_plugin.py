"""Connector classes, addresses, the entry points, and the ``payamak simulator`` commands."""

from __future__ import annotations

import asyncio
import importlib
import socket
import sys
from importlib.metadata import entry_points
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from payamak_operators.addresses import AddressPlan, international_mobile
from payamak_operators.connectors import IrancellConnector, MciConnector, SimulatorConnector, SmppConnector
from payamak_operators.control import control_request
from payamak_operators.testing import FAST, FakeSink, eventually


def test_every_connector_has_its_own_entry_point():
    found = {ep.name: ep.value for ep in entry_points(group="payamak.plugins") if ep.value.startswith("payamak_operators.")}
    expected = {"smpp": SmppConnector, "irancell": IrancellConnector, "mci": MciConnector, "simulator": SimulatorConnector}

    assert set(found) == set(expected)
    for name, cls in expected.items():
        assert importlib.import_module(found[name]).payamak_operator_connectors() == [cls]
        assert cls.name == name


def test_the_operators_carry_their_prefixes():
    assert set(IrancellConnector.prefixes) == {"98901", "98902", "98903", "98904", "98905", "98930", "98933",
                                               "98935", "98936", "98937", "98938", "98939", "98941"}  # fmt: skip
    assert set(MciConnector.prefixes) == {f"9891{d}" for d in range(10)} | {f"9899{d}" for d in range(5)}
    assert SmppConnector.prefixes == ()


def test_settings_fields_hold_the_operator_defaults():
    names = [f.name for f in SmppConnector.settings_fields]
    assert names == ["host", "port", "system_id", "password", "system_type", "bind_mode", "source_ton", "source_npi",
                     "dest_ton", "dest_npi", "window", "max_per_second", "enquire_link_seconds"]  # fmt: skip
    assert next(f for f in SmppConnector.settings_fields if f.name == "password").secret
    defaults = {f.name: f.default for f in SimulatorConnector.settings_fields}
    assert (defaults["host"], defaults["port"], defaults["system_id"]) == ("127.0.0.1", 2775, "payamak")
    assert {f.name: f.default for f in MciConnector.settings_fields}["window"] == 30


def test_settings_stored_as_text_become_a_session_config():
    connector = SmppConnector(1, {"host": "smsc", "port": "2776", "window": "20", "max_per_second": "5", "bind_mode": ""}, FakeSink())

    config = connector.esme_config()

    assert (config.host, config.port, config.window, config.max_per_second, config.bind_mode) == ("smsc", 2776, 20, 5.0, "transceiver")


@pytest.mark.parametrize(
    ("cls", "sender", "expected"),
    [
        (SmppConnector, "Payamak", ("Payamak", 5, 0)),
        (SmppConnector, "+98 912 123 4567", ("989121234567", 1, 1)),
        (SmppConnector, "983000123", ("983000123", 3, 0)),
        (SmppConnector, "30001234", ("30001234", 3, 0)),
        (IrancellConnector, "30001234", ("30001234", 2, 1)),
        (MciConnector, "۱۰۰۰۱۲۳", ("1000123", 0, 1)),
        (MciConnector, "98210001234", ("98210001234", 1, 1)),
    ],
)
def test_senders_get_the_ton_and_npi_of_their_form(cls, sender, expected):
    assert cls(1, {}, FakeSink()).address_plan().source(sender) == expected


def test_explicit_source_ton_and_npi_override_the_form():
    connector = IrancellConnector(1, {"source_ton": "1", "source_npi": "1"}, FakeSink())

    assert connector.address_plan().source("30001234") == ("30001234", 1, 1)
    assert connector.normalise_sender(" 30001234 ") == "30001234"


@pytest.mark.parametrize("number", ["09121234567", "+989121234567", "00989121234567", "9121234567", "۰۹۱۲۱۲۳۴۵۶۷", "0912 123 4567"])
def test_recipients_go_out_in_international_form(number):
    assert AddressPlan().destination(number) == ("989121234567", 1, 1)


def test_a_national_destination_plan_writes_national_numbers():
    assert AddressPlan(dest_ton=2).destination("989121234567") == ("09121234567", 2, 1)


def test_incoming_senders_are_stored_in_one_form():
    assert international_mobile("09121234567") == "989121234567"
    assert international_mobile("9121234567", ton=2) == "989121234567"
    assert international_mobile("+989121234567", ton=1) == "989121234567"
    assert international_mobile("MCI") == "MCI"
    assert international_mobile("3000") == "3000"


def test_the_simulator_group_has_run_and_inject():
    from payamak_operators.simulator_plugin import payamak_cli_commands

    cli = click.Group()
    payamak_cli_commands(cli)
    result = CliRunner().invoke(cli, ["simulator", "--help"])

    assert result.exit_code == 0 and "run" in result.output and "inject" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _wait_for_port(port: int) -> None:
    async def open_() -> bool:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return False
        writer.close()
        return True

    for _ in range(300):
        if await open_():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


async def test_the_cli_runs_a_simulator_and_injects_a_message_into_it():
    payamak = str(Path(sys.executable).parent / "payamak")
    port = _free_port()
    server = await asyncio.create_subprocess_exec(payamak, "simulator", "run", "--port", str(port), "--control-port", str(port + 1),
                                                  "--receipt-delay", "0", stdout=asyncio.subprocess.PIPE)  # fmt: skip
    try:
        await _wait_for_port(port + 1)
        sink = FakeSink()
        connector = SimulatorConnector(1, {"port": port, **FAST}, sink)
        await connector.connect()
        try:
            inject = await asyncio.create_subprocess_exec(payamak, "simulator", "inject", "--port", str(port), "--from", "09121234567",
                                                          "--to", "3000123", "سلام از خط فرمان", stdout=asyncio.subprocess.PIPE)  # fmt: skip
            output, _ = await inject.communicate()
            assert inject.returncode == 0, output
            assert b"injected 1 part(s)" in output
            await eventually(lambda: [m.text for m in sink.messages] == ["سلام از خط فرمان"])
            stats = await control_request("127.0.0.1", port + 1, {"cmd": "stats"})
            assert stats["ok"] and stats["sessions"] == 1
        finally:
            await connector.disconnect()
    finally:
        server.terminate()
        await server.wait()
