"""Exporting a phonebook as CSV that Excel opens with Persian intact, streamed a chunk at a time.

UTF-8 with a BOM (Excel reads a BOM-less CSV as the system's ANSI code page and garbles
Persian), CRLF line ends, numbers as ``0912…``, dates as Jalali ``1403/05/12``, groups joined
with «، ». The columns are those the import reads, so an export imports back unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from payamak.i18n import gettext
from payamak.tables import User
from payamak_phonebook import services
from payamak_phonebook.csvio import BOM, csv_line
from payamak_phonebook.search import display_number
from payamak_phonebook.tables import Contact

CHUNK = 1000


async def titles(user: User) -> tuple[list[str], list[Any]]:
    """The title row (in the page's language) and the user's fields in column order."""
    fields = await services.list_fields(user)
    return [gettext("Name"), gettext("Mobile"), *(f.name for f in fields), gettext("Groups")], fields


async def export_csv(user: User, group_id: Any = None, header_only: bool = False) -> AsyncIterator[bytes]:
    """The user's contacts (or one group's) as CSV bytes; titles are made now, rows as they are read."""
    gid = (await services.user_group(user, group_id)).id if group_id not in (None, "") else None
    header, fields = await titles(user)

    async def body() -> AsyncIterator[bytes]:
        yield (BOM + csv_line(header)).encode("utf-8")
        if header_only:
            return
        last = 0
        while True:
            rows = (
                await services.contacts_query(user, "", gid, (Contact.id, Contact.name, Contact.number))
                .where(Contact.id > last)
                .order_by(Contact.id)
                .limit(CHUNK)
            )
            if not rows:
                return
            ids = [r["id"] for r in rows]
            values, groups = await services.values_of(user, ids), await services.groups_of(user, ids)
            lines = []
            for row in rows:
                own = values.get(row["id"], {})
                cells = [row["name"], display_number(row["number"]), *(own.get(f.id, "") for f in fields)]
                cells.append("، ".join(g["name"] for g in groups.get(row["id"], [])))
                lines.append(csv_line(cells))
            yield "".join(lines).encode("utf-8")
            last = rows[-1]["id"]

    return body()
