"""Pages of 2-1 Simple send (``/send/simple``) with its live fragments, and the page that shows a send's jobs."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from payamak.errors import DomainError, NotFound
from payamak.i18n import latin_digits
from payamak.messaging.text import GSM7_BASIC, GSM7_EXTENDED, MULTI_PART_LIMIT, SINGLE_PART_LIMIT
from payamak.web.guards import CUSTOMER
from payamak.web.rendering import page
from payamak_sms_simple import recipients, services


def meter_context() -> dict[str, Any]:
    """The GSM-7 alphabet and part sizes the page's counter uses: the core's own, so both count alike."""
    return {
        "gsm7": "".join(sorted(GSM7_BASIC)),
        "gsm7_ext": "".join(sorted(GSM7_EXTENDED)),
        "limits": {"single": SINGLE_PART_LIMIT, "multi": MULTI_PART_LIMIT},
    }


async def _choice(request: Request) -> tuple[recipients.Choice, dict[str, Any]]:
    """The recipients and the other fields of the submitted form; ``data["contact_labels"]`` maps each
    picked contact to the name the page showed for it (only ever shown back to the same user)."""
    form = await request.form()
    data = {k: v for k, v in form.items() if k != "_csrf_token"}
    contacts = form.getall("contact", [])
    choice = recipients.Choice.from_form(data.get("numbers"), form.getall("group", []), contacts)
    labels = form.getall("contact_label", [])
    data["contact_labels"] = {str(v): str(label)[:120] for v, label in zip(contacts, labels, strict=False)}
    return choice, data


async def _count(request: Request, choice: recipients.Choice) -> dict[str, Any]:
    """The live count of a choice for the page: unique recipients, duplicates, and the first problem."""
    user = request.state.user
    try:
        found = await recipients.resolve(user, recipients.recipient_sources(request.state.tenant), choice)
    except NotFound:
        return {"count": 0, "duplicates": 0, "count_error": str(NotFound().message)}
    error = ""
    try:
        found.check()
    except DomainError as exc:
        error = exc.message if exc.code != "recipients.none" else ""
    return {"count": len(found.numbers), "duplicates": found.duplicates, "count_error": error, "over": found.over_limit}


async def _simple_page(
    request: Request,
    choice: recipients.Choice,
    message: services.Message,
    error: str = "",
    status: int = 200,
    labels: dict[str, str] | None = None,
) -> Template:
    user = request.state.user
    sources = recipients.recipient_sources(request.state.tenant)
    return page(
        request,
        "sms_simple/simple.html",
        status_code=status,
        tab="simple",
        error=error,
        values={**message.values(), "numbers": choice.typed},
        picked_groups=set(choice.group_picks()),
        picked_contacts=[{"value": v, "label": (labels or {}).get(v) or v} for v in choice.contact_picks()],
        source_groups=await recipients.source_groups(user, sources),
        has_sources=bool(sources),
        limit=recipients.MAX_SIMPLE_RECIPIENTS,
        **await _count(request, choice),
        **await services.form_context(user),
        **meter_context(),
    )


@get("/send/simple", guards=CUSTOMER)
async def simple_form(request: Request) -> Template:
    """2-1: recipients from the phonebook and typed numbers, a text or template, now or later."""
    message = services.Message(schedule=False)
    return await _simple_page(request, recipients.Choice(), message)


@post("/send/simple", guards=CUSTOMER)
async def simple_submit(request: Request) -> Template | Redirect:
    choice, data = await _choice(request)
    message = services.Message.from_form(data)
    try:
        job = await services.send_simple(request.state.user, request.state.tenant, choice, message)
    except NotFound:
        raise
    except DomainError as exc:
        return await _simple_page(request, choice, message, exc.message, exc.status_code, data["contact_labels"])
    return Redirect(f"/send/done?jobs={job.id}", status_code=303)


@post("/send/simple/count", guards=CUSTOMER)
async def simple_count(request: Request) -> Template:
    """The recipients a choice reaches, as they are picked (an htmx fragment)."""
    choice, _data = await _choice(request)
    context = await _count(request, choice)
    return Template(template_name="sms_simple/_count.html", context={**context, "limit": recipients.MAX_SIMPLE_RECIPIENTS})


@get("/send/simple/contacts", guards=CUSTOMER)
async def simple_contacts(request: Request, q: FromQuery[str] = "") -> Template:
    """Contacts matching what is typed in the search box, to click (an htmx fragment)."""
    sources = recipients.recipient_sources(request.state.tenant)
    found = await recipients.search_contacts(request.state.user, sources, q)
    return Template(template_name="sms_simple/_contacts.html", context={"contacts": found, "q": q})


@get("/send/done", guards=CUSTOMER)
async def done(request: Request, jobs: FromQuery[str] = "") -> Template:
    """What a send made: its jobs (one, or one per time of a peer-to-peer send), their status, time and cost."""
    try:
        ids = [int(x) for x in latin_digits(jobs).split(",") if x.strip()]
    except ValueError:
        raise NotFound("job") from None
    rows = await services.user_jobs(request.state.user, ids)
    return page(request, "sms_simple/done.html", jobs=rows, total=sum(j.reserved for j in rows), recipients=sum(j.recipients for j in rows))


HANDLERS = [simple_form, simple_submit, simple_count, simple_contacts, done]
