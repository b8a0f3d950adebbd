"""Account logic with no HTTP in it: passwords, log-in throttling, users, API keys."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.registry import ROLES
from payamak.tables import ApiKey, User
from payamak.tenancy import scoped

_hasher = PasswordHasher()
# A hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("payamak-dummy-password")

USERNAME_RE = re.compile(r"^[a-zA-Z0-9_.@-]{3,100}$")
MIN_PASSWORD = 8
TENANT_ROLES = ("tenant_admin", "tenant_staff", "customer")
PROFILE_FIELDS = ("first_name", "last_name", "email", "mobile", "company", "national_code", "address")
API_KEY_PREFIX = "pmk_"


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (never raises on a bad hash)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str, repeat: str) -> None:
    """Raise a clear error if a new password is too short or not repeated exactly."""
    if len(password) < MIN_PASSWORD:
        raise DomainError("password.too_short", _("The new password must be at least %(n)s characters long."), n=MIN_PASSWORD)
    if password != repeat:
        raise DomainError("password.mismatch", _("The new password and its repetition do not match."))


async def authenticate(tenant_id: int | None, username: str, password: str) -> User | None:
    """The active user of this tenant (or a platform admin, for ``None``) with this password."""
    query = User.objects().where(User.username == username.strip())
    query = query.where(User.tenant.is_null()) if tenant_id is None else query.where(User.tenant == tenant_id)
    user = await query.first()
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or user.status != "active":
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(UTC)
    await user.save([User.password_hash, User.last_login_at])
    return user


def _clean_profile(values: dict[str, Any]) -> dict[str, str]:
    from payamak.i18n import latin_digits

    cleaned = {k: str(values.get(k, "") or "").strip() for k in PROFILE_FIELDS if k in values}
    for key in ("mobile", "national_code"):
        if key in cleaned:
            cleaned[key] = latin_digits(cleaned[key])
    if cleaned.get("email") and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", cleaned["email"]):
        raise DomainError("profile.bad_email", _("“%(email)s” is not an e-mail address."), email=cleaned["email"])
    if cleaned.get("mobile") and not re.match(r"^\+?[0-9]{10,14}$", cleaned["mobile"]):
        raise DomainError("profile.bad_mobile", _("“%(mobile)s” is not a mobile number."), mobile=cleaned["mobile"])
    if cleaned.get("national_code") and not re.match(r"^[0-9]{10,11}$", cleaned["national_code"]):
        raise DomainError("profile.bad_national_code", _("The national code must be 10 or 11 digits."))
    return cleaned


async def create_user(tenant_id: int | None, username: str, password: str, role: str = "customer", **profile: Any) -> User:
    """Create a user; platform admins have ``tenant_id=None``. Usernames are unique per tenant."""
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise DomainError("user.bad_username", _("The username must be 3 to 100 Latin letters, digits or . _ @ -."))
    if role not in ROLES:
        raise DomainError("user.bad_role", _("Unknown role “%(role)s”."), role=role)
    if (role == "platform_admin") != (tenant_id is None):
        raise DomainError("user.bad_role", _("Platform admins belong to no tenant; everyone else belongs to one."))
    if len(password) < MIN_PASSWORD:
        raise DomainError("password.too_short", _("The password must be at least %(n)s characters long."), n=MIN_PASSWORD)
    taken = User.exists().where(User.username == username)
    taken = taken.where(User.tenant.is_null()) if tenant_id is None else taken.where(User.tenant == tenant_id)
    if await taken:
        raise DomainError("user.username_taken", _("The username “%(username)s” is taken."), username=username)
    user = User(tenant=tenant_id, username=username, password_hash=hash_password(password), role=role, **_clean_profile(profile))
    await user.save()
    return user


async def update_profile(user: User, values: dict[str, Any]) -> User:
    """Save a user's own profile fields (10-1)."""
    cleaned = _clean_profile({k: values.get(k, "") for k in PROFILE_FIELDS})
    for key, value in cleaned.items():
        setattr(user, key, value)
    await user.save([getattr(User, k) for k in cleaned])
    return user


async def change_password(user: User, old: str, new: str, repeat: str) -> None:
    """Change a password (10-2): the old one must match, the new one be valid and repeated."""
    if not verify_password(user.password_hash, old):
        raise DomainError("password.wrong_old", _("The current password is not correct."))
    check_new_password(new, repeat)
    if new == old:
        raise DomainError("password.same", _("The new password must differ from the current one."))
    user.password_hash = hash_password(new)
    await user.save([User.password_hash])


async def tenant_user(user_id: Any) -> User:
    """A user of the current tenant, or :class:`NotFound`."""
    user = await scoped(User).get(user_id)
    if user is None:
        raise NotFound("user")
    return user


