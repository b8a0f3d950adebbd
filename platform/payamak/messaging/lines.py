"""Sender lines and operator connections: registering, assigning, choosing the route."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from payamak.errors import DomainError, NotFound
from payamak.i18n import latin_digits
from payamak.i18n import lazy_gettext as _
from payamak.messaging.tables import LINE_KINDS, LINE_STATUSES, Line, OperatorConnection
from payamak.registry import get_registry
from payamak.tables import User
from payamak.tenancy import scoped


def connector_classes() -> dict[str, Any]:
    """Installed operator connector classes by name."""
    return {cls.name: cls for cls in get_registry().collect("payamak_operator_connectors")}


def clean_line_number(raw: str) -> str:
    """A sender number as digits: ``98912…`` for mobiles, the short/long code as it is otherwise."""
    from payamak.messaging.numbers import try_normalise

    digits = "".join(ch for ch in latin_digits(raw or "") if ch.isdigit() or ch == "+")
    mobile = try_normalise(digits) if len(digits.lstrip("+")) >= 10 and digits.lstrip("+0").startswith(("9", "989")) else None
    number = mobile or digits.lstrip("+")
    if not number.isdigit() or not 3 <= len(number) <= 16:
        raise DomainError("line.bad_number", _("“%(number)s” is not a sender number."), number=raw)
    return number


async def create_connection(name: str, connector: str, settings: dict[str, Any]) -> OperatorConnection:
    """Register an operator connection (platform admins)."""
    classes = connector_classes()
    if connector not in classes:
        raise DomainError("connection.unknown_connector", _("Unknown connector “%(name)s”."), name=connector)
    if not name.strip():
        raise DomainError("connection.name_required", _("The connection needs a name."))
    if await OperatorConnection.exists().where(OperatorConnection.name == name.strip()):
        raise DomainError("connection.name_taken", _("A connection named “%(name)s” exists."), name=name)
    row = OperatorConnection(name=name.strip(), connector=connector, settings=clean_settings(connector, settings, {}))
    await row.save()
    return row


def clean_settings(connector: str, submitted: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Validated settings of a connector; a blank secret keeps the stored one (never shown back)."""
    cls = connector_classes()[connector]
    out: dict[str, Any] = {}
    for spec in cls.settings_fields:
        value = submitted.get(spec.name)
        if spec.secret and (value is None or value == ""):
            value = current.get(spec.name, spec.default)
        elif value is None or value == "":
            value = current.get(spec.name, spec.default)
        if spec.kind == "int" and value is not None:
            try:
                value = int(latin_digits(str(value)))
            except ValueError:
                raise DomainError("connection.bad_setting", _("“%(field)s” must be a whole number."), field=spec.label) from None
        if spec.kind == "choice" and value not in spec.choices:
            raise DomainError(
                "connection.bad_setting", _("“%(field)s” must be one of %(choices)s."), field=spec.label, choices=", ".join(spec.choices)
            )
        out[spec.name] = value
    return out


def public_settings(connector: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Settings to show a platform admin: secrets replaced by a mark."""
    cls = connector_classes().get(connector)
    secrets = {f.name for f in cls.settings_fields if f.secret} if cls else set()
    return {k: ("••••••" if k in secrets and v else v) for k, v in settings.items()}


async def register_line(
    number: str, kind: str, connection_id: int | None, tenant_id: int | None = None, route_by_operator: bool = False
) -> Line:
    """Register a sender line in the platform's inventory (platform admins)."""
    number = clean_line_number(number)
    if kind not in LINE_KINDS:
        raise DomainError("line.bad_kind", _("Unknown line kind."))
    if await Line.exists().where(Line.number == number):
        raise DomainError("line.taken", _("The number %(number)s is already registered."), number=number)
    if connection_id is not None and not await OperatorConnection.exists().where(OperatorConnection.id == connection_id):
        raise DomainError("line.no_connection", _("Unknown operator connection."))
    line = Line(
        number=number,
        kind=kind,
        connection=connection_id,
        tenant=tenant_id,
        status="active",
        route_by_operator=route_by_operator,
        activated_at=datetime.now(UTC),
    )
    await line.save()
    return line


async def assign_line(line_id: Any, owner_id: int | None) -> Line:
    """Give one of the tenant's lines to a customer (or take it back with ``None``)."""
    line = await scoped(Line).get(line_id)
    if line is None:
        raise NotFound("line")
    if owner_id is not None:
        owner = await scoped(User).get(owner_id)
        if owner is None or owner.role != "customer":
            raise NotFound("user")
    await scoped(Line).update({Line.owner: owner_id}).where(Line.id == line.id)
    line.owner = owner_id
    return line


async def set_line_status(line: Line, status: str) -> None:
    """Change a line's status; activation stamps the time."""
    if status not in LINE_STATUSES:
        raise DomainError("line.bad_status", _("Unknown line status."))
    values: dict[Any, Any] = {Line.status: status}
    if status == "active" and line.activated_at is None:
        values[Line.activated_at] = datetime.now(UTC)
    await Line.update(values).where(Line.id == line.id)


def usable_lines_query(user: User) -> Any:
    """The lines a customer may send from: their own and the tenant's shared/advertising ones."""
    return (
        scoped(Line, user.tenant)
        .objects()
        .where((Line.status == "active") & ((Line.owner == user.id) | (Line.owner.is_null() & Line.kind.is_in(["shared", "advertising"]))))
        .order_by(Line.id)
    )


async def usable_line(user: User, line_id: Any = None) -> Line:
    """The line a send goes out on: the one asked for if the user may use it, else their first."""
    query = usable_lines_query(user)
    if line_id not in (None, ""):
        try:
            query = query.where(Line.id == int(line_id))
        except (TypeError, ValueError):
            raise DomainError("line.not_found", _("That sender line is not yours or not active."), status_code=400) from None
    line = await query.first()
    if line is None:
        if line_id not in (None, ""):
            raise DomainError("line.not_found", _("That sender line is not yours or not active."), status_code=400)
        raise DomainError(
            "line.none_active", _("You have no active sender line. Activate a number under “My numbers” first."), status_code=400
        )
    if line.connection is None:
        raise DomainError("line.no_connection", _("This line is not connected to an operator yet."), status_code=400)
    return line
