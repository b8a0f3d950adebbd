"""Report pages: /reports/sent (8-1) and /reports/received (8-2), each with its .xlsx download."""

from __future__ import annotations

import json
from typing import Any

import jdatetime
from litestar import Request, get
from litestar.background_tasks import BackgroundTask
from litestar.response import File, Template

from payamak.boxes.exports import XLSX_MEDIA_TYPE
from payamak.errors import DomainError
from payamak.web.formatting import TEHRAN
from payamak.web.guards import CUSTOMER
from payamak.web.rendering import page
from payamak_reports import exports, services


def _criteria(request: Request) -> tuple[services.Criteria, str]:
    values = {k: str(v) for k, v in request.query_params.items()}
    try:
        return services.Criteria.parse(values), ""
    except DomainError as exc:
        return services.Criteria.parse({}), exc.message


def chart_data(series: list[tuple[Any, Any]], datasets: dict[str, Any]) -> str:
    """The chart's data as JSON for charts.js: labels (Jalali days) and datasets."""
    return json.dumps({"labels": [services.jalali_text(day) for day, _ in series], "datasets": datasets}, ensure_ascii=False)


@get("/reports/sent", guards=CUSTOMER)
async def sent_page(request: Request) -> Template:
    """8-1 Sent messages over a range: totals, shares and a daily chart with its table."""
    user = request.state.user
    criteria, error = _criteria(request)
    total, series = await services.sent_report(user, criteria)
    chart = chart_data(
        series,
        {
            "delivered": [f.groups["delivered"] for _, f in series],
            "undelivered": [f.groups["undelivered"] for _, f in series],
            "pending": [f.groups["pending"] for _, f in series],
        },
    )
    return page(
        request,
        "reports/sent.html",
        status_code=400 if error else 200,
        error=error,
        criteria=criteria,
        values=criteria.form(),
        total=total,
        series=series,
        chart=chart,
        lines=await services.user_lines(user),
        jday=services.jalali_text,
        percent=services.percent,
    )


@get("/reports/received", guards=CUSTOMER)
async def received_page(request: Request) -> Template:
    """8-2 Received messages over a range, by day."""
    user = request.state.user
    criteria, error = _criteria(request)
    total, series = await services.received_report(user, criteria)
    return page(
        request,
        "reports/received.html",
        status_code=400 if error else 200,
        error=error,
        criteria=criteria,
        values=criteria.form(),
        total=total,
        series=series,
        chart=chart_data(series, {"received": [n for _, n in series]}),
        lines=await services.user_lines(user),
        jday=services.jalali_text,
        percent=services.percent,
    )


def _file_name(kind: str) -> str:
    return f"{kind}-{jdatetime.datetime.now(TEHRAN).strftime('%Y%m%d-%H%M')}.xlsx"


@get("/reports/sent.xlsx", guards=CUSTOMER)
async def sent_export(request: Request) -> File:
    criteria, error = _criteria(request)
    if error:
        raise DomainError("date", error)
    path, _rows = await exports.export_sent(request.state.user, criteria)
    return File(path, filename=_file_name("sent-report"), media_type=XLSX_MEDIA_TYPE, background=BackgroundTask(path.unlink))


@get("/reports/received.xlsx", guards=CUSTOMER)
async def received_export(request: Request) -> File:
    criteria, error = _criteria(request)
    if error:
        raise DomainError("date", error)
    path, _rows = await exports.export_received(request.state.user, criteria)
    return File(path, filename=_file_name("received-report"), media_type=XLSX_MEDIA_TYPE, background=BackgroundTask(path.unlink))


HANDLERS = [sent_page, received_page, sent_export, received_export]
