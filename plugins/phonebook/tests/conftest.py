"""Phonebook fixtures: a customer with an empty phonebook, and CSV files as Excel writes them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
async def book(app, factory):
    """A tenant and a customer of it (the phonebook's owner)."""
    tenant = await factory.tenant()
    user = await factory.user(tenant, first_name="سارا")
    return SimpleNamespace(tenant=tenant, user=user)


@pytest.fixture
def make_csv():
    """``make_csv(rows, encoding="utf-8-sig")``: see :func:`csv_bytes`."""
    return csv_bytes


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig", newline: str = "\r\n") -> bytes:
    """Rows as a CSV file: ``utf-8-sig`` (Excel's “CSV UTF-8”), ``utf-8`` or ``cp1256`` (Excel's “CSV” on Persian Windows).

    Windows-1256 has no Persian ی, so, as Excel does, it is written as Arabic ي.
    """
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    text = buffer.getvalue()
    if encoding == "cp1256":
        text = text.replace("ی", "ي")
    return text.encode(encoding)
