"""Check the core's translation catalogues against a fresh extraction of its message ids.

Extracts every ``_()`` / ``gettext()`` / ``ngettext()`` / ``lazy_gettext()`` id from platform/payamak (Python
and Jinja templates, as babel.cfg maps them) into a temporary .pot with pybabel, then reads
platform/payamak/locale/{fa,en}/LC_MESSAGES/messages.po and fails (exit status 1) on:

- an id missing from the Persian catalogue, or there with an empty or fuzzy msgstr (fuzzy ones are not loaded);
- a msgstr whose ``%(name)s`` placeholders differ from its msgid's, or that holds a stray ``%``;
- Arabic yeh/kaf (U+064A, U+0643, U+0649) in Persian text instead of Persian ی and ک;
- a catalogue that does not parse.
Folders named ``boxes`` (platform/payamak/boxes, platform/payamak/templates/boxes) are not extracted: that feature
keeps a catalogue of its own. Ids that the code no longer uses are only warned about. Run: ``.venv/bin/python scripts/check_catalogue.py``
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("platform/payamak")
# Folder names pybabel does not descend into: its defaults (hidden and underscore folders) plus ``boxes``,
# a feature with a catalogue of its own (platform/payamak/boxes, platform/payamak/templates/boxes).
IGNORED_DIRS = (".*", "_*", "boxes")
LOCALE_DIR = ROOT / SOURCE / "locale"
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
ARABIC_LETTERS = re.compile("[\u064a\u0643\u0649]")


def extract() -> Catalog:
    """A fresh template of every message id in the core, made by pybabel in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        command = ["-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "lazy_gettext"]
        command += ["--ignore-dirs", " ".join(IGNORED_DIRS), "-o", str(pot), str(SOURCE)]
        done = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"pybabel extract failed:\n{done.stderr}")
        with pot.open("rb") as fh:
            return read_po(fh)


def placeholders(text: str) -> tuple[set[str], bool]:
    """The ``%(name)s``-style tokens of ``text``, and whether a ``%`` is left over outside them."""
    tokens = PLACEHOLDER.findall(text)
    return set(tokens), "%" in PLACEHOLDER.sub("", text)


def check(locale: str, template: Catalog, required: bool) -> list[str]:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale, abort_invalid=True)
    except Exception as exc:  # a missing file or a syntax error
        return [f"{path}: cannot be read: {exc}"]
    problems: list[str] = []
    for msg in template:
        if not msg.id:
            continue
        entry = catalog.get(msg.id, msg.context)
        ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
        label = f"[{locale}] {ids[0]!r}"
        if entry is None:
            if required:
                problems.append(f"{label}: missing")
            continue
        strings = list(entry.string) if isinstance(entry.string, tuple | list) else [entry.string]
        if entry.fuzzy:
            problems.append(f"{label}: marked fuzzy (ignored when loaded)")
        if required and not all(strings):
            problems.append(f"{label}: empty msgstr")
        expected, expected_stray = placeholders("\n".join(ids))
        for string in filter(None, strings):
            tokens, stray = placeholders(string)
            # A plural form may leave out the count (Persian often says «یک پیامک»); a singular one must keep all.
            if (tokens != expected and not (len(ids) > 1 and tokens <= expected)) or stray != expected_stray:
                problems.append(f"{label}: placeholders differ in {string!r}")
            if locale == "fa" and ARABIC_LETTERS.search(string):
                problems.append(f"{label}: Arabic ي/ك/ى in {string!r} (use Persian ی and ک)")
    for entry in catalog:
        if entry.id and template.get(entry.id, entry.context) is None:
            print(f"warning: [{locale}] {entry.id!r} is no longer used by the code", file=sys.stderr)
    return problems


def main() -> int:
    template = extract()
    count = sum(1 for m in template if m.id)
    problems = check("fa", template, required=True) + check("en", template, required=False)
    for problem in problems:
        print(problem)
    print(f"{count} message ids extracted; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
