"""Account pages: log-in/out, 10-1 profile, 10-2 password, 11-1 web service, customers."""

from __future__ import annotations

from typing import Any

from litestar import Request, delete, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from payamak.accounts import services
from payamak.accounts.ratelimit import LoginThrottle
from payamak.errors import DomainError
from payamak.i18n import LOCALES
from payamak.i18n import gettext as _
from payamak.tables import ApiKey, User
from payamak.tenancy import scoped
from payamak.web.forms import client_ip, form_data, safe_next
from payamak.web.guards import API_CUSTOMER, CUSTOMER, PANEL, TENANT_ADMIN
from payamak.web.rendering import flash, page


def _home(user: User) -> str:
    return "/admin" if user.role == "platform_admin" else "/"


@get("/login", name="login")
async def login_page(request: Request, next: FromQuery[str] = "") -> Template | Redirect:
    """The log-in form of a tenant's panel or of the platform console."""
    user = request.state.get("user")
    if user is not None:
        return Redirect(_home(user))
    return page(request, "accounts/login.html", next=safe_next(next, ""))


@post("/login")
async def login(request: Request) -> Template | Redirect:
    """Check the credentials; throttled per account and per address."""
    data = await form_data(request)
    username = str(data.get("username", "")).strip()
    password = str(data.get("password", ""))
    tenant = request.state.get("tenant")
    host = tenant.slug if tenant is not None else "platform"
    throttle = LoginThrottle(request.app.stores.get("ratelimit"))
    address = client_ip(request)
    if await throttle.blocked(host, username, address):
        return page(
            request,
            "accounts/login.html",
            status_code=429,
            next=data.get("next", ""),
            username=username,
            error=_("Too many failed attempts. Try again in 15 minutes."),
        )
    user = await services.authenticate(tenant.id if tenant is not None else None, username, password)
    if user is None:
        await throttle.failed(host, username, address)
        return page(
            request,
            "accounts/login.html",
            status_code=400,
            next=data.get("next", ""),
            username=username,
            error=_("The username or password is not correct."),
        )
    await throttle.succeeded(host, username)
    request.clear_session()
    request.set_session({"uid": user.id, "tid": user.tenant})
    return Redirect(safe_next(str(data.get("next", "")), _home(user)), status_code=303)


@post("/logout")
async def logout(request: Request) -> Redirect:
    """End the session."""
    request.clear_session()
    return Redirect("/login", status_code=303)


