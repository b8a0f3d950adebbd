"""The phonebook (دفترچه تلفن, spec section 9): each customer's contacts with custom fields,
groups, CSV import and export, and a recipient source for send forms.

Recipient source (``payamak_recipient_sources`` returns ``[PhonebookRecipients()]``)
------------------------------------------------------------------------------------
An object with a ``name`` (``"phonebook"``), a translatable ``label`` and these async methods;
``user`` is the signed-in customer (a ``payamak.tables.User``), whose own phonebook is used.
Ids that are not the user's (another user's, another tenant's) raise ``payamak.errors.NotFound``.

``await source.search(user, query, limit=20) -> list[{"id": int, "name": str, "number": str}]``
    Contacts whose name, number (any spelling: ``0912…``, ``+98912…``, Persian digits) or
    custom field text contains ``query``, by name; ``number`` in the ``0912…`` form people read.

``await source.groups(user) -> list[{"id": int, "name": str, "count": int}]``
    The user's groups by name, with how many contacts each holds.

``source.numbers(user, group_ids=(), contact_ids=()) -> AsyncIterator[str]``
    An async generator (``async for number in source.numbers(...)``) of the normalised numbers
    (``989121234567``) of every contact in any of ``group_ids`` plus every contact in
    ``contact_ids``, each number once even when its contact is in several of the groups or
    also picked by id. De-duplicated in SQL and read 5,000 at a time, so a large phonebook
    never sits in memory.

``await source.count(user, group_ids=(), contact_ids=()) -> int``
    How many numbers ``numbers()`` yields for the same arguments.

A send form would offer ``groups()`` as check boxes and ``search()`` for picking contacts, then
hand ``numbers()`` to ``payamak.messaging.pipeline.accept_send`` (which takes any iterable of
raw numbers; collect the async iterator into a list there, or stream it if the pipeline learns to).
"""
