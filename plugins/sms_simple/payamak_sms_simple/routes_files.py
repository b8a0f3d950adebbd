"""Pages of the two sends from files: 2-2 Advanced send (``/send/advanced``: a .txt of numbers) and
2-3 Peer-to-peer send (``/send/p2p``: a spreadsheet of rows), each a check step then a confirm step."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from payamak.errors import DomainError, NotFound
from payamak.i18n import gettext as _
from payamak.messaging import ledger
from payamak.messaging.lines import usable_lines_query
from payamak.web.formatting import money
from payamak.web.guards import CUSTOMER
from payamak.web.rendering import flash, page
from payamak_sms_simple import advanced, p2p, services, spreadsheets, timing, uploads
from payamak_sms_simple.routes import meter_context

FORM_LIMIT = max(advanced.MAX_FILE_BYTES, spreadsheets.MAX_FILE_BYTES) + 1024 * 1024
MAX_ERRORS_SHOWN = 500


async def _upload_form(request: Request) -> tuple[Any, dict[str, Any], str]:
    """The submitted file (or None) and the other fields; a body over the limit becomes a clear error."""
    try:
        form = await request.form()
    except HTTPException as exc:
        if exc.status_code != 413:
            raise
        return None, {}, _("The file may be at most %(n)s MB.", n=FORM_LIMIT // (1024 * 1024) - 1)
    data = {k: v for k, v in form.items() if k not in ("_csrf_token", "file")}
    file = form.get("file")
    if file is None or isinstance(file, str) or not getattr(file, "filename", ""):
        return None, data, _("Choose a file to upload.")
    return file, data, ""


async def _balance(request: Request) -> int:
    user = request.state.user
    return (await ledger.account_for(user.tenant, user.id)).available


# --- 2-2 Advanced send ------------------------------------------------------------------------------


async def _advanced_page(request: Request, message: services.Message, error: str = "", status: int = 200) -> Template:
    return page(
        request,
        "sms_simple/advanced.html",
        status_code=status,
        tab="advanced",
        error=error,
        values=message.values(),
        max_bytes=advanced.MAX_FILE_BYTES,
        **await services.form_context(request.state.user),
        **meter_context(),
    )


@get("/send/advanced", guards=CUSTOMER)
async def advanced_form(request: Request) -> Template:
    """2-2: a text to the numbers of a .txt file (one a line), any count; now or later."""
    return await _advanced_page(request, services.Message())


@post("/send/advanced", guards=CUSTOMER, request_max_body_size=FORM_LIMIT)
async def advanced_upload(request: Request) -> Template | Redirect:
    """Step 1: read and count the file, then show the counts and the cost to confirm."""
    file, data, error = await _upload_form(request)
    message = services.Message.from_form(data)
    if error:
        return await _advanced_page(request, message, error, 400)
    try:
        upload = await advanced.prepare(request.state.user, file.filename, file, message)
    except DomainError as exc:
        return await _advanced_page(request, message, exc.message, exc.status_code)
    finally:
        await file.close()
    return Redirect(f"/send/advanced/{upload.token}", status_code=303)


async def _advanced_confirm(request: Request, upload: uploads.Upload, error: str = "", status: int = 200) -> Template:
    reasons = advanced.reasons()
    invalid = [{"line": line, "raw": raw, "reason": reasons.get(reason, reason)} for line, raw, reason in upload.meta["invalid"]]
    return page(
        request,
        "sms_simple/advanced_confirm.html",
        status_code=status,
        tab="advanced",
        error=error,
        upload=upload,
        meta=upload.meta,
        invalid=invalid,
        scheduled_at=timing.parse_stored(upload.meta.get("scheduled_at")),
        balance=await _balance(request),
    )


@get("/send/advanced/{token:str}", guards=CUSTOMER)
async def advanced_review(request: Request, token: FromPath[str]) -> Template:
    """The counts of an uploaded file (valid, duplicated, invalid with their lines) and what sending costs."""
    return await _advanced_confirm(request, uploads.load(request.state.user, token, "advanced"))


@post("/send/advanced/{token:str}", guards=CUSTOMER)
async def advanced_confirm(request: Request, token: FromPath[str]) -> Template | Redirect:
    """Step 2: send to the file's valid numbers, each once."""
    user = request.state.user
    upload = uploads.load(user, token, "advanced")
    try:
        job = await advanced.send(user, upload.token)
    except NotFound:
        raise
    except DomainError as exc:
        return await _advanced_confirm(request, upload, exc.message, exc.status_code)
    return Redirect(f"/send/done?jobs={job.id}", status_code=303)


@post("/send/advanced/{token:str}/cancel", guards=CUSTOMER)
async def advanced_cancel(request: Request, token: FromPath[str]) -> Redirect:
    upload = uploads.load(request.state.user, token, "advanced")
    uploads.discard(upload.token)
    flash(request, _("The file was discarded; nothing was sent."), "info")
    return Redirect("/send/advanced", status_code=303)


