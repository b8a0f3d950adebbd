"""The simulator's admin page "send as a phone": inject an incoming message into the simulator SMSC."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template

from payamak.i18n import gettext as _
from payamak.i18n import latin_digits
from payamak.messaging.numbers import try_normalise
from payamak.settings import get_settings
from payamak.web.forms import form_data
from payamak.web.guards import PLATFORM_ADMIN
from payamak.web.rendering import page


def _control_port() -> int:
    return int(get_settings().extra.get("SIMULATOR_PORT", "2775")) + 1


@get("/admin/simulator", guards=PLATFORM_ADMIN)
async def phone_page(request: Request) -> Template:
    """A form that texts one of our lines as if from a phone."""
    return page(request, "operators/phone.html", values={})


@post("/admin/simulator", guards=PLATFORM_ADMIN)
async def phone_send(request: Request) -> Template:
    from payamak_operators.control import control_request

    data: dict[str, Any] = await form_data(request)
    sender = try_normalise(str(data.get("sender", "")))
    line = latin_digits(str(data.get("line", ""))).strip()
    text = str(data.get("text", ""))
    error = None
    if sender is None:
        error = _("“%(number)s” is not a mobile number.", number=data.get("sender", ""))
    elif not line.isdigit() or not text.strip():
        error = _("Enter the line number and a text.")
    if error:
        return page(request, "operators/phone.html", status_code=400, values=data, error=error)
    try:
        answer = await control_request("127.0.0.1", _control_port(), {"cmd": "inject", "from": sender, "to": line, "text": text})
    except OSError:
        return page(
            request,
            "operators/phone.html",
            status_code=503,
            values=data,
            error=_("The simulator SMSC is not running (start it with “payamak simulator run”)."),
        )
    if not answer.get("ok", True):
        return page(request, "operators/phone.html", status_code=400, values=data, error=str(answer.get("error", "")))
    return page(
        request,
        "operators/phone.html",
        values={"line": line, "sender": data.get("sender", "")},
        sent=_("Sent to %(line)s as %(sender)s.", line=line, sender=sender),
    )
