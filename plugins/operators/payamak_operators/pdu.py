"""SMPP 3.4 PDUs on asyncio streams, encoded and decoded by smpplib's codec.

Only smpplib's codec is used (``make_pdu``/``parse_pdu``, its command classes and constants);
framing, sequence numbers, windows and sessions are ours. Two quirks of the codec shape this
module: it asks a ``client`` object for sequence numbers (so we hand it a stub and set the
sequence ourselves), and it raises on optional parameters (TLVs) it does not know unless
``allow_unknown_opt_params=True`` — and on known TLVs that its class for the command does
not list, which vendors send anyway; :func:`decode` lets every command read every known TLV.
"""

from __future__ import annotations

import asyncio
import copy
import struct
from typing import Any

from smpplib import command as smpp_command
from smpplib import command_codes, consts, smpp
from smpplib.command import Command

__all__ = [
    "RESPONSE_BIT",
    "Command",
    "PduError",
    "PduWriter",
    "SequenceCounter",
    "decode",
    "encode",
    "header",
    "read_pdu",
    "status_name",
    "text_field",
]

HEADER = struct.Struct(">LLLL")
RESPONSE_BIT = 0x80000000
MAX_PDU_LENGTH = 64 * 1024

# Statuses by number, named as in the SMPP 3.4 specification (``ESME_RTHROTTLED``).
_STATUS_NAMES = {value: name.removeprefix("SMPP_") for name, value in vars(consts).items() if name.startswith("SMPP_ESME_")}

# Every TLV any smpplib command class knows, so a deliver_sm carrying (say) a data_sm-only TLV
# still parses; unknown tags are skipped by ``allow_unknown_opt_params``.
_ALL_PARAMS: dict[str, smpp_command.Param] = {}
for _cls in (smpp_command.DataSM, smpp_command.SubmitSM, smpp_command.DeliverSM):
    _ALL_PARAMS.update({k: v for k, v in _cls.params.items() if k in consts.OPTIONAL_PARAMS})
_PROTOTYPES: dict[str, Command] = {}


class PduError(ValueError):
    """A PDU that cannot be framed or decoded."""


class _CodecClient:
    """The ``client`` smpplib's commands ask for sequence numbers; ours are set explicitly."""

    sequence = 0

    def next_sequence(self) -> int:
        return 0


_CLIENT = _CodecClient()


class SequenceCounter:
    """Sequence numbers of one connection's requests: 1 … 0x7FFFFFFF, then around again."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """The next sequence number."""
        self._last = self._last % 0x7FFFFFFF + 1
        return self._last


class PduWriter:
    """Writes PDUs to a stream, coalescing those of one event-loop pass into one ``send``.

    A window of submits (or a burst of responses) then costs one system call, not one each.
    """

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self._buffer: list[bytes] = []

    def write(self, data: bytes) -> None:
        """Queue a PDU; it is sent at the end of this pass of the event loop."""
        if not self._buffer:
            asyncio.get_running_loop().call_soon(self.flush)
        self._buffer.append(data)

    def flush(self) -> None:
        """Send what is queued now (before closing, say)."""
        if self._buffer:
            if not self.writer.is_closing():
                self.writer.write(b"".join(self._buffer))
            self._buffer.clear()


def status_name(status: int) -> str:
    """The specification's name of a command status (``ESME_RINVDSTADR``), or its hex value."""
    return _STATUS_NAMES.get(status, f"ESME_0x{status:08X}")


def _prototype(command_name: str) -> Command:
    """A blank command made by smpplib's factory, kept to be copied: copying skips the
    factory's per-field set-up, which costs more than encoding the PDU itself."""
    proto = _PROTOTYPES.get(command_name)
    if proto is None:
        proto = smpp.make_pdu(command_name, client=_CLIENT, allow_unknown_opt_params=True)
        if any(k in consts.OPTIONAL_PARAMS for k in proto.params):
            proto.params = {**_ALL_PARAMS, **proto.params}
        _PROTOTYPES[command_name] = proto
    return copy.copy(proto)


def encode(command_name: str, sequence: int, status: int = 0, **fields: Any) -> bytes:
    """One PDU's octets; string fields are ``str``, octet strings (``short_message``) ``bytes``."""
    pdu = _prototype(command_name)
    for name, value in fields.items():
        setattr(pdu, name, value)
    pdu.status = status
    pdu.sequence = sequence
    return pdu.generate()


def header(data: bytes) -> tuple[int, int, int, int]:
    """``(length, command_id, status, sequence)`` of a framed PDU."""
    return HEADER.unpack_from(data)


def decode(data: bytes) -> Command:
    """A framed PDU as smpplib's command object (string fields come back as ``bytes``)."""
    try:
        name = command_codes.get_command_name(header(data)[1])
        pdu = _prototype(name)
        pdu.parse(data)
    except Exception as exc:  # smpplib raises KeyError, struct.error, its own errors…
        raise PduError(f"undecodable PDU {data[:64].hex()}: {exc!r}") from exc
    return pdu


def text_field(value: bytes | str | None) -> str:
    """A decoded C-string field as text (smpplib leaves them as bytes)."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("latin-1").rstrip("\x00").strip()
    return value.strip()


async def read_pdu(reader: asyncio.StreamReader) -> bytes:
    """The next whole PDU from a stream; ``IncompleteReadError`` at end of stream."""
    head = await reader.readexactly(4)
    (length,) = struct.unpack(">L", head)
    if not 16 <= length <= MAX_PDU_LENGTH:
        raise PduError(f"bad command_length {length}")
    return head + await reader.readexactly(length - 4)
