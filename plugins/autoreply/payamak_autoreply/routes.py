"""Auto-reply pages under /autoreply: responders with their counters, the single-responder form,
group upload with its errors, default responders per line and recent misses."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.i18n import localize_digits
from payamak.web.forms import form_data
from payamak.web.guards import CUSTOMER
from payamak.web.rendering import flash, page
from payamak_autoreply import services, upload
from payamak_autoreply.tables import Responder

FORM_LIMIT = upload.MAX_UPLOAD_BYTES + 1024 * 1024


def responder_input(data: dict[str, Any]) -> services.ResponderInput:
    """A keyword responder from the submitted form."""
    return services.ResponderInput(
        keywords=[str(data.get("keywords", ""))],
        reply_text=str(data.get("reply_text", "")),
        line_id=services.parse_line_id(data.get("line_id")),
        match_mode=str(data.get("match_mode") or "exact"),
        enabled=bool(data.get("enabled")),
        template_id=services.parse_template_id(data.get("template_id")),
    )


async def _form(request: Request, editing: Responder | None, values: dict[str, Any], error: str = "", status: int = 200) -> Template:
    user = request.state.user
    lines, templates = await services.owned_lines(user), await services.user_templates(user)
    tab = "list" if editing else "new"
    return page(
        request,
        "autoreply/form.html",
        status_code=status,
        editing=editing,
        values=values,
        lines=lines,
        templates=templates,
        error=error,
        tab=tab,
    )


@get("/autoreply", guards=CUSTOMER)
async def responders_page(request: Request, q: FromQuery[str] = "", page_no: FromQuery[int] = 1) -> Template:
    """The customer's keyword responders with their counters."""
    user = request.state.user
    rows, pages = await services.list_responders(user, q, page_no)
    lines = {line.id: line for line in await services.owned_lines(user)}
    return page(request, "autoreply/list.html", responders=rows, lines=lines, q=q, page_no=page_no, pages=pages, tab="list")


@get("/autoreply/new", guards=CUSTOMER)
async def new_form(request: Request) -> Template:
    """6-1: a new single responder."""
    return await _form(request, None, {"enabled": True, "match_mode": "exact"})


@post("/autoreply/new", guards=CUSTOMER)
async def new_submit(request: Request) -> Template | Redirect:
    data = await form_data(request)
    try:
        await services.create_responder(request.state.user, responder_input(data))
    except DomainError as exc:
        return await _form(request, None, data, exc.message, exc.status_code)
    flash(request, _("The responder was saved."))
    return Redirect("/autoreply", status_code=303)


@get("/autoreply/{responder_id:int}/edit", guards=CUSTOMER)
async def edit_form(request: Request, responder_id: FromPath[int]) -> Template:
    responder = await services.user_responder(request.state.user, responder_id, "keyword")
    values = {
        "keywords": "، ".join(k for k in responder.keywords.split("\n") if k),
        "reply_text": responder.reply_text,
        "line_id": str(responder.line or ""),
        "match_mode": responder.match_mode,
        "enabled": responder.enabled,
        "template_id": str(responder.template_id or ""),
    }
    return await _form(request, responder, values)


@post("/autoreply/{responder_id:int}/edit", guards=CUSTOMER)
async def edit_submit(request: Request, responder_id: FromPath[int]) -> Template | Redirect:
    responder = await services.user_responder(request.state.user, responder_id, "keyword")
    data = await form_data(request)
    try:
        await services.update_responder(request.state.user, responder.id, responder_input(data))
    except DomainError as exc:
        return await _form(request, responder, data, exc.message, exc.status_code)
    flash(request, _("The responder was saved."))
    return Redirect("/autoreply", status_code=303)


def _back(responder: Responder) -> str:
    return "/autoreply/defaults" if responder.kind == "default" else "/autoreply"


