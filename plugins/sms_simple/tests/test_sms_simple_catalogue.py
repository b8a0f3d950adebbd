"""The plugin's Persian catalogue covers every string of its code and templates, in real Persian,
and agrees with the core's catalogue where both translate the same message."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

import payamak
import payamak_sms_simple

PACKAGE = Path(payamak_sms_simple.__file__).parent
ROOT = PACKAGE.parents[2]
CORE_CATALOGUES = [
    Path(payamak.__file__).parent / "locale" / "fa" / "LC_MESSAGES" / "messages.po",
    Path(payamak.__file__).parent / "boxes" / "locale" / "fa" / "LC_MESSAGES" / "messages.po",
]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
ARABIC_LETTERS = re.compile("[\u064a\u0643\u0649]")


def catalogue(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale="fa", abort_invalid=True)


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
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


def test_every_message_id_has_a_persian_translation_with_the_same_placeholders(tmp_path):
    own = catalogue(PACKAGE / "locale" / "fa" / "LC_MESSAGES" / "messages.po")
    ids = extracted(tmp_path)
    assert len(ids) > 100
    problems = []
    for msgid in sorted(ids):
        entry = own.get(msgid)
        strings = [] if entry is None else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or not all(strings) or not strings or entry.fuzzy:
            problems.append(f"missing: {msgid!r}")
            continue
        ids_placeholders = set(PLACEHOLDER.findall(msgid if isinstance(entry.id, str) else " ".join(entry.id)))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != ids_placeholders:
                problems.append(f"placeholders differ: {msgid!r}")
            if ARABIC_LETTERS.search(string):
                problems.append(f"Arabic ي/ك in: {string!r}")
            if "“" in string or "”" in string:
                problems.append(f"English quotes in: {string!r}")
    unused = {m.id if isinstance(m.id, str) else m.id[0] for m in own if m.id} - ids
    assert problems == [] and unused == set()


def test_messages_the_core_also_translates_read_the_same():
    # Catalogues are merged into one: a plugin translating a shared message differently would change the core's pages.
    own = catalogue(PACKAGE / "locale" / "fa" / "LC_MESSAGES" / "messages.po")
    differ = []
    for path in CORE_CATALOGUES:
        core = catalogue(path)
        for entry in own:
            theirs = core.get(entry.id) if entry.id else None
            if theirs is not None and theirs.string and theirs.string != entry.string:
                differ.append((entry.id, entry.string, theirs.string))
    assert differ == []
