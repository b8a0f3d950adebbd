"""The plugin's Persian catalogue covers every string of its code and templates, in real Persian."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

import payamak_webhooks

PACKAGE = Path(payamak_webhooks.__file__).parent
ROOT = PACKAGE.parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
ARABIC_LETTERS = re.compile("[\u064a\u0643\u0649]")


def extracted(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "lazy_gettext",
        "-o",
        str(pot),
        str(PACKAGE),
    ]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def test_every_message_id_has_a_persian_translation_with_the_same_placeholders(tmp_path):
    with (PACKAGE / "locale" / "fa" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalogue = read_po(fh, locale="fa", abort_invalid=True)
    ids = extracted(tmp_path)
    assert len(ids) > 35
    problems = []
    for msgid in sorted(ids):
        entry = catalogue.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            problems.append(f"missing: {msgid!r}")
            continue
        if set(PLACEHOLDER.findall(entry.string)) != set(PLACEHOLDER.findall(msgid)):
            problems.append(f"placeholders differ: {msgid!r}")
        if ARABIC_LETTERS.search(entry.string):
            problems.append(f"Arabic ي/ك in: {entry.string!r}")
    unused = {m.id for m in catalogue if m.id} - ids
    assert problems == [] and unused == set()
