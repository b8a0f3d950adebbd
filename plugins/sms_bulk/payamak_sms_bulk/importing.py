"""Importing a number database from .csv or .xlsx (platform admins), in the background.

Documented columns (header row required; English or Persian names, any order):
number/شماره (required), operator/اپراتور, gender/جنسیت (m, f, مرد, زن), province/استان,
city/شهر, area/منطقه (Tehran region or Karaj area), suburb/حومه, guild/صنف,
postal_code/کد پستی (10 digits), active/فعال (1/0, yes/no, بله/خیر; empty = active).
Places and guilds are the reference lists' codes or Persian names.

Every row is checked first; a file with any bad row loads nothing and the database records the
rows, columns and reasons. A good file is loaded into a new database row in chunks (progress
is visible) and then :func:`databases.switch_to` makes it current in one transaction.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from payamak.db import bulk_insert, writing
from payamak.errors import DomainError
from payamak.i18n import gettext as _
from payamak.i18n import latin_digits, lazy_gettext
from payamak.messaging.numbers import operator_of, try_normalise
from payamak_sms_bulk import databases, reference
from payamak_sms_bulk.tables import BulkNumber, NumberDatabase

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_LISTED_ERRORS = 50
LOAD_CHUNK = 20_000
FORMATS = ("csv", "xlsx")
HEADERS = {
    "number": ("number", "شماره"),
    "operator": ("operator", "اپراتور"),
    "gender": ("gender", "جنسیت"),
    "province": ("province", "استان"),
    "city": ("city", "شهر"),
    "area": ("area", "منطقه"),
    "suburb": ("suburb", "حومه"),
    "guild": ("guild", "صنف"),
    "postal_code": ("postal_code", "کد پستی"),
    "active": ("active", "فعال"),
}
GENDER_WORDS = {"m": "m", "male": "m", "مرد": "m", "آقا": "m", "f": "f", "female": "f", "زن": "f", "خانم": "f", "": ""}
TRUE_WORDS = {"", "1", "true", "yes", "y", "بله", "فعال"}
FALSE_WORDS = {"0", "false", "no", "n", "خیر", "غیرفعال"}


@dataclass(frozen=True)
class RowError:
    """A bad cell of an import file."""

    row: int
    column: str
    message: str


def _rows(path: Path) -> Iterator[list[str]]:
    if path.suffix.lower() == ".xlsx":
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        for row in sheet.iter_rows():
            yield [_cell(v) for v in row]
    else:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                yield [c.strip() for c in row]


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _header(row: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, title in enumerate(row):
        for column, names in HEADERS.items():
            if title.strip().casefold() in names:
                index[column] = position
    if "number" not in index:
        raise DomainError("bulk.import_header", lazy_gettext("The first row must name the columns; a number column is required."))
    return index


def parse_row(values: dict[str, str], line: int, errors: list[RowError]) -> tuple[Any, ...] | None:
    """One checked row as the database stores it (without the database id), or None with errors added."""
    before = len(errors)
    number = try_normalise(values.get("number", ""))
    if number is None:
        errors.append(RowError(line, "number", _("not a mobile number")))
    codes: dict[str, str] = {}
    for column in ("province", "city", "area", "suburb", "guild"):
        raw = values.get(column, "")
        code = reference.lookup(column).get(raw.casefold(), reference.lookup(column).get(raw)) if raw else ""
        if code is None:
            errors.append(RowError(line, column, _("not in the reference list")))
        codes[column] = code or ""
    if codes["city"]:
        parent = next(c.parent for c in reference.cities() if c.code == codes["city"])
        if codes["province"] and codes["province"] != parent:
            errors.append(RowError(line, "city", _("the city is not in the province")))
        codes["province"] = codes["province"] or parent
    gender = GENDER_WORDS.get(values.get("gender", "").casefold())
    if gender is None:
        errors.append(RowError(line, "gender", _("use m or f")))
    postal = latin_digits(values.get("postal_code", "")).replace("-", "")
    if postal and not (len(postal) == 10 and postal.isdigit()):
        errors.append(RowError(line, "postal_code", _("a postal code has 10 digits")))
    active_word = values.get("active", "").casefold()
    if active_word not in TRUE_WORDS | FALSE_WORDS:
        errors.append(RowError(line, "active", _("use 1 or 0")))
    if len(errors) > before or number is None:
        return None
    operator = values.get("operator", "").casefold() or operator_of(number)
    return (
        int(number),
        operator[:10],
        gender,
        codes["province"],
        codes["city"],
        codes["area"],
        codes["suburb"],
        codes["guild"],
        postal,
        postal[:5],
        active_word not in FALSE_WORDS,
    )


def checked_rows(path: Path) -> tuple[list[RowError], int]:
    """Check every row of a file: its errors and the count of good rows."""
    errors: list[RowError] = []
    good = 0
    for _line, row in _parsed(path, errors):
        good += row is not None
    return errors, good


def _parsed(path: Path, errors: list[RowError]) -> Iterator[tuple[int, tuple[Any, ...] | None]]:
    rows = _rows(path)
    header = _header(next(rows, []))
    seen: set[int] = set()
    for line, row in enumerate(rows, start=2):
        if not any(row):
            continue
        values = {column: (row[i] if i < len(row) else "") for column, i in header.items()}
        parsed = parse_row(values, line, errors)
        if parsed is not None:
            if parsed[0] in seen:
                errors.append(RowError(line, "number", _("repeated in the file")))
                parsed = None
            else:
                seen.add(parsed[0])
        yield line, parsed


async def start_import(name: str, filename: str, content: bytes, replaces: int | None, var_dir: Path) -> NumberDatabase:
    """Save an upload and queue its import into a new database row (the actor does the work)."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise DomainError("bulk.import_format", lazy_gettext("Upload a .csv or .xlsx file."))
    if len(content) > MAX_UPLOAD_BYTES:
        raise DomainError("bulk.import_size", lazy_gettext("The file is larger than 20 MB."))
    if replaces is not None and not await NumberDatabase.exists().where(
        (NumberDatabase.id == replaces) & (NumberDatabase.status == "ready")
    ):
        raise DomainError("bulk.import_replaces", lazy_gettext("Only a ready database can be replaced."))
    database = NumberDatabase(name=name.strip() or filename, status="loading", source=filename[:200], replaces=replaces)
    await database.save()
    folder = var_dir / "bulk-imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{database.id}.{suffix}"
    _write(path, content)
    from payamak_sms_bulk.actors import import_database

    import_database.send(database.id, str(path))
    return database


