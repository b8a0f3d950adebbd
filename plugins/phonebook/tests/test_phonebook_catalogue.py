"""The phonebook's Persian catalogue: complete, well-formed, and in agreement with the core's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

PLUGIN = Path(__file__).resolve().parent.parent
ROOT = PLUGIN.parent.parent
CATALOGUE = PLUGIN / "payamak_phonebook" / "locale" / "fa" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def extracted(tmp_path: Path):
    pot = tmp_path / "phonebook.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-o", str(pot)]
    subprocess.run([*command, str(PLUGIN / "payamak_phonebook")], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        return read_po(fh)


def test_every_message_of_the_plugin_has_a_persian_translation_with_the_same_placeholders(tmp_path):
    template = extracted(tmp_path)
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="fa", abort_invalid=True)
    problems = []
    ids = [m.id for m in template if m.id]
    assert len(ids) > 100
    for msgid in ids:
        entry = catalogue.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            problems.append(f"missing or fuzzy: {msgid!r}")
            continue
        if sorted(PLACEHOLDER.findall(entry.string)) != sorted(PLACEHOLDER.findall(msgid)):
            problems.append(f"placeholders differ: {msgid!r} → {entry.string!r}")
        if re.search("[\u064a\u0643\u0649]", entry.string):
            problems.append(f"Arabic ي/ك/ى instead of Persian ی/ک: {entry.string!r}")
        if re.search("[A-Za-z]{4,}", re.sub(r"JSON|Save as", "", PLACEHOLDER.sub("", entry.string))):
            problems.append(f"left in English: {entry.string!r}")
    stale = [m.id for m in catalogue if m.id and m.id not in ids]
    assert problems == [] and stale == []


def test_messages_the_core_also_has_keep_the_cores_translation():
    # Catalogues are merged into one: a different translation here would change the core's pages.
    core = ROOT / "platform" / "payamak" / "locale" / "fa" / "LC_MESSAGES" / "messages.po"
    with core.open("rb") as fh:
        core_catalogue = read_po(fh, locale="fa")
    with CATALOGUE.open("rb") as fh:
        ours = read_po(fh, locale="fa")
    shared = [(m.id, m.string, core_catalogue.get(m.id).string) for m in ours if m.id and core_catalogue.get(m.id) is not None]
    assert shared and [s for s in shared if s[1] != s[2]] == []


def test_the_menu_and_the_pages_speak_persian(app):
    from payamak.i18n import gettext, reset_catalogues, set_locale

    reset_catalogues()
    token = set_locale("fa")
    try:
        assert gettext("Phonebook") == "دفترچه تلفن"
        assert gettext("All contacts") == "همه مخاطبین"
        assert gettext("Import") == "درون‌برد" and gettext("Export") == "برون‌برد"
    finally:
        from payamak.i18n import _locale

        _locale.reset(token)
