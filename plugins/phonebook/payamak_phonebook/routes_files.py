"""Phonebook files: 9-4 import from CSV (at once, or in the background with live progress) and
9-5 export to CSV (streamed)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.i18n import localize_digits
from payamak.tenancy import scoped
from payamak.web.guards import CUSTOMER
from payamak.web.rendering import flash, page
from payamak_phonebook import csvio, exports, imports, services
from payamak_phonebook.tables import ImportJob

UPLOAD_BODY_LIMIT = csvio.MAX_UPLOAD + 1024 * 1024  # the file and the multipart envelope


async def _import_page(request: Request, status_code: int = 200, **extra: object) -> Template:
    user = request.state.user
    header, _fields = await exports.titles(user)
    jobs = (
        await scoped(ImportJob)
        .select(ImportJob.id, ImportJob.filename, ImportJob.status, ImportJob.total, ImportJob.created_at)
        .where(ImportJob.owner == user.id)
        .order_by(ImportJob.id, ascending=False)
        .limit(10)
    )
    return page(
        request,
        "phonebook/import.html",
        status_code=status_code,
        header=header,
        jobs=jobs,
        background_rows=imports.BACKGROUND_ROWS,
        **extra,
    )


@get("/phonebook/import", guards=CUSTOMER)
async def import_page(request: Request) -> Template:
    """9-4: upload a CSV with the export's columns; recent background imports."""
    return await _import_page(request)


@post("/phonebook/import", guards=CUSTOMER, request_max_body_size=UPLOAD_BODY_LIMIT)
async def import_upload(request: Request) -> Template | Redirect:
    """Check the file; import a small one at once, hand a large one to the worker."""
    user = request.state.user
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _import_page(request, 400, error=_("Choose a CSV file."))
    data = await upload.read(csvio.MAX_UPLOAD + 1)
    if len(data) > csvio.MAX_UPLOAD:
        return await _import_page(request, 400, error=_("The file is larger than 20 MB."))
    try:
        text = csvio.decode(data)
        rows = await asyncio.to_thread(csvio.count_rows, text)
        if rows > imports.BACKGROUND_ROWS:
            job = await imports.queue_import(user, upload.filename, data, rows)
            return Redirect(f"/phonebook/import/{job.id}", status_code=303)
        outcome = await imports.import_now(user, text)
    except csvio.FileRefused as exc:
        return await _import_page(request, 400, error=exc.message, problems=exc.errors, problem_count=exc.error_count)
    except DomainError as exc:
        return await _import_page(request, exc.status_code, error=exc.message)
    counts = {"created": localize_digits(outcome.created), "updated": localize_digits(outcome.updated)}
    flash(request, _("Imported: %(created)s new contact(s), %(updated)s updated.", **counts))
    return Redirect("/phonebook", status_code=303)


@get("/phonebook/import/{job_id:int}", guards=CUSTOMER)
async def import_status(request: Request, job_id: FromPath[int]) -> Template:
    """A background import's progress (the fragment below refreshes itself every second)."""
    job = await imports.user_import(request.state.user, job_id)
    return page(request, "phonebook/import_status.html", job=job)


@get("/phonebook/import/{job_id:int}/progress", guards=CUSTOMER)
async def import_progress(request: Request, job_id: FromPath[int]) -> Template:
    """The progress fragment htmx polls; it stops polling once the import has ended."""
    job = await imports.user_import(request.state.user, job_id)
    return Template(template_name="phonebook/_import_progress.html", context={"job": job})


@get("/phonebook/export", guards=CUSTOMER)
async def export_page(request: Request) -> Template:
    """9-5: download the phonebook, or one group, as CSV."""
    return page(request, "phonebook/export.html", groups=await services.list_groups(request.state.user))


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"}


@get("/phonebook/export.csv", guards=CUSTOMER)
async def export_download(request: Request, group: FromQuery[str] = "") -> Stream:
    """The CSV itself, streamed: contacts are read a chunk at a time as the download goes."""
    user = request.state.user
    body = await exports.export_csv(user, group or None)
    return Stream(body, media_type="text/csv; charset=utf-8", headers=_attachment("phonebook.csv"))


@get("/phonebook/import/template.csv", guards=CUSTOMER)
async def import_template(request: Request) -> Stream:
    """An empty file with the title row an import expects (the export's)."""
    body = await exports.export_csv(request.state.user, header_only=True)
    return Stream(body, media_type="text/csv; charset=utf-8", headers=_attachment("phonebook-template.csv"))


HANDLERS = [import_page, import_upload, import_status, import_progress, export_page, export_download, import_template]
