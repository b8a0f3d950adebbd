"""Uploads waiting between the two steps of a send (check, then confirm).

Each upload is a few files under ``<var dir>/sms_simple/uploads`` named by a random token: a
``.json`` of what was checked (with the tenant and user it belongs to) and the data it needs to
send (``.numbers``: one number a line; ``.rows``: one JSON row a line). Only the uploader can
use a token: any other user, of this tenant or another, is told it does not exist. Uploads are
deleted once sent, cancelled, or an hour old (swept on every new upload and periodically).

The var dir must be shared by every web process of a deployment (as the sessions' store is in
the embedded mode); behind several web hosts, mount it on shared storage.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from payamak.errors import NotFound
from payamak.settings import get_settings
from payamak.tables import User

TTL_SECONDS = 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def upload_dir() -> Path:
    """The folder of waiting uploads (created on first use, private to the service's user)."""
    folder = get_settings().var_dir / "sms_simple" / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


@dataclass
class Upload:
    """One waiting upload: its token and what was recorded about it."""

    token: str
    meta: dict[str, Any]

    def path(self, suffix: str) -> Path:
        """A data file of this upload (``numbers``, ``rows``, ``raw``)."""
        return upload_dir() / f"{self.token}.{suffix}"

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind", ""))


def start(user: User, kind: str) -> Upload:
    """A new upload of ``user`` (its meta is written by :func:`save`); old uploads are swept first."""
    sweep()
    token = secrets.token_urlsafe(24)
    return Upload(token, {"kind": kind, "tenant": user.tenant, "user": user.id, "created": time.time()})


def save(upload: Upload) -> None:
    """Write the upload's meta (atomically: a reader never sees half a file)."""
    target = upload.path("json")
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(upload.meta, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, target)


def load(user: User, token: Any, kind: str) -> Upload:
    """The user's waiting upload of ``kind``; :class:`NotFound` for anyone else's, a stale or a made-up token."""
    token = str(token or "")
    if not TOKEN.match(token):
        raise NotFound("upload")
    try:
        meta = json.loads((upload_dir() / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotFound("upload") from None
    if meta.get("kind") != kind or meta.get("tenant") != user.tenant or meta.get("user") != user.id:
        raise NotFound("upload")
    if time.time() - float(meta.get("created", 0)) > TTL_SECONDS:
        discard(token)
        raise NotFound("upload")
    return Upload(token, meta)


@contextmanager
def claimed(upload: Upload) -> Iterator[Upload]:
    """Hold the upload while it is being sent: a second confirmation (a double click, another tab)
    finds nothing. If the send fails, the upload is put back to be confirmed again."""
    try:
        os.rename(upload.path("json"), upload.path("claimed"))
    except FileNotFoundError:
        raise NotFound("upload") from None
    try:
        yield upload
    except BaseException:
        os.rename(upload.path("claimed"), upload.path("json"))
        raise


def discard(token: str) -> None:
    """Delete every file of an upload (sent, cancelled or stale)."""
    if not TOKEN.match(token):
        return
    for path in upload_dir().glob(f"{token}.*"):
        path.unlink(missing_ok=True)


def sweep(max_age: float = TTL_SECONDS) -> int:
    """Delete uploads older than ``max_age`` seconds (by their files' age); returns how many files went."""
    limit = time.time() - max_age
    removed = 0
    for path in upload_dir().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        except OSError:
            continue
    return removed
