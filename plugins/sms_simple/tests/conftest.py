"""Fixtures of the send pages' tests: a messaging world (loopback connector), a logged-in client,
phonebook contacts and groups, and files as people make them (.txt, .xlsx, .xls, .csv)."""

from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace
from typing import Any

import pytest

from payamak.messaging.tables import LedgerEntry, Recipient, SendJob
from tests.messaging.conftest import make_world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(rows: list[list[Any]], leading_empty_rows: int = 0) -> bytes:
    """Rows as an .xlsx sheet, starting ``leading_empty_rows`` rows down."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for r, row in enumerate(rows, start=1 + leading_empty_rows):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls_bytes(rows: list[list[Any]], leading_empty_rows: int = 0) -> bytes:
    """Rows as an Excel 97–2003 .xls sheet."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(rows, start=leading_empty_rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], leading_empty_rows: int = 0, encoding: str = "utf-8-sig") -> bytes:
    """Rows as CSV (Excel's “CSV UTF-8”, or ``cp1256`` as Persian Windows saves it, with Arabic ي)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[] for _ in range(leading_empty_rows)] + [["" if v is None else v for v in row] for row in rows])
    text = buffer.getvalue()
    if encoding == "cp1256":
        text = text.replace("ی", "ي")
    return text.encode(encoding)


def spreadsheet(fmt: str, rows: list[list[Any]], leading_empty_rows: int = 0) -> bytes:
    return {"xlsx": xlsx_bytes, "xls": xls_bytes, "csv": csv_bytes}[fmt](rows, leading_empty_rows)


def stored(number: str) -> str:
    """``0912…`` as stored (``98912…``)."""
    return "98" + number.lstrip("0")


async def jobs_of(user_id: int) -> list[SendJob]:
    return await SendJob.objects().where(SendJob.user == user_id).order_by(SendJob.id)


async def numbers_of(job_id: int) -> list[str]:
    return sorted(r["number"] for r in await Recipient.select(Recipient.number).where(Recipient.job == job_id))


async def reservations_of(account_id: int) -> int:
    # LedgerEntry has a ``count`` column, which hides Table.count()
    return len(await LedgerEntry.select(LedgerEntry.id).where((LedgerEntry.account == account_id) & (LedgerEntry.kind == "reserve")))


def done_job_ids(response: Any) -> list[int]:
    """The job ids a send redirected to (``/send/done?jobs=1,2``)."""
    assert response.status_code == 303, response.text[:2000]
    match = re.fullmatch(r"/send/done\?jobs=([\d,]+)", response.headers["location"])
    assert match, response.headers["location"]
    return [int(x) for x in match.group(1).split(",")]


def token_of(response: Any, kind: str) -> str:
    """The upload token a check step redirected to (``/send/<kind>/<token>``)."""
    assert response.status_code == 303, response.text[:3000]
    match = re.fullmatch(rf"/send/{kind}/([A-Za-z0-9_-]+)", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


async def add_contacts(user: Any, groups: dict[str, list[tuple[str, str]]]) -> dict[str, int]:
    """Phonebook groups ``{group: [(name, number)]}``; a contact listed in two groups is filed in both. Returns group ids."""
    from payamak_phonebook import services as phonebook

    group_ids = {name: (await phonebook.create_group(user, name)).id for name in groups}
    filed: dict[tuple[str, str], list[int]] = {}
    for group, contacts in groups.items():
        for contact in contacts:
            filed.setdefault(contact, []).append(group_ids[group])
    for (name, number), ids in filed.items():
        await phonebook.save_contact(user, phonebook.ContactInput(name=name, number=number, group_ids=ids))
    return group_ids


@pytest.fixture
def kit() -> SimpleNamespace:
    """The helpers above, for tests (conftest modules are not importable by name)."""
    return SimpleNamespace(
        xlsx=xlsx_bytes,
        xls=xls_bytes,
        csv=csv_bytes,
        spreadsheet=spreadsheet,
        stored=stored,
        jobs_of=jobs_of,
        numbers_of=numbers_of,
        reservations_of=reservations_of,
        done_job_ids=done_job_ids,
        token_of=token_of,
        add_contacts=add_contacts,
        XLSX=XLSX,
    )


@pytest.fixture
async def world(app, factory) -> SimpleNamespace:
    """A tenant, a customer with credit and a dedicated line on a loopback connection."""
    return await make_world(factory)


@pytest.fixture
async def client(world, client_for):
    """A client logged in as the world's customer."""
    c = client_for(world.tenant)
    await c.login(world.customer)
    return c
