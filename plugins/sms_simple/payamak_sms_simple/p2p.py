"""2-3 Peer-to-peer send: rows of a spreadsheet (or of the API), each its own number, text and time.

Columns, in this order: mobile number, text, send time (optional; Jalali ``Y/M/D H:m``, Persian
or Latin digits; empty: at once). A first row naming the columns is skipped, empty rows too.
Every row is checked first; if any is wrong the errors are reported by row and column and
nothing is kept or sent. A file without errors waits under a token for the user to look at the
preview (rows, times, cost) and confirm; then ``pipeline.accept_personal`` sends every row in
one transaction, one job per distinct time.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from pathlib import PurePath
from typing import Any

from payamak.errors import DomainError
from payamak.i18n import lazy_gettext as _
from payamak.messaging import pricing
from payamak.messaging.lines import usable_line
from payamak.messaging.numbers import InvalidNumber, normalise
from payamak.messaging.pipeline import InvalidRows, PersonalRow, accept_personal, check_text
from payamak.messaging.tables import SendJob
from payamak.messaging.text import info
from payamak.tables import User
from payamak.web.formatting import as_tehran
from payamak_sms_simple import spreadsheets, timing, uploads
from payamak_sms_simple.services import clean_newlines

PREVIEW_ROWS = 50
MAX_TIMES_SHOWN = 30
HEADER_WORDS = {"number", "mobile", "mobile number", "to", "recipient", "شماره", "موبایل", "شماره موبایل", "شماره همراه", "گیرنده"}


@dataclass(frozen=True)
class RowError:
    """One problem of a row: its number (as the spreadsheet or the list shows it; 0 for the whole
    file), the column (``number``, ``text`` or ``time``; empty for the whole file) and what is wrong."""

    row: int
    column: str
    message: str

    @property
    def column_label(self) -> str:
        """The column's name in the current language."""
        return column_labels().get(self.column, "")


def column_labels() -> dict[str, str]:
    """The columns' names in the current language (also the sample file's header row)."""
    return {"number": str(_("Mobile number")), "text": str(_("Text")), "time": str(_("Send time (optional)"))}


class RowsRefused(DomainError):
    """Some rows are wrong; nothing was kept or sent."""

    def __init__(self, errors: list[RowError]) -> None:
        rows = len({e.row for e in errors})
        super().__init__("rows.invalid", _("%(n)s rows have errors. Nothing was sent: fix them and upload the file again."), n=rows)
        self.errors = errors


@dataclass(frozen=True)
class CheckedRow:
    """A row ready to send: its row number, the stored number, the text and the time (None: at once)."""

    row: int
    number: str
    text: str
    send_at: datetime | None


def _header_word(value: Any) -> str:
    return " ".join(str(value or "").replace("ي", "ی").replace("ك", "ک").lower().split())


def check_row(
    row: int, number: Any, text: Any, when: Any, parse_time: Callable[[Any], datetime | None], names: tuple[str, str, str]
) -> tuple[CheckedRow | None, list[RowError]]:
    """One row checked: the row ready to send, or every problem it has (``names``: its three columns' keys)."""
    errors: list[RowError] = []
    stored = ""
    try:
        stored = normalise(spreadsheets.text_cell(number))
    except InvalidNumber as exc:
        errors.append(RowError(row, names[0], exc.message))
    message = clean_newlines(spreadsheets.text_cell(text))
    try:
        message = check_text(message)
    except DomainError as exc:
        errors.append(RowError(row, names[1], exc.message))
    moment = None
    try:
        moment = parse_time(when)
    except DomainError as exc:
        errors.append(RowError(row, names[2], exc.message))
    if errors:
        return None, errors
    return CheckedRow(row, stored, message, moment), []


def check_sheet(rows: list[tuple[int, list[Any]]]) -> tuple[list[CheckedRow], list[RowError]]:
    """Every row of a file checked (empty rows and a header row skipped)."""
    content = [(n, cells) for n, cells in rows if any(spreadsheets.text_cell(c) for c in cells)]
    if content and _header_word(content[0][1][0] if content[0][1] else "") in HEADER_WORDS | {_header_word(column_labels()["number"])}:
        content = content[1:]
    if not content:
        return [], [RowError(0, "", str(_("The file has no rows.")))]
    current = timing.now()
    checked: list[CheckedRow] = []
    errors: list[RowError] = []
    for number, cells in content:
        raw_number, raw_text, raw_time = [*cells, None, None, None][:3]
        row, problems = check_row(
            number, raw_number, raw_text, raw_time, lambda v: timing.row_send_time(v, current), ("number", "text", "time")
        )
        if row is None:
            errors.extend(problems)
        else:
            checked.append(row)
    return checked, errors


def check_file(filename: str, data: bytes) -> tuple[list[CheckedRow], list[RowError]]:
    """Read and check an uploaded file (runs in a thread: large files take a while)."""
    return check_sheet(spreadsheets.read_rows(filename, data))


