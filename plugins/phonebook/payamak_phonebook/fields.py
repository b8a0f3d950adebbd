"""Custom fields (شاخص‌ها): reading what people type into each kind's canonical form.

Values are stored as text in one canonical form per kind, so export → import gives back the
same text and search finds what the page shows:

- ``text``: the text, trimmed, at most 500 characters;
- ``number``: Persian, Arabic-Indic or Latin digits, thousands separators and the Persian
  decimal mark accepted; stored as ``1234`` or ``12.5``;
- ``date``: a Jalali date ``Y/M/D`` (Persian or Latin digits, ``/`` or ``-``); stored as
  ``1403/05/12``, which also sorts in date order;
- ``choice``: one of the field's options.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import jdatetime

from payamak.errors import DomainError
from payamak.i18n import latin_digits
from payamak.i18n import lazy_gettext as _

MAX_VALUE = 500
MAX_NAME = 100
_SPACES = re.compile(r"\s+")
_ARABIC = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})

KIND_LABELS = {
    "text": _("Text"),
    "number": _("Numeric"),
    "date": _("Date (Jalali)"),
    "choice": _("Choice"),
}


def clean_text(value: Any, limit: int = MAX_VALUE) -> str:
    """Text as stored: Arabic ي/ك turned Persian, runs of white space made one space, trimmed, cut at ``limit``."""
    text = "" if value is None else str(value)
    return _SPACES.sub(" ", text.translate(_ARABIC)).strip()[:limit]


class FieldValueError(DomainError):
    """A value that does not fit its field's kind; the message names the field."""

    def __init__(self, field_name: str, message: Any, **params: Any) -> None:
        super().__init__("phonebook.field_invalid", message, field=field_name, **params)
        self.field_name = field_name


def parse_number(raw: str) -> str | None:
    """``1,234`` / ``۱۲٫۵`` → ``1234`` / ``12.5``; None when it is not a number."""
    text = latin_digits(raw).replace("٬", "").replace(",", "").replace("٫", ".").replace(" ", "").replace("\u066c", "")
    if text.startswith("\u2212"):
        text = "-" + text[1:]
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


@lru_cache(maxsize=4096)  # imports repeat dates; jdatetime's checks are slow
def parse_jalali_date(raw: str) -> str | None:
    """``۱۴۰۳/۵/۱۲`` or ``1403-05-12`` → ``1403/05/12``; None when it is not a Jalali date."""
    text = latin_digits(raw).strip().replace("-", "/").replace(".", "/")
    match = re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", text)
    if not match:
        return None
    year, month, day = (int(x) for x in match.groups())
    try:
        jdatetime.date(year, month, day)
    except ValueError:
        return None
    return f"{year:04d}/{month:02d}/{day:02d}"


def parse_options(raw: Any) -> list[str]:
    """A choice field's options from one-per-line text (or a list), blanks and repeats dropped."""
    items = raw if isinstance(raw, list | tuple) else re.split(r"[\r\n]+", str(raw or ""))
    options: list[str] = []
    for item in items:
        option = clean_text(item, MAX_NAME)
        if option and option not in options:
            options.append(option)
    return options


def parse_value(name: str, kind: str, options: list[str], raw: Any) -> str | None:
    """The canonical value of ``raw`` for a field, None when empty, or :class:`FieldValueError`."""
    text = clean_text(raw, 10_000)
    if not text:
        return None
    if kind == "number":
        number = parse_number(text)
        if number is None:
            raise FieldValueError(name, _("“%(value)s” is not a number (field “%(field)s”)."), value=text)
        return number
    if kind == "date":
        date = parse_jalali_date(text)
        if date is None:
            raise FieldValueError(name, _("“%(value)s” is not a Jalali date such as 1403/05/12 (field “%(field)s”)."), value=text)
        return date
    if kind == "choice":
        if text not in options:
            raise FieldValueError(
                name, _("“%(value)s” is not one of the options of “%(field)s”: %(options)s."), value=text, options="، ".join(options)
            )
        return text
    if len(text) > MAX_VALUE:
        raise FieldValueError(name, _("The value of “%(field)s” is longer than %(n)s characters."), n=MAX_VALUE)
    return text