async def run_import(database_id: int, path: Path) -> None:
    """Check the file, load it in chunks with progress, then switch it in (or record why not)."""
    database = await NumberDatabase.objects().where(NumberDatabase.id == database_id).first()
    if database is None:
        return
    try:
        errors, good = await asyncio.to_thread(checked_rows, path)
    except DomainError as exc:
        errors, good = [RowError(1, "", str(exc.message))], 0
    except Exception as exc:  # an unreadable file is the admin's error, not a crash
        errors, good = [RowError(0, "", str(exc)[:200])], 0
    if errors or not good:
        listed = "\n".join(f"{e.row}\t{e.column}\t{e.message}" for e in errors[:MAX_LISTED_ERRORS]) or _("The file has no rows.")
        await NumberDatabase.update(
            {
                NumberDatabase.status: "failed",
                NumberDatabase.error: listed,
                NumberDatabase.rows: len(errors),
                NumberDatabase.finished_at: datetime.now(UTC),
            }
        ).where(NumberDatabase.id == database_id)
        _remove(path)
        return
    await NumberDatabase.update({NumberDatabase.rows: good}).where(NumberDatabase.id == database_id)
    loaded = 0
    batch: list[tuple[Any, ...]] = []
    ignore: list[RowError] = []
    try:
        for _line, row in _parsed(path, ignore):
            batch.append((database_id, *row))
            if len(batch) >= LOAD_CHUNK:
                loaded += await _load(database_id, batch, loaded)
                batch = []
        loaded += await _load(database_id, batch, loaded)
    except Exception as exc:
        await BulkNumber.delete().where(BulkNumber.database == database_id)
        await NumberDatabase.update({NumberDatabase.status: "failed", NumberDatabase.error: str(exc)[:500]}).where(
            NumberDatabase.id == database_id
        )
        raise
    finally:
        _remove(path)
    await databases.switch_to(database_id, database.replaces)


async def _load(database_id: int, batch: list[tuple[Any, ...]], loaded: int) -> int:
    if not batch:
        return 0
    async with writing():
        count = await bulk_insert("bulk_number", databases.COLUMNS, iter(batch))
        await NumberDatabase.update({NumberDatabase.progress: loaded + count}).where(NumberDatabase.id == database_id)
    return count


def _write(path: Path, content: bytes) -> None:
    path.write_bytes(content)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def sample_csv() -> bytes:
    """A sample import file with the documented columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(HEADERS))
    writer.writerow(["09351234567", "irancell", "f", "تهران", "تهران", "منطقه ۵ تهران", "", "پزشکان", "1459876543", "1"])
    writer.writerow(["09121234567", "mci", "m", "البرز", "کرج", "گوهردشت", "", "", "3149876543", "1"])
    writer.writerow(["09201234567", "", "", "تهران", "تهران", "", "پردیس", "", "", "0"])
    return out.getvalue().encode("utf-8-sig")
