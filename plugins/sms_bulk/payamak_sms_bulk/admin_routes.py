"""Platform-admin pages under /admin/bulk: number databases (import with progress, replace),
grants to tenants and the blacklist."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.i18n import localize_digits
from payamak.settings import get_settings
from payamak.tables import Tenant
from payamak.web.forms import form_data
from payamak.web.guards import PLATFORM_ADMIN
from payamak.web.rendering import flash, page
from payamak_sms_bulk import databases, importing
from payamak_sms_bulk.tables import Blacklisted, DatabaseGrant, NumberDatabase

FORM_LIMIT = importing.MAX_UPLOAD_BYTES + 1024 * 1024


async def _admin_page(request: Request, error: str = "", status: int = 200) -> Template:
    all_databases = await NumberDatabase.objects().order_by(NumberDatabase.id, ascending=False)
    tenants = await Tenant.objects().order_by(Tenant.slug)
    grants = await DatabaseGrant.select(DatabaseGrant.tenant, DatabaseGrant.database)
    granted: dict[int, list[str]] = {}
    slugs = {t.id: t.slug for t in tenants}
    for g in grants:
        granted.setdefault(g["database"], []).append(slugs.get(g["tenant"], "?"))
    return page(
        request,
        "sms_bulk/admin.html",
        status_code=status,
        databases=all_databases,
        ready=[d for d in all_databases if d.status == "ready"],
        tenants=tenants,
        granted=granted,
        blacklist_count=await Blacklisted.count(),
        error=error,
    )


@get("/admin/bulk", guards=PLATFORM_ADMIN)
async def admin_home(request: Request) -> Template:
    """Number databases with their import progress, grants and the blacklist."""
    return await _admin_page(request)


@post("/admin/bulk/import", guards=PLATFORM_ADMIN, request_max_body_size=FORM_LIMIT)
async def admin_import(request: Request) -> Template | Redirect:
    """Upload a .csv/.xlsx database; it is checked and loaded in the background."""
    form = await request.form()
    file = form.get("file")
    if file is None or isinstance(file, str) or not getattr(file, "filename", ""):
        return await _admin_page(request, _("Choose a file to upload."), 400)
    replaces = str(form.get("replaces") or "")
    try:
        await importing.start_import(
            str(form.get("name") or ""),
            file.filename,
            await file.read(importing.MAX_UPLOAD_BYTES + 1),
            int(replaces) if replaces.isdigit() else None,
            get_settings().var_dir,
        )
    except DomainError as exc:
        return await _admin_page(request, exc.message, exc.status_code)
    flash(request, _("The file was received; it is being checked and loaded."))
    return Redirect("/admin/bulk", status_code=303)


@get("/admin/bulk/sample.csv", guards=PLATFORM_ADMIN)
async def admin_sample(request: Request) -> Response:
    """A sample import file with the documented columns."""
    return Response(
        importing.sample_csv(), media_type="text/csv", headers={"Content-Disposition": 'attachment; filename="bulk-sample.csv"'}
    )


@post("/admin/bulk/grant", guards=PLATFORM_ADMIN)
async def admin_grant(request: Request) -> Template | Redirect:
    """Grant a database to a tenant, or withdraw the grant."""
    data = await form_data(request)
    try:
        tenant_id, database_id = int(data.get("tenant_id", "")), int(data.get("database_id", ""))
        if data.get("action") == "revoke":
            await databases.revoke(tenant_id, database_id)
        else:
            await databases.grant(tenant_id, database_id)
    except ValueError:
        return await _admin_page(request, _("Choose a tenant and a database."), 400)
    except DomainError as exc:
        return await _admin_page(request, exc.message, exc.status_code)
    flash(request, _("The grants were saved."))
    return Redirect("/admin/bulk", status_code=303)


@post("/admin/bulk/{database_id:int}/delete", guards=PLATFORM_ADMIN)
async def admin_delete(request: Request, database_id: FromPath[int]) -> Template | Redirect:
    """Delete a replaced or failed database."""
    try:
        await databases.delete_database(database_id)
    except DomainError as exc:
        return await _admin_page(request, exc.message, exc.status_code)
    flash(request, _("The database was deleted."))
    return Redirect("/admin/bulk", status_code=303)


@post("/admin/bulk/blacklist", guards=PLATFORM_ADMIN)
async def admin_blacklist(request: Request) -> Template | Redirect:
    """Add numbers (one a line) to the platform blacklist."""
    data = await form_data(request)
    numbers = [n.strip() for n in str(data.get("numbers", "")).splitlines() if n.strip()]
    try:
        added = await databases.add_to_blacklist(numbers, str(data.get("reason", ""))[:200])
    except DomainError as exc:
        return await _admin_page(request, exc.message, exc.status_code)
    flash(request, _("%(n)s numbers were added to the blacklist.", n=localize_digits(added)))
    return Redirect("/admin/bulk", status_code=303)


HANDLERS = [admin_home, admin_import, admin_sample, admin_grant, admin_delete, admin_blacklist]
