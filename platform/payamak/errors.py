"""Domain errors: what a user can cause, with a stable code and a translatable message.

They are turned into a page message or a JSON error in one place (``payamak.web.errors``).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An error a user caused: ``code`` is stable for API clients, ``message`` is translated."""

    status_code = 400

    def __init__(self, code: str, message: Any, *, status_code: int | None = None, **params: Any) -> None:
        self.code = code
        self._message = message
        self.params = params
        if status_code is not None:
            self.status_code = status_code
        super().__init__(code)

    @property
    def message(self) -> str:
        """The translated message; whole numbers among the params get separators and the locale's digits."""
        from payamak.i18n import localize_params

        text = str(self._message)
        return text % localize_params(self.params) if self.params else text

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """The object does not exist for this tenant (never 403: no hint that it exists elsewhere)."""

    status_code = 404

    def __init__(self, what: str = "object") -> None:
        from payamak.i18n import lazy_gettext as _

        super().__init__("not_found", _("Not found."), status_code=404)
        self.what = what
