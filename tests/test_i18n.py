"""Translations and display formatting: the catalogue is complete, Jalali dates, digits."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from conftest import ROOT
from payamak.i18n import gettext, latin_digits, localize_digits, set_locale
from payamak.web.formatting import jalali, money, parse_jalali


def test_catalogue_translates_every_message_into_proper_persian():
    result = subprocess.run([sys.executable, "scripts/check_catalogue.py"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gettext_follows_the_request_locale():
    set_locale("fa")
    assert gettext("My profile") == "پروفایل من"
    set_locale("en")
    assert gettext("My profile") == "My profile"
    set_locale("fa")


def test_jalali_dates_in_tehran_time_with_persian_digits():
    set_locale("fa")
    # 2024-08-02 10:00 UTC is 1403/05/12 13:30 in Tehran (UTC+3:30).
    assert jalali(datetime(2024, 8, 2, 10, 0, tzinfo=UTC)) == "۱۴۰۳/۰۵/۱۲ ۱۳:۳۰"
    assert jalali(datetime(2024, 8, 2, 10, 0, tzinfo=UTC), with_time=False) == "۱۴۰۳/۰۵/۱۲"
    set_locale("en")
    assert jalali(datetime(2024, 8, 2, 10, 0, tzinfo=UTC)) == "2024-08-02 13:30"
    set_locale("fa")


def test_jalali_input_with_persian_or_latin_digits():
    expected = datetime(2024, 8, 2, 11, 0, tzinfo=UTC)
    assert parse_jalali("1403/5/12 14:30") == expected
    assert parse_jalali("۱۴۰۳/۵/۱۲ ۱۴:۳۰") == expected


def test_digits_and_money():
    set_locale("fa")
    assert localize_digits("09121234567") == "۰۹۱۲۱۲۳۴۵۶۷"
    assert latin_digits("۰۹۱۲٠١٢") == "0912012"
    assert money(1250000) == "۱٬۲۵۰٬۰۰۰"


PLACEHOLDER = re.compile(r"%\(\w+\)s")
ARABIC_LETTERS = re.compile("[\u064a\u0643\u0649]")


def _msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def test_every_plugin_catalogue_translates_every_message_of_its_package_in_real_persian(tmp_path):
    """For every plugin's catalogue: every message id of its package has a Persian translation
    (not fuzzy) with the same placeholders, no Arabic ي/ك and no English quotes; a plugin
    package's catalogue holds no id its code no longer uses; and a message the core also
    translates reads the same (catalogues merge into one, so a differing plugin translation
    would change the core's pages)."""
    from babel.messages.pofile import read_po

    import payamak
    from payamak.registry import get_registry

    core: dict[str, object] = {}
    for path in (Path(payamak.__file__).parent / "locale", Path(payamak.__file__).parent / "boxes" / "locale"):
        with (path / "fa" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            core.update({_msgid(m): m.string for m in read_po(fh, locale="fa") if m.id and m.string})
    registry = get_registry()
    problems = []
    for plugin, folders in registry.results_by_plugin("payamak_locale_dirs"):
        for folder in folders:
            package = Path(folder).parent
            pot = tmp_path / f"{plugin}.pot"
            extract = [
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
                str(package),
            ]
            subprocess.run(extract, cwd=ROOT, check=True, capture_output=True)
            with pot.open("rb") as fh:
                wanted = {_msgid(m) for m in read_po(fh) if m.id}
            assert wanted, f"{plugin}: no message ids found in {package}"
            with (Path(folder) / "fa" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
                catalogue = {_msgid(m): m for m in read_po(fh, locale="fa", abort_invalid=True) if m.id}
            for msgid in sorted(wanted):
                entry = catalogue.get(msgid)
                if entry is None and msgid in core:
                    continue  # the core's translation serves (catalogues merge into one)
                if entry is None or not entry.string or entry.fuzzy:
                    problems.append(f"{plugin}: missing {msgid!r}")
                    continue
                text = entry.string if isinstance(entry.string, str) else " ".join(entry.string)
                if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(msgid)):
                    problems.append(f"{plugin}: placeholders differ in {msgid!r}")
                if ARABIC_LETTERS.search(text):
                    problems.append(f"{plugin}: Arabic ي/ك in {text!r}")
                if "“" in text or "”" in text:
                    problems.append(f"{plugin}: English quotes in {text!r}")
                if not registry.plugins[plugin].builtin and msgid in core and core[msgid] != entry.string:
                    problems.append(f"{plugin}: {msgid!r} reads {entry.string!r}, the core's {core[msgid]!r}")
            # A built-in plugin's templates live outside its package, so only plugins are checked for leftovers.
            if not registry.plugins[plugin].builtin:
                problems += [f"{plugin}: unused {msgid!r}" for msgid in sorted(set(catalogue) - wanted)]
    assert not problems, "\n".join(problems)
