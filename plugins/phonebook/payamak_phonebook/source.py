"""The phonebook as a recipient source of send forms (the ``payamak_recipient_sources`` hook).

The shape is documented in the package docstring (:mod:`payamak_phonebook`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any, ClassVar

from payamak.i18n import lazy_gettext as _
from payamak.tables import User
from payamak.tenancy import scoped
from payamak_phonebook import services
from payamak_phonebook.search import display_number
from payamak_phonebook.tables import Contact, Membership


class PhonebookRecipients:
    """Groups and contacts of the sender's own phonebook, resolved to unique numbers."""

    name: ClassVar[str] = "phonebook"
    label: ClassVar[Any] = _("Phonebook")
    chunk_size: ClassVar[int] = 5000

    async def search(self, user: User, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Contacts whose name, number or field text matches ``query``: ``[{id, name, number}]`` (number as ``0912…``)."""
        rows, _total = await services.find_contacts(user, query, None, 0, max(1, min(int(limit), 200)))
        return [{"id": r["id"], "name": r["name"], "number": display_number(r["number"])} for r in rows]

    async def groups(self, user: User) -> list[dict[str, Any]]:
        """The user's groups: ``[{id, name, count}]``."""
        return await services.list_groups(user)

    async def count(self, user: User, group_ids: Iterable[Any] = (), contact_ids: Iterable[Any] = ()) -> int:
        """How many numbers :meth:`numbers` yields for the same arguments (counted in SQL)."""
        total = 0
        async for where in self._selections(user, group_ids, contact_ids):
            total += await scoped(Contact, user.tenant).count().where((Contact.owner == user.id) & where)
        return total

    async def numbers(self, user: User, group_ids: Iterable[Any] = (), contact_ids: Iterable[Any] = ()) -> AsyncIterator[str]:
        """Each number (``98912…``) of the chosen groups and contacts once, fetched a chunk at a time.

        A contact is one row whatever the number of its groups, and a number is unique in a
        phonebook, so selecting contacts (not memberships) de-duplicates in SQL. Ids that are
        not the user's raise NotFound.
        """
        async for where in self._selections(user, group_ids, contact_ids):
            async for number in self._stream(user, where):
                yield number

    async def _selections(self, user: User, group_ids: Iterable[Any], contact_ids: Iterable[Any]) -> AsyncIterator[Any]:
        """WHERE clauses over the user's contacts that together pick each chosen contact exactly once."""
        group_ids = await services.own_group_ids(user, group_ids)
        contact_ids = await services.own_contact_ids(user, contact_ids)
        in_groups = None
        if group_ids:
            in_groups = scoped(Membership, user.tenant).select(Membership.contact).where(Membership.contact_group.is_in(group_ids))
            yield Contact.id.is_in(in_groups)
        # Picked contacts, leaving out those the groups gave already; in slices, so a long list
        # never makes one statement with more parameters than a database takes.
        for start in range(0, len(contact_ids), 1000):
            where = Contact.id.is_in(contact_ids[start : start + 1000])
            if in_groups is not None:
                where &= Contact.id.not_in(in_groups)
            yield where

    async def _stream(self, user: User, where: Any) -> AsyncIterator[str]:
        last = 0
        while True:
            rows = (
                await scoped(Contact, user.tenant)
                .select(Contact.id, Contact.number)
                .where((Contact.owner == user.id) & where & (Contact.id > last))
                .order_by(Contact.id)
                .limit(self.chunk_size)
            )
            for row in rows:
                yield row["number"]
            if len(rows) < self.chunk_size:
                return
            last = rows[-1]["id"]
