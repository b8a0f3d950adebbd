"""The page's live counter (static/send.js) counts characters and parts exactly as the core charges them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import payamak_sms_simple
from payamak.messaging.text import info
from payamak_sms_simple.routes import meter_context

SCRIPT = Path(payamak_sms_simple.__file__).parent / "static" / "send.js"

TEXTS = [
    "",
    "Hello",
    "a" * 160,
    "a" * 161,
    "a" * 306,
    "a" * 307,
    "€" * 80,  # extension characters count two: 160 units in one part
    "€" * 81,
    "a" * 152 + "€" + "b" * 10,  # an escape pair is never cut between parts
    "سلام",
    "س" * 70,
    "س" * 71,
    "س" * 134,
    "س" * 135,
    "😀" * 35,  # two UTF-16 units each
    "😀" * 36,
    "س" * 66 + "😀" + "س" * 5,  # a surrogate pair is never cut either
    "Price: 1000 {Rials} [today] ~ ^ | \\ only",
    "line one\nline two\nسطر سوم",
    "Ça coûte 5 € à Zürich — naïve",
]


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("node is needed to test the page's counter (make installs it for the front-end packages)")
    return path


def test_the_page_counter_matches_the_core_for_every_kind_of_text(node):
    context = meter_context()
    program = f"""
const {{ smsInfo }} = require({json.dumps(str(SCRIPT))});
const alphabet = new Set(Array.from({json.dumps(context["gsm7"])}));
const extension = new Set(Array.from({json.dumps(context["gsm7_ext"])}));
const limits = {json.dumps(context["limits"])};
const texts = {json.dumps(TEXTS)};
console.log(JSON.stringify(texts.map(t => smsInfo(t, alphabet, extension, limits))));
"""
    output = subprocess.run([node, "-e", program], capture_output=True, text=True, check=True).stdout
    for text, counted in zip(TEXTS, json.loads(output), strict=True):
        expected = info(text)
        assert (counted["encoding"], counted["length"], counted["units"], counted["parts"], counted["perPart"], counted["remaining"]) == (
            expected.encoding,
            expected.length,
            expected.units,
            expected.parts,
            expected.per_part,
            expected.remaining,
        ), text


def test_money_and_digits_are_shown_as_the_server_shows_them(node):
    program = f"""
const m = require({json.dumps(str(SCRIPT))});
console.log(JSON.stringify([m.money(1234567, "fa"), m.money(1234567, "en"), m.localDigits(70, "fa")]));
"""
    output = json.loads(subprocess.run([node, "-e", program], capture_output=True, text=True, check=True).stdout)
    assert output == ["۱٬۲۳۴٬۵۶۷", "1,234,567", "۷۰"]
