"""Pages of the message boxes: 4 Inbox, 15 Trash, 5 Outbox, 5-1 scheduled sends, 7 Templates."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath
from litestar.response import File, Redirect, Template

from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.i18n import localize_digits, ngettext
from payamak.messaging.lines import usable_lines_query
from payamak.web.formatting import money
from payamak.web.forms import form_data, safe_next
from payamak.web.guards import CUSTOMER
from payamak.web.rendering import flash, page

from . import exports, outbox, services
from .services import Criteria


def _query(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in request.query_params.items()}


def _search(request: Request, number_field: str) -> tuple[Criteria, str | None]:
    """The search of a list page, or an empty one and the error to show."""
    values = _query(request)
    try:
        return Criteria.parse(values, number_field), None
    except DomainError as exc:
        return Criteria(values={k: values.get(k, "") for k in (number_field, "text", "line", "date_from", "date_to")}), exc.message


def _here(request: Request) -> str:
    """This page's address with its query (where a form on it sends the user back to)."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _link_query(criteria: Criteria) -> str:
    return urlencode({k: v for k, v in criteria.values.items() if v})


async def _selected(request: Request) -> list[str]:
    """The ids ticked in a list's check boxes."""
    return list((await request.form()).getall("ids", []))


async def _back(request: Request, default: str) -> str:
    """Where a list's form returns to (the list as it was: its search and page)."""
    return safe_next((await request.form()).get("next"), default)


async def _lines_with_cost(user: Any, text: str) -> list[tuple[Any, Any]]:
    """The user's lines, each with the cost of ``text`` to one recipient from it (None if it cannot send)."""
    out = []
    for line in await usable_lines_query(user):
        try:
            quote = await services.cost(user, text, 1, line.id)
        except DomainError:
            quote = None
        out.append((line, quote))
    return out


# --- 4 Inbox ---------------------------------------------------------------------------------------


@get("/inbox", guards=CUSTOMER)
async def inbox(request: Request) -> Template:
    """4: messages received on the customer's lines, searchable by sender, text and Jalali dates."""
    criteria, error = _search(request, "sender")
    page_no = services.page_number(request.query_params.get("page_no"))
    box = await services.box_page(request.state.user, criteria, page_no) if error is None else services.Page([], 0, 1)
    return page(request, "boxes/inbox.html", box=box, criteria=criteria, query=_link_query(criteria), here=_here(request), error=error)


@get("/inbox/export", guards=CUSTOMER)
async def inbox_export(request: Request) -> File:
    """4-1: the search result as an Excel file."""
    path, _rows = await exports.export_inbox(request.state.user, Criteria.parse(_query(request), "sender"))
    return File(path, filename=exports.file_name("inbox"), media_type=exports.XLSX_MEDIA_TYPE, background=BackgroundTask(path.unlink))


@post("/inbox/delete", guards=CUSTOMER)
async def inbox_delete_selected(request: Request) -> Redirect:
    moved = await services.move_to_trash(request.state.user, await _selected(request))
    flash(
        request,
        ngettext("%(num)s message was moved to the trash.", "%(num)s messages were moved to the trash.", moved, num=localize_digits(moved)),
    )
    return Redirect(await _back(request, "/inbox"), status_code=303)


@post("/inbox/{message_id:int}/delete", guards=CUSTOMER)
async def inbox_delete(request: Request, message_id: FromPath[int]) -> Redirect:
    await services.received_message(request.state.user, message_id)
    await services.move_to_trash(request.state.user, [message_id])
    flash(request, _("The message was moved to the trash."))
    return Redirect(await _back(request, "/inbox"), status_code=303)


async def _reply_page(request: Request, message: Any, values: dict[str, Any], error: str | None = None, status: int = 200) -> Template:
    user = request.state.user
    lines = await usable_lines_query(user)
    quote = None
    if values.get("text"):
        try:
            quote = await services.cost(user, values["text"], 1, values.get("line_id"))
        except DomainError:
            quote = None
    return page(
        request,
        "boxes/reply.html",
        status_code=status,
        message=message,
        can_reply=services.can_reply(message),
        lines=lines,
        templates=await services.templates_for(user),
        values=values,
        quote=quote,
        error=error,
    )


@get("/inbox/{message_id:int}/reply", guards=CUSTOMER)
async def reply_form(request: Request, message_id: FromPath[int]) -> Template:
    """Reply to the sender; ``?template=<id>`` fills the text with a saved template."""
    user = request.state.user
    message = await services.received_message(user, message_id)
    values: dict[str, Any] = {"line_id": str(message.line), "text": ""}
    if request.query_params.get("template"):
        values["text"] = (await services.user_template(user, request.query_params["template"])).text
    return await _reply_page(request, message, values)


@post("/inbox/{message_id:int}/reply", guards=CUSTOMER)
async def reply_submit(request: Request, message_id: FromPath[int]) -> Template | Redirect:
    user = request.state.user
    message = await services.received_message(user, message_id)
    data = await form_data(request)
    try:
        job = await services.reply(user, message.id, data.get("text"), data.get("line_id"))
    except DomainError as exc:
        return await _reply_page(request, message, data, exc.message, exc.status_code)
    flash(
        request,
        _("Your reply to %(number)s was sent; it cost %(cost)s Rials.", number=localize_digits(message.sender), cost=money(job.reserved)),
    )
    return Redirect("/outbox", status_code=303)


