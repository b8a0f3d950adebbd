"""``POST /api/v1/send/p2p``: peer-to-peer send from JSON, every row its own number, text and time."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, post
from msgspec import Struct

from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.messaging.api import job_json
from payamak.web.guards import API_CUSTOMER
from payamak_sms_simple import p2p

MAX_API_ROWS = 100_000


class P2PRow(Struct):
    """One message: ``to`` (any form of an Iranian mobile number), its ``text``, and ``send_at``
    (optional: ISO 8601, UTC when no zone, or Jalali ``Y/M/D H:m`` in Tehran time; in the future)."""

    to: str
    text: str
    send_at: str | None = None


class P2PRequest(Struct):
    """Rows to send, and the sender line (optional: the caller's first usable line)."""

    rows: list[P2PRow]
    line_id: int | None = None


@post("/api/v1/send/p2p", guards=API_CUSTOMER, tags=["messages"], status_code=201)
async def send_p2p(request: Request, data: P2PRequest | list[P2PRow]) -> Response[list[dict[str, Any]]]:
    """Send up to 100,000 rows, each its own text at its own time (rows without a time go at once).

    The body is ``{"rows": [{"to", "text", "send_at"}], "line_id": …}`` or just the list of rows.
    Rows sharing a time form one job; the answer lists the jobs. If any row is wrong nothing is
    sent and the error lists every bad row: ``{"error": {"code": "rows.invalid", "message", "rows":
    [{"row": 1, "field": "to", "problem": …}]}}`` (rows counted from 1)."""
    rows, line_id = (data.rows, data.line_id) if isinstance(data, P2PRequest) else (data, None)
    if len(rows) > MAX_API_ROWS:
        raise DomainError("rows.too_many", _("At most %(n)s rows per request."), n=MAX_API_ROWS)
    try:
        jobs = await p2p.send_rows(request.state.user, [(r.to, r.text, r.send_at) for r in rows], line_id)
    except p2p.RowsRefused as exc:
        body = {
            "error": {
                "code": exc.code,
                "message": exc.message,
                "rows": [{"row": e.row, "field": e.column, "problem": e.message} for e in exc.errors],
            }
        }
        return Response(body, status_code=400, media_type=MediaType.JSON)
    return Response([job_json(job) for job in jobs], status_code=201, media_type=MediaType.JSON)


HANDLERS = [send_p2p]
