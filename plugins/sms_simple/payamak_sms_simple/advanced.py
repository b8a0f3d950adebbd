"""2-2 Advanced send: one text to the numbers of an uploaded ``.txt`` file, any count of them.

The first step streams the file to disk and through the core's number parser a chunk of lines
at a time, writing the valid numbers (each once) to the upload's ``.numbers`` file and counting
duplicates and invalid lines (the first 50 kept with their line numbers). The second step hands
that file, line by line, to the send pipeline: the numbers never come back from the browser.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path, PurePath
from typing import Any

from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.messaging import pipeline
from payamak.messaging.numbers import parse_many
from payamak.messaging.tables import SendJob
from payamak.tables import User
from payamak_sms_simple import services, timing, uploads

MAX_FILE_BYTES = 50 * 1024 * 1024
COPY_CHUNK = 1024 * 1024
PARSE_LINES = 10_000
MAX_LISTED = 50
MAX_RAW_SHOWN = 60


def reasons() -> dict[str, str]:
    """Why a line is not a number, in the current language (by the parser's reason codes)."""
    return {
        "not_digits": str(_("has characters other than digits")),
        "bad_length": str(_("has the wrong number of digits")),
        "not_mobile": str(_("is not an Iranian mobile number")),
        "empty": str(_("is empty")),
    }


@dataclass
class Analysis:
    """What a number file holds: unique valid numbers, duplicates, invalid entries (the first ones listed)."""

    valid: int = 0
    duplicates: int = 0
    invalid_count: int = 0
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, reason code)


def _encodings(path: Path) -> list[tuple[str, str]]:
    with path.open("rb") as fh:
        head = fh.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):  # Notepad's “Unicode”
        return [("utf-16", "replace")]
    # Persian Windows saves “ANSI” text in Windows-1256.
    return [("utf-8-sig", "strict"), ("cp1256", "replace")]


def _analyse_as(source: Path, target: Path, encoding: str, errors: str) -> Analysis:
    result = Analysis()
    seen: set[int] = set()  # ints take half the memory of 12-character strings
    offset = 0
    with source.open(encoding=encoding, errors=errors) as lines, target.open("w", encoding="ascii") as out:
        while chunk := list(islice(lines, PARSE_LINES)):
            batch = parse_many(chunk)
            result.duplicates += batch.duplicates
            for number in batch.numbers:
                key = int(number)
                if key in seen:
                    result.duplicates += 1
                else:
                    seen.add(key)
                    out.write(number + "\n")
            for entry in batch.invalid:
                result.invalid_count += 1
                if len(result.invalid) < MAX_LISTED:
                    raw = entry.raw if len(entry.raw) <= MAX_RAW_SHOWN else entry.raw[:MAX_RAW_SHOWN] + "…"
                    result.invalid.append((entry.line + offset, raw, entry.reason))
            offset += len(chunk)
    result.valid = len(seen)
    return result


def analyse(source: Path, target: Path) -> Analysis:
    """Parse the number file ``source`` (UTF-8, UTF-16 or Windows-1256), writing its unique valid numbers to ``target``."""
    for encoding, errors in _encodings(source):
        try:
            return _analyse_as(source, target, encoding, errors)
        except UnicodeDecodeError:
            continue
    raise AssertionError("the last encoding replaces what it cannot decode")


def stored_numbers(path: Path) -> Iterator[str]:
    """The numbers of a checked upload, one at a time."""
    with path.open(encoding="ascii") as lines:
        for line in lines:
            if number := line.strip():
                yield number


async def _receive(upload: uploads.Upload, file: Any) -> None:
    """Copy the uploaded file to the upload's ``raw`` file, refusing more than :data:`MAX_FILE_BYTES`."""
    size = 0
    with upload.path("raw").open("wb") as out:
        while chunk := await file.read(COPY_CHUNK):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise DomainError("advanced.too_large", _("The file may be at most %(n)s MB."), n=MAX_FILE_BYTES // (1024 * 1024))
            out.write(chunk)
    if size == 0:
        raise DomainError("advanced.empty", _("The file is empty."))


async def prepare(user: User, filename: str, file: Any, message: services.Message) -> uploads.Upload:
    """Step 1: check the message, read and count the file, keep its numbers under a new token."""
    if PurePath(filename or "").suffix.lower() != ".txt":
        raise DomainError("advanced.format", _("Upload a .txt file with one number a line."))
    line, text, when = await services.checked_message(user, message)
    upload = uploads.start(user, "advanced")
    try:
        await _receive(upload, file)
        result = await asyncio.to_thread(analyse, upload.path("raw"), upload.path("numbers"))
    except BaseException:
        uploads.discard(upload.token)
        raise
    upload.path("raw").unlink(missing_ok=True)
    quote = await pipeline.quote(user, result.valid, text, line.id)
    upload.meta.update(
        filename=PurePath(filename).name[:200],
        line_id=line.id,
        line_number=line.number,
        text=text,
        scheduled_at=when.isoformat() if when else None,
        valid=result.valid,
        duplicates=result.duplicates,
        invalid_count=result.invalid_count,
        invalid=result.invalid,
        encoding=quote.encoding,
        parts=quote.parts,
        per_part=quote.per_part,
        cost=quote.total,
    )
    uploads.save(upload)
    return upload


async def send(user: User, token: Any) -> SendJob:
    """Step 2: send the text to the upload's numbers (streamed from its file); the upload is then deleted.
    A send the core refuses (credit, line) leaves the upload in place to try again."""
    upload = uploads.load(user, token, "advanced")
    meta = upload.meta
    if not meta.get("valid"):
        raise DomainError("advanced.no_numbers", _("The file has no valid numbers to send to."))
    when = timing.parse_stored(meta.get("scheduled_at"))
    if when is not None:
        timing.check_future(when)
    with uploads.claimed(upload):
        job = await pipeline.accept_send(
            user, stored_numbers(upload.path("numbers")), meta["text"], line_id=meta["line_id"], scheduled_at=when, source="advanced"
        )
    uploads.discard(upload.token)
    return job