async def _forward_page(
    request: Request, text: str, action: str, back: str, values: dict[str, Any], error: str | None = None, status: int = 200
) -> Template:
    return page(
        request,
        "boxes/forward.html",
        status_code=status,
        text=text,
        action=action,
        back=back,
        lines=await _lines_with_cost(request.state.user, text),
        values=values,
        error=error,
    )


async def _forward(request: Request, text: str, action: str, back: str) -> Template | Redirect:
    data = await form_data(request)
    try:
        job = await services.forward(request.state.user, text, data.get("numbers"), data.get("line_id"))
    except DomainError as exc:
        return await _forward_page(request, text, action, back, data, exc.message, exc.status_code)
    flash(
        request,
        ngettext(
            "The message was forwarded to %(num)s number; it cost %(cost)s Rials.",
            "The message was forwarded to %(num)s numbers; it cost %(cost)s Rials.",
            job.recipients,
            num=localize_digits(job.recipients),
            cost=money(job.reserved),
        ),
    )
    return Redirect("/outbox", status_code=303)


@get("/inbox/{message_id:int}/forward", guards=CUSTOMER)
async def inbox_forward_form(request: Request, message_id: FromPath[int]) -> Template:
    """Forward a received message to other numbers."""
    message = await services.received_message(request.state.user, message_id)
    return await _forward_page(request, message.text, f"/inbox/{message.id}/forward", "/inbox", {"line_id": str(message.line)})


@post("/inbox/{message_id:int}/forward", guards=CUSTOMER)
async def inbox_forward_submit(request: Request, message_id: FromPath[int]) -> Template | Redirect:
    message = await services.received_message(request.state.user, message_id)
    return await _forward(request, message.text, f"/inbox/{message.id}/forward", "/inbox")


@get("/boxes/quote", guards=CUSTOMER)
async def quote_fragment(request: Request) -> Template:
    """The cost of a reply or forward as it is typed (an htmx fragment)."""
    params = _query(request)
    count = len(services.split_numbers(params["numbers"])) if "numbers" in params else 1
    quote, error = None, None
    try:
        quote = await services.cost(request.state.user, params.get("text", ""), count, params.get("line_id"))
    except DomainError as exc:
        error = exc.message
    return Template(template_name="boxes/_quote.html", context={"quote": quote, "quote_error": error, "count": count})


# --- 15 Trash ------------------------------------------------------------------------------------


@get("/trash", guards=CUSTOMER)
async def trash(request: Request) -> Template:
    """15: messages deleted from the inbox; restore them or delete them for good."""
    page_no = services.page_number(request.query_params.get("page_no"))
    box = await services.box_page(request.state.user, Criteria(), page_no, folder="trash")
    return page(request, "boxes/trash.html", box=box, query="", here=_here(request))


async def _trash_action(request: Request, action: str, ids: list[Any] | None = None) -> Redirect:
    user = request.state.user
    selected = ids or await _selected(request)
    if action == "restore":
        n = await services.restore(user, selected)
        flash(
            request,
            ngettext(
                "%(num)s message was returned to the inbox.", "%(num)s messages were returned to the inbox.", n, num=localize_digits(n)
            ),
        )
    else:
        n = await services.delete_for_good(user, selected)
        flash(
            request, ngettext("%(num)s message was deleted for good.", "%(num)s messages were deleted for good.", n, num=localize_digits(n))
        )
    return Redirect(await _back(request, "/trash"), status_code=303)


@post("/trash/restore", guards=CUSTOMER)
async def trash_restore_selected(request: Request) -> Redirect:
    return await _trash_action(request, "restore")


@post("/trash/purge", guards=CUSTOMER)
async def trash_purge_selected(request: Request) -> Redirect:
    return await _trash_action(request, "purge")


@post("/trash/{message_id:int}/restore", guards=CUSTOMER)
async def trash_restore(request: Request, message_id: FromPath[int]) -> Redirect:
    await services.received_message(request.state.user, message_id, folder="trash")
    return await _trash_action(request, "restore", [message_id])


@post("/trash/{message_id:int}/purge", guards=CUSTOMER)
async def trash_purge(request: Request, message_id: FromPath[int]) -> Redirect:
    await services.received_message(request.state.user, message_id, folder="trash")
    return await _trash_action(request, "purge", [message_id])


# --- 5 Outbox and 5-1 scheduled sends --------------------------------------------------------------


@get("/outbox", guards=CUSTOMER)
async def outbox_list(request: Request) -> Template:
    """5: one row per recipient, searchable by recipient, text, Jalali dates and sender line."""
    user = request.state.user
    criteria, error = _search(request, "recipient")
    page_no = services.page_number(request.query_params.get("page_no"))
    box = await outbox.outbox_page(user, criteria, page_no) if error is None else services.Page([], 0, 1)
    return page(
        request,
        "boxes/outbox.html",
        box=box,
        criteria=criteria,
        query=_link_query(criteria),
        here=_here(request),
        sender_lines=await outbox.sender_lines(user),
        error=error,
    )


