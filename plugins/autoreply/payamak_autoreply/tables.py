"""The auto-reply tables: responders, their keywords, and one reply record per answered message."""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from payamak.messaging.tables import InboundMessage, Line
from payamak.tables import Tenant, User

KINDS = ("keyword", "default")
MATCH_MODES = ("exact", "contains")
OUTCOMES = ("sending", "sent", "no_credit", "rate_limited", "invalid_sender", "opted_out", "failed")


class Responder(Table, tablename="autoreply_responder"):
    """A customer's responder: keywords and a reply (``kind="keyword"``), or the default
    reply of one line (``kind="default"``, at most one per owner and line).

    ``line`` is ``None`` for a keyword responder that answers on all of the owner's lines.
    ``template_id`` is kept for the core's templates (``payamak.boxes``): when set and the
    template exists, its text is sent; ``reply_text`` is the stored text and the fallback.
    """

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    line = ForeignKey(Line, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=10, default="keyword")
    match_mode = Varchar(length=10, default="exact")
    keywords = Text(default="")  # as typed, one per line (the matching copy is ResponderKeyword)
    reply_text = Text(default="")
    template_id = BigInt(null=True, default=None)
    enabled = Boolean(default=True)
    fired = Integer(default=0)
    last_fired_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ResponderKeyword(Table, tablename="autoreply_keyword"):
    """One keyword of a responder in its matching form (see :func:`payamak_autoreply.matching.keyword_form`)."""

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    responder = ForeignKey(Responder, on_delete=OnDelete.cascade, index=True)
    word = Varchar(length=100)
    normalised = Varchar(length=100, index=True)


class Reply(Table, tablename="autoreply_reply"):
    """What auto-reply did with one incoming message: sent a reply, or missed it and why.

    ``message`` is unique: a redelivered announcement of the same message can never reply twice.
    """

    tenant = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    message = ForeignKey(InboundMessage, on_delete=OnDelete.cascade, unique=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    responder = ForeignKey(Responder, null=True, default=None, on_delete=OnDelete.set_null)
    line = ForeignKey(Line, on_delete=OnDelete.cascade)
    sender = Varchar(length=20)
    outcome = Varchar(length=20, default="sending")
    reason = Text(default="")
    job = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
