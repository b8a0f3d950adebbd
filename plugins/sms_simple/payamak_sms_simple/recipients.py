"""Recipients of a simple send: typed numbers plus groups and contacts of the tenant's recipient sources.

A recipient source is what the ``payamak_recipient_sources`` hook returns (the phonebook's is
``payamak_phonebook.source.PhonebookRecipients``): an object with a ``name``, a ``label`` and
async ``search``, ``groups``, ``count`` and ``numbers`` methods. A source meant for other sends
(number databases of bulk sends) may leave itself out of simple send with ``simple_send = False``.

A pick names its source: ``phonebook:12`` is group (or contact) 12 of the phonebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

from payamak.errors import DomainError, NotFound
from payamak.i18n import lazy_gettext as _
from payamak.i18n import localize_digits
from payamak.messaging.numbers import InvalidEntry, parse_many
from payamak.registry import get_registry
from payamak.tables import Tenant, User
from payamak.tenancy.services import enabled_plugins
from payamak.web.formatting import money

MAX_SIMPLE_RECIPIENTS = 1_000
MAX_INVALID_LISTED = 20
SOURCE_METHODS = ("search", "groups", "count", "numbers")


def recipient_sources(tenant: Tenant) -> dict[str, Any]:
    """The recipient sources of the plugins ``tenant`` enables, by name, in the hook's order."""
    found: dict[str, Any] = {}
    for result in get_registry().hook_for(enabled_plugins(tenant)).payamak_recipient_sources():
        for source in result or ():
            if getattr(source, "simple_send", True) and all(callable(getattr(source, m, None)) for m in SOURCE_METHODS):
                found.setdefault(str(source.name), source)
    return found


def _split_pick(value: Any) -> tuple[str, str]:
    name, sep, ident = str(value).partition(":")
    if not sep or not name or not ident.strip().isdigit():
        raise NotFound("pick")
    return name, ident.strip()


@dataclass
class Choice:
    """What the form chose: typed numbers (any separators, Persian or Latin digits) and picks by source."""

    typed: str = ""
    groups: dict[str, list[str]] = field(default_factory=dict)
    contacts: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_form(cls, typed: Any, groups: Iterable[Any], contacts: Iterable[Any]) -> Choice:
        """Typed text and ``source:id`` values of the ``group`` and ``contact`` fields."""
        choice = cls(typed=str(typed or ""))
        for target, values in ((choice.groups, groups), (choice.contacts, contacts)):
            for value in values:
                if str(value).strip():
                    name, ident = _split_pick(value)
                    bucket = target.setdefault(name, [])
                    if ident not in bucket:
                        bucket.append(ident)
        return choice

    @property
    def sources(self) -> list[str]:
        """Names of the sources something was picked from."""
        return list(dict.fromkeys([*self.groups, *self.contacts]))

    def group_picks(self) -> list[str]:
        """The picked groups as ``source:id`` form values (to show the form again)."""
        return [f"{n}:{i}" for n, ids in self.groups.items() for i in ids]

    def contact_picks(self) -> list[str]:
        """The picked contacts as ``source:id`` form values."""
        return [f"{n}:{i}" for n, ids in self.contacts.items() for i in ids]


@dataclass
class Recipients:
    """The unique numbers a choice reaches (stored form), and what was wrong or left out."""

    numbers: list[str]
    duplicates: int
    invalid: list[InvalidEntry]
    invalid_count: int
    over_limit: bool

    def check(self, limit: int = MAX_SIMPLE_RECIPIENTS) -> list[str]:
        """The numbers, or a clear error: typed entries that are not numbers, none at all, too many."""
        if self.invalid_count:
            raise InvalidTyped(self.invalid, self.invalid_count)
        if self.over_limit:
            raise TooManyRecipients(limit)
        if not self.numbers:
            raise DomainError("recipients.none", _("Choose recipients: type numbers, or pick contacts or groups."))
        return self.numbers


class InvalidTyped(DomainError):
    """Typed entries that are not mobile numbers; nothing is sent until they are fixed."""

    def __init__(self, invalid: list[InvalidEntry], count: int) -> None:
        listed = "، ".join(
            str(_("line %(line)s: “%(raw)s”", line=localize_digits(e.line), raw=e.raw)) for e in invalid[:MAX_INVALID_LISTED]
        )
        super().__init__(
            "recipients.invalid",
            _("%(count)s of the typed numbers are not mobile numbers (%(listed)s). Fix or remove them."),
            count=count,
            listed=listed,
        )
        self.invalid = invalid


class TooManyRecipients(DomainError):
    """More than a simple send may reach."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            "recipients.too_many",
            _(
                "A simple send reaches at most %(limit)s recipients (duplicates are counted once); "
                "these choices reach more. Use advanced send for larger lists."
            ),
            limit=money(limit),
        )


async def resolve(user: User, sources: Mapping[str, Any], choice: Choice, limit: int = MAX_SIMPLE_RECIPIENTS) -> Recipients:
    """The unique numbers of a choice: typed ones first, then each source's; stops reading once
    there are more than ``limit`` (then ``over_limit`` is set). Picks of unknown sources or of
    other users' rows are :class:`NotFound`."""
    batch = parse_many(choice.typed.splitlines())
    seen: dict[str, None] = dict.fromkeys(batch.numbers)
    duplicates = batch.duplicates
    over = len(seen) > limit
    for name in choice.sources:
        if over:
            break
        source = sources.get(name)
        if source is None:
            raise NotFound("source")
        async with aclosing(source.numbers(user, choice.groups.get(name, ()), choice.contacts.get(name, ()))) as numbers:
            async for number in numbers:
                if number in seen:
                    duplicates += 1
                    continue
                seen[number] = None
                if len(seen) > limit:
                    over = True
                    break
    return Recipients(list(seen), duplicates, batch.invalid[:MAX_INVALID_LISTED], len(batch.invalid), over)


async def source_groups(user: User, sources: Mapping[str, Any]) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Each source with its groups (``[{id, name, count}]``), for the form's check boxes."""
    return [(source, await source.groups(user)) for source in sources.values()]


async def search_contacts(user: User, sources: Mapping[str, Any], query: str, limit: int = 10) -> list[dict[str, Any]]:
    """Contacts matching ``query`` in every source: ``[{value: "source:id", name, number, source}]``."""
    query = query.strip()
    if not query:
        return []
    found: list[dict[str, Any]] = []
    for name, source in sources.items():
        for row in await source.search(user, query, limit):
            found.append(
                {"value": f"{name}:{row['id']}", "name": row.get("name") or "", "number": row.get("number") or "", "source": source}
            )
    return found[:limit]
