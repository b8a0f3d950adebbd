"""Translations: Persian first, English second; catalogues from the core and every plugin.

Message ids are English. ``.po`` files are compiled in memory at start-up, so no build step
is needed. The current locale is per request (a context variable set by the middleware).
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

LOCALES = ("fa", "en")
DEFAULT_LOCALE = "fa"
CORE_LOCALE_DIR = Path(__file__).parent / "locale"

_locale: ContextVar[str] = ContextVar("payamak_locale", default=DEFAULT_LOCALE)
_catalogues: dict[str, NullTranslations] | None = None


def _load_po(path: Path, locale: str) -> Translations:
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def locale_dirs() -> list[Path]:
    """The core's locale folder and every plugin's."""
    from payamak.registry import get_registry

    return [CORE_LOCALE_DIR, *(Path(p) for p in get_registry().collect("payamak_locale_dirs"))]


def load_catalogues() -> dict[str, NullTranslations]:
    """Compile and merge every ``<dir>/<locale>/LC_MESSAGES/messages.po``."""
    catalogues: dict[str, NullTranslations] = {}
    for locale in LOCALES:
        merged: Translations | None = None
        for folder in locale_dirs():
            po = folder / locale / "LC_MESSAGES" / "messages.po"
            if not po.is_file():
                continue
            translations = _load_po(po, locale)
            if merged is None:
                merged = translations
            else:
                merged.merge(translations)
        catalogues[locale] = merged or NullTranslations()
    return catalogues


def catalogues() -> dict[str, NullTranslations]:
    global _catalogues
    if _catalogues is None:
        _catalogues = load_catalogues()
    return _catalogues


def reset_catalogues() -> None:
    global _catalogues
    _catalogues = None


def get_locale() -> str:
    """The locale of the running request."""
    return _locale.get()


def set_locale(locale: str) -> Any:
    return _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def gettext(message: str, **params: Any) -> str:
    """Translate ``message`` into the current locale, then fill ``%(name)s`` placeholders
    (whole numbers get separators and the locale's digits)."""
    text = catalogues()[get_locale()].gettext(message)
    return text % localize_params(params) if params else text


def localize_params(params: dict[str, Any]) -> dict[str, Any]:
    """Whole numbers shown with separators and, in Persian, Persian digits."""
    separator = "٬" if get_locale() == "fa" else ","
    return {
        k: localize_digits(f"{v:,}".replace(",", separator)) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in params.items()
    }


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = catalogues()[get_locale()].ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % localize_params(params)


def lazy_gettext(message: str, **params: Any) -> LazyProxy:
    """A translation evaluated when shown (for module-level strings and error messages)."""
    return LazyProxy(gettext, message, enable_cache=False, **params)


_ = gettext

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
LATIN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def localize_digits(value: Any) -> str:
    """Persian digits in the Persian locale, as they are in English."""
    text = "" if value is None else str(value)
    return text.translate(PERSIAN_DIGITS) if get_locale() == "fa" else text


def latin_digits(value: str) -> str:
    """Persian and Arabic-Indic digits turned Latin (form input accepts all three)."""
    return value.translate(LATIN_DIGITS)