@post("/autoreply/{responder_id:int}/toggle", guards=CUSTOMER)
async def toggle(request: Request, responder_id: FromPath[int]) -> Redirect:
    """Enable or disable a responder."""
    responder = await services.user_responder(request.state.user, responder_id)
    responder = await services.set_enabled(request.state.user, responder.id, not responder.enabled)
    flash(request, _("The responder was enabled.") if responder.enabled else _("The responder was disabled."))
    return Redirect(_back(responder), status_code=303)


@post("/autoreply/{responder_id:int}/delete", guards=CUSTOMER)
async def delete(request: Request, responder_id: FromPath[int]) -> Redirect:
    responder = await services.user_responder(request.state.user, responder_id)
    await services.delete_responder(request.state.user, responder.id)
    flash(request, _("The responder was deleted."))
    return Redirect(_back(responder), status_code=303)


@get("/autoreply/group", guards=CUSTOMER)
async def group_form(request: Request) -> Template:
    """6-2: create many responders from a file."""
    return page(request, "autoreply/group.html", errors=[], tab="group", formats=upload.FORMATS)


@post("/autoreply/group", guards=CUSTOMER, request_max_body_size=FORM_LIMIT)
async def group_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    file = form.get("file")
    errors: list[upload.RowError] = []
    error = ""
    if file is None or isinstance(file, str) or not getattr(file, "filename", ""):
        error = _("Choose a file to upload.")
    else:
        try:
            created = await upload.create_group(request.state.user, file.filename, await file.read(upload.MAX_UPLOAD_BYTES + 1))
        except upload.GroupUploadError as exc:
            error, errors = exc.message, exc.errors
        except DomainError as exc:
            error = exc.message
        else:
            flash(request, _("%(n)s responders were created.", n=localize_digits(len(created))))
            return Redirect("/autoreply", status_code=303)
    return page(request, "autoreply/group.html", status_code=400, errors=errors, error=error, tab="group", formats=upload.FORMATS)


@get("/autoreply/group/sample/{fmt:str}", guards=CUSTOMER)
async def group_sample(request: Request, fmt: FromPath[str]) -> Response:
    """The sample file, generated in the asked format with the customer's own line."""
    if fmt not in upload.FORMATS:
        raise DomainError("autoreply.upload_format", _("Upload an .xlsx, .xls or .csv file."), status_code=404)
    content, media_type = upload.sample_file(await upload.sample_rows(request.state.user), fmt)
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="autoreply-sample.{fmt}"'})


async def _defaults(request: Request, error: str = "", status: int = 200) -> Template:
    user = request.state.user
    return page(
        request,
        "autoreply/defaults.html",
        status_code=status,
        lines=await services.owned_lines(user),
        defaults=await services.default_responders(user),
        templates=await services.user_templates(user),
        tab="defaults",
        error=error,
    )


@get("/autoreply/defaults", guards=CUSTOMER)
async def defaults_page(request: Request) -> Template:
    """6-3: one default reply per line."""
    return await _defaults(request)


@post("/autoreply/defaults", guards=CUSTOMER)
async def defaults_submit(request: Request) -> Template | Redirect:
    data = await form_data(request)
    try:
        await services.save_default(
            request.state.user,
            data.get("line_id"),
            str(data.get("reply_text", "")),
            enabled=bool(data.get("enabled")),
            template_id=services.parse_template_id(data.get("template_id")),
        )
    except DomainError as exc:
        return await _defaults(request, exc.message, exc.status_code)
    flash(request, _("The default reply was saved."))
    return Redirect("/autoreply/defaults", status_code=303)


@get("/autoreply/misses", guards=CUSTOMER)
async def misses_page(request: Request, page_no: FromQuery[int] = 1) -> Template:
    """Matched messages that got no reply, and why."""
    rows, pages = await services.recent_misses(request.state.user, page_no)
    return page(request, "autoreply/misses.html", misses=rows, page_no=page_no, pages=pages, tab="misses")


HANDLERS = [
    responders_page,
    new_form,
    new_submit,
    edit_form,
    edit_submit,
    toggle,
    delete,
    group_form,
    group_submit,
    group_sample,
    defaults_page,
    defaults_submit,
    misses_page,
]