@get("/lang/{code:str}")
async def switch_language(request: Request, code: FromPath[str], next: FromQuery[str] = "/") -> Response:
    """Switch between Persian and English (a cookie; remembered on the account too)."""
    if code not in LOCALES:
        code = "fa"
    user = request.state.get("user")
    if user is not None:
        await User.update({User.locale: code}).where(User.id == user.id)
    response = Redirect(safe_next(next, "/"))
    response.set_cookie("lang", code, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
    return response


# --- 10 My profile -------------------------------------------------------------------


@get("/profile", guards=PANEL)
async def profile_page(request: Request) -> Template:
    """10-1: the user's details."""
    return page(request, "accounts/profile.html", values=request.state.user.to_dict())


@post("/profile", guards=PANEL)
async def profile_save(request: Request) -> Template | Redirect:
    data = await form_data(request)
    try:
        await services.update_profile(request.state.user, data)
    except DomainError as exc:
        return page(request, "accounts/profile.html", status_code=400, values=data, error=exc.message)
    flash(request, _("Your profile was saved."))
    return Redirect("/profile", status_code=303)


@get("/profile/password", guards=PANEL)
async def password_page(request: Request) -> Template:
    """10-2: old password, new password, repeat."""
    return page(request, "accounts/password.html")


@post("/profile/password", guards=PANEL)
async def password_save(request: Request) -> Template | Redirect:
    data = await form_data(request)
    try:
        await services.change_password(request.state.user, str(data.get("old", "")), str(data.get("new", "")), str(data.get("repeat", "")))
    except DomainError as exc:
        return page(request, "accounts/password.html", status_code=400, error=exc.message)
    flash(request, _("Your password was changed."))
    return Redirect("/profile", status_code=303)


# --- 11-1 Web service ----------------------------------------------------------------


async def _webservice(request: Request, status_code: int = 200, **extra: Any) -> Template:
    keys = await scoped(ApiKey).objects().where(ApiKey.user == request.state.user.id).order_by(ApiKey.id, ascending=False)
    return page(request, "accounts/webservice.html", status_code=status_code, keys=keys, **extra)


@get("/services/webservice", guards=CUSTOMER)
async def webservice_page(request: Request) -> Template:
    """11-1: the user's API keys; a new key is shown once."""
    return await _webservice(request)


@post("/services/webservice/keys", guards=CUSTOMER)
async def webservice_create_key(request: Request) -> Template:
    data = await form_data(request)
    try:
        _key, plain = await services.create_api_key(request.state.user, str(data.get("allowed_ips", "")))
    except DomainError as exc:
        return await _webservice(request, status_code=400, error=exc.message)
    return await _webservice(request, new_key=plain)


@post("/services/webservice/keys/{key_id:int}/revoke", guards=CUSTOMER)
async def webservice_revoke_key(request: Request, key_id: FromPath[int]) -> Redirect:
    await services.revoke_api_key(request.state.user, key_id)
    flash(request, _("The key was revoked."))
    return Redirect("/services/webservice", status_code=303)


@post("/services/webservice/keys/{key_id:int}/ips", guards=CUSTOMER)
async def webservice_key_ips(request: Request, key_id: FromPath[int]) -> Redirect:
    data = await form_data(request)
    await services.set_api_key_ips(request.state.user, key_id, str(data.get("allowed_ips", "")))
    flash(request, _("The address restriction was saved."))
    return Redirect("/services/webservice", status_code=303)


# --- Tenant admin: customers and staff --------------------------------------------------


@get("/manage/customers", guards=TENANT_ADMIN)
async def customers_page(request: Request, q: FromQuery[str] = "", page_no: FromQuery[int] = 1) -> Template:
    """The tenant's accounts, searchable and paginated."""
    per_page = 25
    query = scoped(User).objects().order_by(User.id, ascending=False)
    count = scoped(User).count()
    if q.strip():
        term = f"%{q.strip()}%"
        cond = (User.username.ilike(term)) | (User.first_name.ilike(term)) | (User.last_name.ilike(term)) | (User.mobile.ilike(term))
        query = query.where(cond)
        count = count.where(cond)
    total = await count
    users = await query.limit(per_page).offset((max(page_no, 1) - 1) * per_page)
    return page(request, "accounts/customers.html", users=users, q=q, page_no=page_no, pages=max(1, -(-total // per_page)), total=total)


@get("/manage/customers/new", guards=TENANT_ADMIN)
async def customer_new_page(request: Request) -> Template:
    return page(request, "accounts/customer_form.html", values={"role": "customer"}, editing=None)


@post("/manage/customers/new", guards=TENANT_ADMIN)
async def customer_create(request: Request) -> Template | Redirect:
    data = await form_data(request)
    role = str(data.get("role", "customer"))
    try:
        if role not in ("customer", "tenant_staff"):
            raise DomainError("user.bad_role", _("Unknown role “%(role)s”.", role=role))
        services.check_new_password(str(data.get("password", "")), str(data.get("password_repeat", "")))
        user = await services.create_user(
            request.state.tenant.id,
            str(data.get("username", "")),
            str(data.get("password", "")),
            role,
            **{k: data.get(k, "") for k in services.PROFILE_FIELDS},
        )
    except DomainError as exc:
        return page(request, "accounts/customer_form.html", status_code=400, values=data, editing=None, error=exc.message)
    from payamak.registry import announce
    from payamak.tenancy.services import enabled_plugins

    await announce("user_created", request.state.tenant.id, enabled_plugins(request.state.tenant), user_id=user.id)
    flash(request, _("The account “%(username)s” was created.", username=user.username))
    return Redirect("/manage/customers", status_code=303)


@get("/manage/customers/{user_id:int}", guards=TENANT_ADMIN)
async def customer_edit_page(request: Request, user_id: FromPath[int]) -> Template:
    user = await services.tenant_user(user_id)
    return page(request, "accounts/customer_form.html", values=user.to_dict(), editing=user)


@post("/manage/customers/{user_id:int}", guards=TENANT_ADMIN)
async def customer_update(request: Request, user_id: FromPath[int]) -> Template | Redirect:
    data = await form_data(request)
    user = await services.tenant_user(user_id)
    if user.id == request.state.user.id and data.get("role") != user.role:
        data["role"] = user.role  # an admin cannot demote themselves by accident
    try:
        await services.edit_tenant_user(user_id, data)
    except DomainError as exc:
        return page(request, "accounts/customer_form.html", status_code=400, values=data, editing=user, error=exc.message)
    flash(request, _("The account was saved."))
    return Redirect("/manage/customers", status_code=303)


@post("/manage/customers/{user_id:int}/status", guards=TENANT_ADMIN)
async def customer_status(request: Request, user_id: FromPath[int]) -> Redirect:
    data = await form_data(request)
    await services.set_user_status(user_id, str(data.get("status", "")), request.state.user)
    flash(request, _("The account status was changed."))
    return Redirect("/manage/customers", status_code=303)


@post("/manage/customers/{user_id:int}/delete", guards=TENANT_ADMIN)
async def customer_delete(request: Request, user_id: FromPath[int]) -> Redirect:
    await services.delete_tenant_user(user_id, request.state.user)
    flash(request, _("The account was deleted."))
    return Redirect("/manage/customers", status_code=303)


# --- API ---------------------------------------------------------------------------------


@get("/api/v1/me", guards=API_CUSTOMER, tags=["account"])
async def api_me(request: Request) -> dict[str, Any]:
    """The account the API key belongs to."""
    user = request.state.user
    return {
        "id": user.id,
        "username": user.username,
        "name": user.full_name,
        "email": user.email,
        "mobile": user.mobile,
        "tenant": request.state.tenant.slug,
    }


@get("/api/v1/keys", guards=API_CUSTOMER, tags=["account"])
async def api_keys(request: Request) -> list[dict[str, Any]]:
    """The caller's API keys (never the keys themselves: a prefix only)."""
    keys = await scoped(ApiKey).objects().where(ApiKey.user == request.state.user.id).order_by(ApiKey.id)
    return [{"id": k.id, "prefix": k.prefix, "allowed_ips": k.allowed_ips, "revoked": k.revoked_at is not None} for k in keys]


@delete("/api/v1/keys/{key_id:int}", guards=API_CUSTOMER, tags=["account"], status_code=204)
async def api_revoke_key(request: Request, key_id: FromPath[int]) -> None:
    """Revoke one of the caller's keys."""
    await services.revoke_api_key(request.state.user, key_id)


HANDLERS = [
    api_keys,
    api_revoke_key,
    login_page,
    login,
    logout,
    switch_language,
    profile_page,
    profile_save,
    password_page,
    password_save,
    webservice_page,
    webservice_create_key,
    webservice_revoke_key,
    webservice_key_ips,
    customers_page,
    customer_new_page,
    customer_create,
    customer_edit_page,
    customer_update,
    customer_status,
    customer_delete,
    api_me,
]