async def _costs(user: User, line_kind: str, rows: Iterable[CheckedRow]) -> tuple[int, int]:
    """(total cost, total parts) of ``rows`` from a line of ``line_kind``, priced as the pipeline prices them."""
    table = await pricing.price_table(user.tenant)
    total = parts = 0
    for row in rows:
        sms = info(row.text)
        parts += sms.parts
        total += sms.parts * table[(line_kind, sms.encoding)]
    return total, parts


def _minute(moment: datetime | None) -> str:
    return "" if moment is None else as_tehran(moment).replace(second=0, microsecond=0).isoformat()


async def keep(user: User, line_id: Any, checked: list[CheckedRow], filename: str) -> uploads.Upload:
    """Keep checked rows under a new token with what the preview shows: counts, times, cost."""
    line = await usable_line(user, line_id)
    cost, parts = await _costs(user, line.kind, checked)
    times = Counter(_minute(row.send_at) for row in checked)
    upload = uploads.start(user, "p2p")
    with upload.path("rows").open("w", encoding="utf-8") as out:
        for row in checked:
            out.write(json.dumps([row.row, row.number, row.text, row.send_at.isoformat() if row.send_at else None], ensure_ascii=False))
            out.write("\n")
    upload.meta.update(
        filename=PurePath(filename).name[:200],
        line_id=line.id,
        line_number=line.number,
        rows=len(checked),
        parts=parts,
        cost=cost,
        now=times.pop("", 0),
        times=sorted(times.items())[:MAX_TIMES_SHOWN],
        distinct_times=len(times),
    )
    uploads.save(upload)
    return upload


async def prepare(user: User, filename: str, data: bytes, line_id: Any) -> uploads.Upload:
    """Step 1: read and check a file; :class:`RowsRefused` when any row is wrong, else the kept upload."""
    spreadsheets.file_format(filename)
    await usable_line(user, line_id)  # no line, no point reading the file
    checked, errors = await asyncio.to_thread(check_file, filename, data)
    if errors:
        raise RowsRefused(errors)
    return await keep(user, line_id, checked, filename)


def stored_rows(upload: uploads.Upload, limit: int | None = None) -> Iterator[CheckedRow]:
    """The kept rows of an upload, in file order (``limit``: only the first ones)."""
    with upload.path("rows").open(encoding="utf-8") as lines:
        for line in islice(lines, limit):
            row, number, text, when = json.loads(line)
            yield CheckedRow(row, number, text, timing.parse_stored(when))


async def send(user: User, token: Any) -> list[SendJob]:
    """Step 2: send every kept row (one job per distinct time); the upload is then deleted.
    A send the core refuses (credit, line) leaves the upload in place to try again."""
    upload = uploads.load(user, token, "p2p")
    with uploads.claimed(upload):
        personal = (PersonalRow(r.number, r.text, r.send_at) for r in stored_rows(upload))
        jobs = await accept_personal(user, personal, line_id=upload.meta["line_id"], source="p2p")
    uploads.discard(upload.token)
    return jobs


# --- the API ------------------------------------------------------------------------------------


def api_time(value: Any) -> datetime | None:
    """``send_at`` of an API row: ISO 8601 (UTC when no zone) or Jalali ``Y/M/D H:m`` (Tehran); in the future."""
    from payamak.messaging.api import parse_send_at

    if value in (None, ""):
        return None
    moment = parse_send_at(str(value))
    return timing.check_future(moment) if moment is not None else None


async def send_rows(user: User, rows: list[tuple[Any, Any, Any]], line_id: Any = None) -> list[SendJob]:
    """Send ``(to, text, send_at)`` rows at once (the API); :class:`RowsRefused` lists bad rows by position (from 1)."""
    checked: list[CheckedRow] = []
    errors: list[RowError] = []
    for position, (to, text, when) in enumerate(rows, start=1):
        row, problems = check_row(position, to, text, when, api_time, ("to", "text", "send_at"))
        if row is None:
            errors.extend(problems)
        else:
            checked.append(row)
    if errors:
        raise RowsRefused(errors)
    if not checked:
        raise DomainError("recipients.empty", _("There are no rows to send."))
    try:
        return await accept_personal(user, (PersonalRow(r.number, r.text, r.send_at) for r in checked), line_id=line_id, source="p2p")
    except InvalidRows as exc:  # the pipeline re-checks; its positions are the rows' own
        raise RowsRefused([RowError(row, field, str(problem)) for row, field, problem in exc.errors]) from None


def sample_rows(current: datetime | None = None) -> list[list[str]]:
    """The sample's rows: the column names and three examples (at once, and two at times to come)."""
    day, _hour = timing.default_send_time((current or timing.now()) + timedelta(days=1))
    return [
        list(column_labels().values()),
        ["09121234567", str(_("Hello Sara, your appointment is tomorrow at 10.")), ""],
        ["09351234567", str(_("Mr Karimi, your order has been sent.")), f"{day} 10:00"],
        ["09191234567", str(_("Happy birthday, Reza!")), f"{day} 09:30"],
    ]
