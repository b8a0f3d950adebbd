"""Settings (one clear line for a bad one), the command line, migrations twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from payamak.settings import SettingsError, load_settings


def test_defaults_are_sqlite_under_var_and_embedded(tmp_path: Path):
    settings = load_settings({}, cwd=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'payamak.db'}"
    assert settings.embedded and settings.redis_url is None
    assert (tmp_path / "var" / "secret_key").is_file()


def test_postgres_and_redis_urls_are_accepted(tmp_path: Path):
    settings = load_settings({"PAYAMAK_DATABASE_URL": "postgresql://u@db:5432/pmk", "PAYAMAK_REDIS_URL": "redis://r:6379/0"}, cwd=tmp_path)
    assert not settings.is_sqlite and not settings.embedded


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PAYAMAK_DATABASE_URL": "mysql://x/y"}, "PAYAMAK_DATABASE_URL"),
        ({"PAYAMAK_DATABASE_URL": "postgresql://u@h:5432"}, "PAYAMAK_DATABASE_URL"),
        ({"PAYAMAK_REDIS_URL": "http://r"}, "PAYAMAK_REDIS_URL"),
        ({"PAYAMAK_ENV": "production"}, "PAYAMAK_SECRET_KEY"),
        ({"PAYAMAK_SECRET_KEY": "short"}, "PAYAMAK_SECRET_KEY"),
        ({"PAYAMAK_WORKER_THREADS": "many"}, "PAYAMAK_WORKER_THREADS"),
        ({"PAYAMAK_DEFAULT_LOCALE": "de"}, "PAYAMAK_DEFAULT_LOCALE"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(tmp_path: Path, env: dict, named: str):
    with pytest.raises(SettingsError) as error:
        load_settings(env, cwd=tmp_path)
    assert str(error.value).startswith(named) and "\n" not in str(error.value)


def test_dotenv_is_read_and_environment_wins(tmp_path: Path):
    (tmp_path / ".env").write_text("# comment\nPAYAMAK_BASE_DOMAIN=panel.test\nPAYAMAK_DEFAULT_LOCALE=en\n")
    settings = load_settings({"PAYAMAK_DEFAULT_LOCALE": "fa"}, cwd=tmp_path)
    assert settings.base_domain == "panel.test" and settings.default_locale == "fa"


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "payamak.cli", *args], cwd=ROOT, env=env or dict(os.environ), capture_output=True, text=True, timeout=120
    )


def test_the_command_refuses_to_start_with_a_bad_setting():
    result = _cli("migrate", env={**os.environ, "PAYAMAK_DATABASE_URL": "mysql://nope/db"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "PAYAMAK_DATABASE_URL" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["worker"],
        ["scheduler"],
        ["migrate"],
        ["tenants", "sync"],
        ["tenants", "list"],
        ["tenants", "create"],
        ["users", "create"],
        ["plugins"],
        ["demo"],
    ],
)
def test_every_command_has_help(command: list[str]):
    result = _cli(*command, "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_migrate_is_safe_to_run_twice(migrated):
    for _ in range(2):
        result = _cli("migrate")
        assert result.returncode == 0, result.stderr


def test_repository_root_does_not_shadow_the_standard_library():
    result = subprocess.run(
        [sys.executable, "-c", "import platform, uuid; import payamak; print(platform.system())"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip()
    assert not (ROOT / "platform" / "__init__.py").exists()
