"""Pages: the Jinja environment (core and plugin templates, i18n, filters) and ``page()``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from litestar import Request
from litestar.response import Template

from payamak.i18n import get_locale, gettext, localize_digits, ngettext
from payamak.registry import get_registry, menu_for
from payamak.web.formatting import jalali, money

CORE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def make_environment() -> Environment:
    """One environment over the core's templates and every plugin's."""
    folders = [str(CORE_TEMPLATES), *get_registry().collect("payamak_template_dirs")]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(f) for f in folders]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["jdate"] = jalali
    env.filters["jday"] = lambda v: jalali(v, with_time=False)
    env.filters["digits"] = localize_digits
    env.filters["money"] = money
    env.filters["entry_reason"] = _entry_reason
    env.globals["get_locale"] = get_locale
    return env


def _entry_reason(reason: str) -> str:
    from payamak.messaging.ledger import reason_text

    return reason_text(reason or "")


def flash(request: Request, message: str, level: str = "success") -> None:
    """Queue a message shown on the next page (``success``, ``error`` or ``info``)."""
    request.session.setdefault("flash", []).append({"level": level, "text": str(message)})


def common_context(request: Request) -> dict[str, Any]:
    """What every page needs: tenant, user, navigation, locale, queued messages."""
    from payamak.tenancy.services import enabled_plugins

    state = request.state
    tenant = state.get("tenant")
    user = state.get("user")
    enabled = enabled_plugins(tenant) if tenant is not None else None
    menu = menu_for(user.role, enabled) if user is not None else []
    flashes = []
    if "session" in request.scope and request.session:
        flashes = request.session.pop("flash", [])
    locale = get_locale()
    return {
        "tenant": tenant,
        "platform": state.get("platform", False),
        "user": user,
        "menu": menu,
        "current_path": request.url.path,
        "locale": locale,
        "dir": "rtl" if locale == "fa" else "ltr",
        "flashes": flashes,
    }


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> Template:
    """A panel page in the shared layout."""
    return Template(template_name=template, context={**common_context(request), **context}, status_code=status_code)
