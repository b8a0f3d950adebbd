"""The tenant's branding assets."""

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException


@get("/branding/logo", include_in_schema=False)
async def branding_logo(request: Request) -> Response:
    """The current tenant's logo, as uploaded through ``tenants/<slug>/``."""
    tenant = request.state.get("tenant")
    if tenant is None or not tenant.logo:
        raise NotFoundException()
    return Response(
        bytes(tenant.logo), media_type=tenant.logo_type or "application/octet-stream", headers={"cache-control": "public, max-age=300"}
    )