@get("/outbox/export", guards=CUSTOMER)
async def outbox_export(request: Request) -> File:
    """The outbox search result as an Excel file (streamed; a million rows are fine)."""
    path, _rows = await exports.export_outbox(request.state.user, Criteria.parse(_query(request), "recipient"))
    return File(path, filename=exports.file_name("outbox"), media_type=exports.XLSX_MEDIA_TYPE, background=BackgroundTask(path.unlink))


@post("/outbox/{recipient_id:int}/star", guards=CUSTOMER)
async def outbox_star(request: Request, recipient_id: FromPath[int]) -> Redirect:
    """The star: save the row's text as a template."""
    _template, created = await outbox.star(request.state.user, recipient_id)
    flash(request, _("The text was saved as a template.") if created else _("This text is already one of your templates."))
    return Redirect(await _back(request, "/outbox"), status_code=303)


@get("/outbox/{recipient_id:int}/forward", guards=CUSTOMER)
async def outbox_forward_form(request: Request, recipient_id: FromPath[int]) -> Template:
    row = await outbox.outbox_row(request.state.user, recipient_id)
    return await _forward_page(request, row["text"], f"/outbox/{row['id']}/forward", "/outbox", {})


@post("/outbox/{recipient_id:int}/forward", guards=CUSTOMER)
async def outbox_forward_submit(request: Request, recipient_id: FromPath[int]) -> Template | Redirect:
    row = await outbox.outbox_row(request.state.user, recipient_id)
    return await _forward(request, row["text"], f"/outbox/{row['id']}/forward", "/outbox")


@get("/scheduled", guards=CUSTOMER)
async def scheduled(request: Request) -> Template:
    """5-1: sends waiting for their time, with their recipients; each can be cancelled."""
    page_no = services.page_number(request.query_params.get("page_no"))
    return page(request, "boxes/scheduled.html", box=await outbox.scheduled_page(request.state.user, page_no), query="")


@post("/scheduled/{job_id:int}/cancel", guards=CUSTOMER)
async def scheduled_cancel(request: Request, job_id: FromPath[int]) -> Redirect:
    job = await outbox.cancel_scheduled(request.state.user, job_id)
    flash(request, _("The scheduled send was cancelled and %(amount)s Rials returned to your credit.", amount=money(job.reserved)))
    return Redirect("/scheduled", status_code=303)


# --- 7 Templates -----------------------------------------------------------------------------------


async def _templates_page(request: Request, values: dict[str, Any], error: str | None = None, status: int = 200) -> Template:
    user = request.state.user
    box = await services.templates_page(user, services.page_number(request.query_params.get("page_no")))
    return page(
        request, "boxes/templates.html", status_code=status, box=box, query="", limit=services.MAX_TEMPLATES, values=values, error=error
    )


@get("/templates", guards=CUSTOMER)
async def templates(request: Request) -> Template:
    """7: the customer's saved texts and the “Add template” form."""
    return await _templates_page(request, {})


@post("/templates", guards=CUSTOMER)
async def template_add(request: Request) -> Template | Redirect:
    data = await form_data(request)
    try:
        await services.add_template(request.state.user, data.get("text"))
    except DomainError as exc:
        return await _templates_page(request, data, exc.message, exc.status_code)
    flash(request, _("The template was saved."))
    return Redirect("/templates", status_code=303)


@get("/templates/{template_id:int}", guards=CUSTOMER)
async def template_edit(request: Request, template_id: FromPath[int]) -> Template:
    row = await services.user_template(request.state.user, template_id)
    return page(request, "boxes/template_form.html", editing=row, values={"text": row.text})


@post("/templates/{template_id:int}", guards=CUSTOMER)
async def template_update(request: Request, template_id: FromPath[int]) -> Template | Redirect:
    row = await services.user_template(request.state.user, template_id)
    data = await form_data(request)
    try:
        await services.update_template(request.state.user, row.id, data.get("text"))
    except DomainError as exc:
        return page(request, "boxes/template_form.html", status_code=exc.status_code, editing=row, values=data, error=exc.message)
    flash(request, _("The template was saved."))
    return Redirect("/templates", status_code=303)


@post("/templates/{template_id:int}/delete", guards=CUSTOMER)
async def template_delete(request: Request, template_id: FromPath[int]) -> Redirect:
    await services.delete_template(request.state.user, template_id)
    flash(request, _("The template was deleted."))
    return Redirect("/templates", status_code=303)


HANDLERS = [
    inbox,
    inbox_export,
    inbox_delete_selected,
    inbox_delete,
    reply_form,
    reply_submit,
    inbox_forward_form,
    inbox_forward_submit,
    quote_fragment,
    trash,
    trash_restore_selected,
    trash_purge_selected,
    trash_restore,
    trash_purge,
    outbox_list,
    outbox_export,
    outbox_star,
    outbox_forward_form,
    outbox_forward_submit,
    scheduled,
    scheduled_cancel,
    templates,
    template_add,
    template_edit,
    template_update,
    template_delete,
]