async def edit_tenant_user(user_id: Any, values: dict[str, Any]) -> User:
    """A tenant admin edits a customer's or staff member's details, role and status."""
    user = await tenant_user(user_id)
    cleaned = _clean_profile({k: values.get(k, "") for k in PROFILE_FIELDS})
    role = values.get("role", user.role)
    if role not in ("tenant_staff", "customer", "tenant_admin"):
        raise DomainError("user.bad_role", _("Unknown role “%(role)s”."), role=role)
    status = values.get("status", user.status)
    if status not in ("active", "suspended"):
        raise DomainError("user.bad_status", _("Unknown status “%(status)s”."), status=status)
    await (
        scoped(User)
        .update({**{getattr(User, k): v for k, v in cleaned.items()}, User.role: role, User.status: status})
        .where(User.id == user.id)
    )
    if values.get("password"):
        check_new_password(values["password"], values.get("password_repeat", ""))
        await scoped(User).update({User.password_hash: hash_password(values["password"])}).where(User.id == user.id)
    return await tenant_user(user.id)


async def set_user_status(user_id: Any, status: str, acting: User) -> User:
    """Suspend or re-activate a user of the current tenant (never oneself)."""
    user = await tenant_user(user_id)
    if status not in ("active", "suspended"):
        raise DomainError("user.bad_status", _("Unknown status “%(status)s”."), status=status)
    if user.id == acting.id:
        raise DomainError("user.suspend_self", _("You cannot suspend your own account."))
    await scoped(User).update({User.status: status}).where(User.id == user.id)
    user.status = status
    return user


async def delete_tenant_user(user_id: Any, acting: User) -> None:
    """Delete a user of the current tenant (never oneself)."""
    user = await tenant_user(user_id)
    if user.id == acting.id:
        raise DomainError("user.delete_self", _("You cannot delete your own account."))
    await scoped(ApiKey).delete().where(ApiKey.user == user.id)
    await scoped(User).delete().where(User.id == user.id)


# --- API keys -------------------------------------------------------------------------


def hash_api_key(key: str) -> str:
    """Keys are 256 random bits, so a plain SHA-256 is a safe, fast lookup hash."""
    return hashlib.sha256(key.encode()).hexdigest()


def parse_ip_list(text: str) -> list[str]:
    """Validate a comma/space/line separated list of IP addresses or networks."""
    from payamak.i18n import latin_digits

    items = [p for p in re.split(r"[\s,]+", latin_digits(text or "")) if p]
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise DomainError("api.bad_ip", _("“%(ip)s” is not an IP address or network."), ip=item) from None
    return items


def ip_allowed(allowed: str, client_ip: str) -> bool:
    """Whether ``client_ip`` is in the allow-list (an empty list allows every address)."""
    networks = parse_ip_list(allowed)
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


async def create_api_key(user: User, allowed_ips: str = "") -> tuple[ApiKey, str]:
    """Issue a key (11-1): returns the row and the plain key, which is never stored or shown again."""
    ips = parse_ip_list(allowed_ips)
    plain = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = await scoped(ApiKey).create(user=user.id, prefix=plain[:12], key_hash=hash_api_key(plain), allowed_ips=", ".join(ips))
    return key, plain


async def user_api_key(user: User, key_id: Any) -> ApiKey:
    key = await scoped(ApiKey).get(key_id)
    if key is None or key.user != user.id:
        raise NotFound("api key")
    return key


async def revoke_api_key(user: User, key_id: Any) -> None:
    """Revoke one of the user's keys; it stops working at once."""
    key = await user_api_key(user, key_id)
    await scoped(ApiKey).update({ApiKey.revoked_at: datetime.now(UTC)}).where(ApiKey.id == key.id)


async def set_api_key_ips(user: User, key_id: Any, allowed_ips: str) -> None:
    """Restrict one of the user's keys to some IP addresses (empty: any address)."""
    key = await user_api_key(user, key_id)
    ips = parse_ip_list(allowed_ips)
    await scoped(ApiKey).update({ApiKey.allowed_ips: ", ".join(ips)}).where(ApiKey.id == key.id)


async def user_for_api_key(tenant_id: int, plain: str, client_ip: str) -> User | None:
    """The active user owning a live key of this tenant, if the client's address is allowed."""
    key = await scoped(ApiKey, tenant_id).objects().where(ApiKey.key_hash == hash_api_key(plain.strip())).first()
    if key is None or key.revoked_at is not None or not ip_allowed(key.allowed_ips, client_ip):
        return None
    user = await scoped(User, tenant_id).get(key.user)
    if user is None or user.status != "active":
        return None
    await ApiKey.update({ApiKey.last_used_at: datetime.now(UTC)}).where(ApiKey.id == key.id)
    return user
