"""Settings: ``PAYAMAK_``-prefixed environment variables, with a ``.env`` file read in development.

A wrong or missing setting raises :class:`SettingsError`, whose message is one line naming
the variable; the command line prints that line and exits.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

PREFIX = "PAYAMAK_"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


@dataclass(frozen=True)
class Settings:
    """The validated configuration of one Payamak process."""

    env: str
    var_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    base_domain: str
    platform_host: str
    default_locale: str
    worker_threads: int
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path(urlparse(self.database_url).path if "://" in self.database_url else "")

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: in-process broker, worker threads, local sessions."""
        return self.redis_url is None

    @property
    def production(self) -> bool:
        return self.env == "production"


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a ``.env`` file of ``KEY=value`` lines (comments and blank lines ignored)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[7:]
        if "=" not in line:
            raise SettingsError(f"{path}:{number}: expected KEY=value, got {raw!r}")
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


def _database_url(value: str | None, var_dir: Path) -> str:
    if not value:
        return f"sqlite:///{(var_dir / 'payamak.db').resolve()}"
    parsed = urlparse(value)
    if parsed.scheme == "sqlite":
        if not parsed.path or parsed.path == "/":
            raise SettingsError("PAYAMAK_DATABASE_URL: a sqlite URL needs a file path, e.g. sqlite:///var/payamak.db")
        return value
    if parsed.scheme in {"postgresql", "postgres"}:
        if not parsed.path.strip("/"):
            raise SettingsError(
                "PAYAMAK_DATABASE_URL: a postgresql URL needs a database name, e.g. postgresql://user@127.0.0.1:5432/payamak"
            )
        return value
    raise SettingsError(
        f"PAYAMAK_DATABASE_URL: unsupported scheme {parsed.scheme!r}; use sqlite:///path/to/file.db or postgresql://user@host:port/db"
    )


def _redis_url(value: str | None) -> str | None:
    if not value:
        return None
    if urlparse(value).scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError(f"PAYAMAK_REDIS_URL: expected redis://host:port/db, got {value!r}")
    return value


def _secret_key(value: str | None, env: str, var_dir: Path) -> str:
    if value:
        if len(value) < 32:
            raise SettingsError("PAYAMAK_SECRET_KEY: must be at least 32 characters long")
        return value
    if env == "production":
        raise SettingsError("PAYAMAK_SECRET_KEY: required when PAYAMAK_ENV=production")
    key_file = var_dir / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _positive_int(name: str, value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name}: expected a whole number, got {value!r}") from None
    if number < 1:
        raise SettingsError(f"{PREFIX}{name}: must be 1 or more, got {number}")
    return number


def load_settings(environ: dict[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Build :class:`Settings` from the environment (and ``./.env``), validating every value."""
    cwd = cwd or Path.cwd()
    source = dict(read_dotenv(cwd / ".env"))
    source.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = source.get(PREFIX + name)
        return value.strip() if isinstance(value, str) else value

    env = get("ENV") or "development"
    if env not in {"development", "production", "test"}:
        raise SettingsError(f"PAYAMAK_ENV: expected development, production or test, got {env!r}")
    var_dir = Path(get("VAR_DIR") or cwd / "var").resolve()
    base_domain = (get("BASE_DOMAIN") or "localhost").lower().strip(".")
    if "/" in base_domain or " " in base_domain:
        raise SettingsError(f"PAYAMAK_BASE_DOMAIN: expected a host name, got {base_domain!r}")
    locale = get("DEFAULT_LOCALE") or "fa"
    if locale not in {"fa", "en"}:
        raise SettingsError(f"PAYAMAK_DEFAULT_LOCALE: expected fa or en, got {locale!r}")
    extra = {k[len(PREFIX) :]: v for k, v in source.items() if k.startswith(PREFIX)}
    return Settings(
        env=env,
        var_dir=var_dir,
        database_url=_database_url(get("DATABASE_URL"), var_dir),
        redis_url=_redis_url(get("REDIS_URL")),
        secret_key=_secret_key(get("SECRET_KEY"), env, var_dir),
        base_domain=base_domain,
        platform_host=(get("PLATFORM_HOST") or base_domain).lower(),
        default_locale=locale,
        worker_threads=_positive_int("WORKER_THREADS", get("WORKER_THREADS"), 4),
        extra=extra,
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded once."""
    return load_settings()
