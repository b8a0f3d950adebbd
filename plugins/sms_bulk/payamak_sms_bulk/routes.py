"""Customer pages under /bulk: one form per segment (3-1 … 3-5) with calculate-count and send,
the progress of a bulk send, and the bulk report (8-3) with its .xlsx download."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from payamak.boxes.services import templates_for
from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.i18n import latin_digits
from payamak.web.formatting import as_tehran, parse_jalali
from payamak.web.guards import CUSTOMER
from payamak.web.rendering import flash, page
from payamak_sms_bulk import databases, reference, report_export, services
from payamak_sms_bulk.segments import SEGMENTS, Selection

MULTI = {
    "regional": reference.areas,
    "suburb": reference.tehran_suburbs,
    "guild": reference.guilds,
    "irancell": reference.tehran_province_areas,
}


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(latin_digits(str(value)).strip())
    except (TypeError, ValueError):
        return default


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    data = {k: v for k, v in form.items() if k != "_csrf_token"}
    data["values"] = [str(v) for v in form.getall("values")] if "values" in form else []
    return data


def selection_of(segment: str, data: dict[str, Any]) -> Selection:
    """The selection a segment's form submitted."""
    mode = str(data.get("mode") or "public")
    return Selection(
        segment=segment,
        values=tuple(data.get("values") or ()),
        prefix=str(data.get("prefix") or "") if segment == "irancell" else "",
        gender=str(data.get("gender") or "") if segment == "irancell" else "",
        province=str(data.get("province") or "") if segment == "postal_city" else "",
        city=str(data.get("city") or "") if segment == "postal_city" else "",
        postal5=latin_digits(str(data.get("postal5") or "")).strip() if segment == "postal_code" else "",
        mode=mode,
        start=_int(data.get("start"), 1) if mode == "sequential" else 1,
        count=_int(data.get("count")) if mode != "public" else 0,
    )


async def _segment_page(request: Request, segment: str, values: dict[str, Any], status: int = 200, **extra: Any) -> Template:
    user = request.state.user
    return page(
        request,
        "sms_bulk/segment.html",
        status_code=status,
        segment=segment,
        segments=SEGMENTS,
        labels=services.segment_labels(),
        modes=services.mode_labels(),
        genders=services.gender_labels(),
        values=values,
        chosen=set(values.get("values") or ()),
        items=MULTI[segment]() if segment in MULTI else (),
        provinces=reference.provinces(),
        cities=reference.cities(),
        prefixes=reference.IRANCELL_PREFIXES,
        profiled=reference.PROFILED_PREFIX,
        databases=await databases.granted(user.tenant),
        lines=await services.advertising_lines(user),
        templates=await templates_for(user),
        minutes=services.calculation_minutes(),
        **extra,
    )


def _segment(segment: str) -> str:
    if segment not in SEGMENTS:
        raise NotFoundException()
    return segment


@get("/bulk", guards=CUSTOMER)
async def bulk_home(request: Request) -> Redirect:
    """Section 3 starts with its first segment."""
    return Redirect("/bulk/regional", status_code=303)


@get("/bulk/{segment:str}", guards=CUSTOMER)
async def segment_form(request: Request, segment: FromPath[str]) -> Template:
    """A segment's form: what to select, how many, the text and the line."""
    return await _segment_page(request, _segment(segment), {"mode": "public"})


async def _text(request: Request, data: dict[str, Any]) -> str:
    text = str(data.get("text") or "")
    if not text.strip() and data.get("template_id"):
        for template in await templates_for(request.state.user):
            if str(template.id) == str(data["template_id"]):
                return template.text
    return text


@post("/bulk/{segment:str}/calculate", guards=CUSTOMER)
async def calculate(request: Request, segment: FromPath[str]) -> Template:
    """Calculate count: the count, the skipped numbers and the cost; the send button needs it."""
    segment = _segment(segment)
    data = await _form(request)
    data["text"] = await _text(request, data)
    try:
        estimate = await services.calculate(request.state.user, data.get("database_id"), selection_of(segment, data), data["text"])
    except DomainError as exc:
        return await _segment_page(request, segment, data, exc.status_code, error=exc.message)
    return await _segment_page(request, segment, data, estimate=estimate)


@post("/bulk/{segment:str}/send", guards=CUSTOMER)
async def send(request: Request, segment: FromPath[str]) -> Template | Redirect:
    """Queue the send of the calculated selection (refused if the selection changed)."""
    segment = _segment(segment)
    data = await _form(request)
    data["text"] = await _text(request, data)
    try:
        when = parse_jalali(str(data["send_at"])) if data.get("send_at") else None
    except (ValueError, TypeError):
        error = _("“%(value)s” is not a Jalali date and time (Y/M/D H:m).", value=data.get("send_at"))
        return await _segment_page(request, segment, data, 400, error=error)
    try:
        bulk = await services.request_send(
            request.state.user,
            data.get("calculation_id"),
            data.get("database_id"),
            selection_of(segment, data),
            data["text"],
            line_id=data.get("line_id"),
            scheduled_at=when,
        )
    except DomainError as exc:
        return await _segment_page(request, segment, data, exc.status_code, error=exc.message)
    flash(request, _("Your bulk send was queued; its numbers are being selected."))
    return Redirect(f"/bulk/sends/{bulk.id}", status_code=303)


@get("/bulk/sends/{bulk_id:int}", guards=CUSTOMER)
async def send_detail(request: Request, bulk_id: FromPath[int]) -> Template:
    """A bulk send's progress: selection, counts, the job and its delivery figures."""
    bulk = await services.user_bulk(request.state.user, bulk_id)
    figures = (await services.delivery_figures([bulk.job])).get(bulk.job, {}) if bulk.job else {}
    return page(
        request,
        "sms_bulk/send_detail.html",
        bulk=bulk,
        description=services.describe(bulk.selection),
        modes=services.mode_labels(),
        figures=figures,
        statuses=report_export.status_labels(),
    )


def _range(start: str, end: str) -> tuple[Any, Any, str]:
    from datetime import UTC, datetime

    import jdatetime

    today = jdatetime.date.fromgregorian(date=as_tehran(datetime.now(UTC)).date())
    start = start or today.replace(day=1).strftime("%Y/%m/%d")
    end = end or today.strftime("%Y/%m/%d")
    try:
        begin, finish = parse_jalali(start), parse_jalali(end) + timedelta(days=1)
    except (ValueError, TypeError):
        now = datetime.now(UTC)
        return now - timedelta(days=30), now + timedelta(days=1), _("Enter Jalali dates (Y/M/D).")
    return begin, finish, ""


@get("/bulk/report", guards=CUSTOMER)
async def report_page(request: Request, start: FromQuery[str] = "", end: FromQuery[str] = "") -> Template:
    """8-3: the bulk sends of a Jalali date range."""
    begin, finish, error = _range(start, end)
    rows = await services.report(request.state.user, begin, finish)
    return page(
        request, "sms_bulk/report.html", rows=rows, start=start, end=end, error=error, modes=services.mode_labels(), segments=SEGMENTS
    )


@get("/bulk/report.xlsx", guards=CUSTOMER)
async def report_xlsx(request: Request, start: FromQuery[str] = "", end: FromQuery[str] = "") -> Response:
    """8-3 as an .xlsx file."""
    begin, finish, _error = _range(start, end)
    content = await report_export.workbook(await services.report(request.state.user, begin, finish))
    return Response(
        content,
        media_type=report_export.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="bulk-report.xlsx"'},
    )


HANDLERS = [bulk_home, report_page, report_xlsx, send_detail, segment_form, calculate, send]
