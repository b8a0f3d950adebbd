"""The boxes' Persian catalogue covers every message id of their code and templates, correctly."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

from payamak.i18n import gettext, set_locale

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "platform/payamak/boxes/locale/fa/LC_MESSAGES/messages.po"
CORE = ROOT / "platform/payamak/locale/fa/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def extracted() -> dict[str, object]:
    """Every id used under platform/payamak/boxes and platform/payamak/templates/boxes (a fresh pybabel run)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "lazy_gettext"]
        subprocess.run([*command, "-o", str(pot), "platform/payamak"], cwd=ROOT, check=True, capture_output=True)
        with pot.open("rb") as fh:
            template = read_po(fh)
    return {m.id: m for m in template if m.id and any("/boxes/" in loc for loc, _ in m.locations)}


def test_every_message_id_of_the_boxes_has_a_correct_persian_translation():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="fa", abort_invalid=True)
    with CORE.open("rb") as fh:
        core = read_po(fh, locale="fa")
    ids = extracted()
    assert len(ids) > 50
    problems = []
    for msgid in ids:
        entry = catalogue.get(msgid)
        if entry is None or entry.fuzzy:
            problems.append(f"{msgid!r}: missing or fuzzy")
            continue
        strings = list(entry.string) if isinstance(entry.string, tuple | list) else [entry.string]
        expected = set(PLACEHOLDER.findall("\n".join(msgid if isinstance(msgid, tuple) else (msgid,))))
        for string in strings:
            if not string:
                problems.append(f"{msgid!r}: empty")
            elif set(PLACEHOLDER.findall(string)) != expected:
                problems.append(f"{msgid!r}: placeholders differ in {string!r}")
            elif re.search("[\u064a\u0643\u0649]", string):
                problems.append(f"{msgid!r}: Arabic ي/ك/ى in {string!r}")
        shared = core.get(msgid)
        if shared is not None and shared.string and shared.string != entry.string:
            # Catalogues are merged with this one last: a different wording would change the core's pages too.
            problems.append(f"{msgid!r}: {entry.string!r} differs from the core's {shared.string!r}")
    unused = [m.id for m in catalogue if m.id and m.id not in ids]
    assert not problems, "\n".join(problems)
    assert not unused, f"ids no longer used: {unused}"


def test_the_catalogue_is_loaded_into_the_panel():
    token = set_locale("fa")
    try:
        assert gettext("Trash") == "زباله‌دان"
        assert gettext("Scheduled sends") == "ارسال‌های زمان‌بندی‌شده"
        assert gettext("Templates") == "پیام‌های نمونه"
    finally:
        from payamak.i18n import _locale

        _locale.reset(token)