# --- 2-3 Peer-to-peer send ----------------------------------------------------------------------------


async def _p2p_page(
    request: Request, values: dict[str, Any], error: str = "", errors: list[p2p.RowError] | None = None, status: int = 200
) -> Template:
    errors = errors or []
    return page(
        request,
        "sms_simple/p2p.html",
        status_code=status,
        tab="p2p",
        error=error,
        errors=errors[:MAX_ERRORS_SHOWN],
        more_errors=max(0, len(errors) - MAX_ERRORS_SHOWN),
        values=values,
        lines=await usable_lines_query(request.state.user),
        formats=spreadsheets.FORMATS,
        columns=p2p.column_labels(),
        max_bytes=spreadsheets.MAX_FILE_BYTES,
    )


@get("/send/p2p", guards=CUSTOMER)
async def p2p_form(request: Request) -> Template:
    """2-3: a spreadsheet whose rows each hold a number, its own text and an optional time."""
    return await _p2p_page(request, {})


@post("/send/p2p", guards=CUSTOMER, request_max_body_size=FORM_LIMIT)
async def p2p_upload(request: Request) -> Template | Redirect:
    """Step 1: check every row; any error is listed by row and column and nothing is kept."""
    file, data, error = await _upload_form(request)
    values = {"line_id": str(data.get("line_id") or "")}
    if error:
        return await _p2p_page(request, values, error, status=400)
    try:
        content = await file.read(spreadsheets.MAX_FILE_BYTES + 1)
        upload = await p2p.prepare(request.state.user, file.filename, content, data.get("line_id"))
    except p2p.RowsRefused as exc:
        return await _p2p_page(request, values, exc.message, exc.errors, 400)
    except DomainError as exc:
        return await _p2p_page(request, values, exc.message, status=exc.status_code)
    finally:
        await file.close()
    return Redirect(f"/send/p2p/{upload.token}", status_code=303)


async def _p2p_preview(request: Request, upload: uploads.Upload, error: str = "", status: int = 200) -> Template:
    meta = upload.meta
    return page(
        request,
        "sms_simple/p2p_preview.html",
        status_code=status,
        tab="p2p",
        error=error,
        upload=upload,
        meta=meta,
        times=[(timing.parse_stored(when), n) for when, n in meta["times"]],
        rows=list(p2p.stored_rows(upload, p2p.PREVIEW_ROWS)),
        balance=await _balance(request),
    )


@get("/send/p2p/{token:str}", guards=CUSTOMER)
async def p2p_review(request: Request, token: FromPath[str]) -> Template:
    """The checked rows: how many, when they go, the first ones, and what sending costs."""
    return await _p2p_preview(request, uploads.load(request.state.user, token, "p2p"))


@post("/send/p2p/{token:str}", guards=CUSTOMER)
async def p2p_confirm(request: Request, token: FromPath[str]) -> Template | Redirect:
    """Step 2: send every row, one job per distinct time."""
    user = request.state.user
    upload = uploads.load(user, token, "p2p")
    try:
        jobs = await p2p.send(user, upload.token)
    except NotFound:
        raise
    except DomainError as exc:
        return await _p2p_preview(request, upload, exc.message, exc.status_code)
    if len(jobs) > services.MAX_JOBS_SHOWN:  # a file with many distinct times: the outbox lists them all
        flash(
            request,
            _(
                "%(rows)s messages were accepted in %(jobs)s sends (one per send time); cost: %(cost)s Rials.",
                rows=sum(j.recipients for j in jobs),
                jobs=len(jobs),
                cost=money(sum(j.reserved for j in jobs)),
            ),
        )
        return Redirect("/messages", status_code=303)
    return Redirect(f"/send/done?jobs={','.join(str(j.id) for j in jobs)}", status_code=303)


@post("/send/p2p/{token:str}/cancel", guards=CUSTOMER)
async def p2p_cancel(request: Request, token: FromPath[str]) -> Redirect:
    upload = uploads.load(request.state.user, token, "p2p")
    uploads.discard(upload.token)
    flash(request, _("The file was discarded; nothing was sent."), "info")
    return Redirect("/send/p2p", status_code=303)


@get("/send/p2p/sample/{fmt:str}", guards=CUSTOMER)
async def p2p_sample(request: Request, fmt: FromPath[str]) -> Response:
    """The sample file, generated in the asked format (.xlsx, .xls or .csv)."""
    if fmt not in spreadsheets.FORMATS:
        raise NotFound("format")
    content = spreadsheets.sample_file(p2p.sample_rows(), fmt)
    return Response(
        content,
        media_type=spreadsheets.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="p2p-sample.{fmt}"'},
    )


HANDLERS = [
    advanced_form,
    advanced_upload,
    advanced_review,
    advanced_confirm,
    advanced_cancel,
    p2p_form,
    p2p_upload,
    p2p_review,
    p2p_confirm,
    p2p_cancel,
    p2p_sample,
]
