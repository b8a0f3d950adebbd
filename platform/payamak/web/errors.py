"""Turning errors into pages (HTML) or JSON (``/api``), in one place."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect

from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.web.rendering import flash, page

log = logging.getLogger("payamak.web")


class TenantSuspended(HTTPException):
    status_code = 503


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def json_error(code: str, message: str, status: int) -> Response:
    return Response({"error": {"code": code, "message": message}}, status_code=status, media_type=MediaType.JSON)


def _http_code(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        429: "too_many_requests",
        503: "unavailable",
    }.get(status, "error")


def handle_http(request: Request, exc: HTTPException) -> Response:
    """404, 403, 401, 503… as a page in the layout, or as JSON for the API."""
    status = exc.status_code
    if wants_json(request):
        message = (
            exc.detail
            if status < 500 and status not in (404, 401, 403)
            else {401: _("A valid API key is required."), 403: _("Not allowed."), 404: _("Not found.")}.get(
                status, _("Something went wrong.")
            )
        )
        return json_error(_http_code(status), str(message), status)
    if isinstance(exc, NotAuthorizedException):
        return Redirect(f"/login?next={quote(request.url.path)}")
    template = {404: "errors/404.html", 403: "errors/403.html", 503: "errors/suspended.html"}.get(status, "errors/error.html")
    return page(request, template, status_code=status, detail=exc.detail if status == 400 else "")


def handle_domain(request: Request, exc: DomainError) -> Response:
    """A user-caused error: JSON for the API; for pages, the message on the previous page."""
    if wants_json(request):
        return json_error(exc.code, exc.message, exc.status_code)
    if exc.status_code == 404:
        return handle_http(request, HTTPException(status_code=404))
    flash(request, exc.message, "error")
    back = request.headers.get("referer") or request.url.path
    return Redirect(back, status_code=303)


def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    if wants_json(request):
        return json_error("internal_error", _("Something went wrong."), 500)
    return page(request, "errors/error.html", status_code=500, detail="")


EXCEPTION_HANDLERS = {
    HTTPException: handle_http,
    DomainError: handle_domain,
    Exception: handle_unexpected,
}
