"""SMS text: encoding, part counting, splitting into SMPP segments and back, keyword matching.

A text is sent in the GSM 03.38 default alphabet (GSM-7) when every character is in it, else
in UCS-2 (UTF-16 in practice). One part holds 160 septets or 70 UTF-16 code units; a long
text is cut into parts of 153 septets or 67 code units, each behind a 6-octet concatenation
header. The characters of the GSM-7 extension table take two septets (an escape and the
character), and a character outside the Basic Multilingual Plane (most emoji) takes two code
units: neither pair is ever cut between two parts, which is why we own the splitter (smpplib
splits both). :func:`info` and :func:`split_for_smpp` share one layout, so the part count a
user is charged for is the number of segments sent.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["gsm7", "ucs2"]

# GSM 03.38 default alphabet, indexed by code point; 0x1B is the escape to the extension table.
_GSM7_TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_ESCAPE = 0x1B
_GSM7_EXTENSION_TABLE = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€"}

GSM7_BASIC: frozenset[str] = frozenset(c for i, c in enumerate(_GSM7_TABLE) if i != _ESCAPE)
GSM7_EXTENDED: frozenset[str] = frozenset(_GSM7_EXTENSION_TABLE.values())
_GSM7_ALL = GSM7_BASIC | GSM7_EXTENDED

# Text → unpacked septets as a latin-1 string (extension characters become escape + code).
_GSM7_ENCODE = {ord(c): chr(i) for i, c in enumerate(_GSM7_TABLE) if i != _ESCAPE}
_GSM7_ENCODE |= {ord(c): chr(_ESCAPE) + chr(i) for i, c in _GSM7_EXTENSION_TABLE.items()}

SINGLE_PART_LIMIT: dict[str, int] = {"gsm7": 160, "ucs2": 70}
MULTI_PART_LIMIT: dict[str, int] = {"gsm7": 153, "ucs2": 67}
MAX_PARTS = 255  # the concatenation header counts parts in one octet

DATA_CODING_GSM7 = 0
DATA_CODING_LATIN1 = 3
DATA_CODING_UCS2 = 8
ESM_CLASS_UDHI = 0x40


def encoding_of(text: str) -> Encoding:
    """``gsm7`` when every character is in the GSM 03.38 alphabet or its extension, else ``ucs2``."""
    return "gsm7" if _GSM7_ALL.issuperset(text) else "ucs2"


def _units(char: str, encoding: Encoding) -> int:
    if encoding == "gsm7":
        return 2 if char in GSM7_EXTENDED else 1
    return 2 if ord(char) > 0xFFFF else 1


def _layout(text: str) -> tuple[Encoding, list[tuple[str, int]]]:
    """The encoding and the parts of ``text``, each as (characters, units); pairs are never cut."""
    encoding = encoding_of(text)
    total = sum(_units(c, encoding) for c in text)
    if total == 0:
        return encoding, []
    if total <= SINGLE_PART_LIMIT[encoding]:
        return encoding, [(text, total)]
    limit = MULTI_PART_LIMIT[encoding]
    parts: list[tuple[str, int]] = []
    start = used = 0
    for index, char in enumerate(text):
        units = _units(char, encoding)
        if used + units > limit:
            parts.append((text[start:index], used))
            start, used = index, 0
        used += units
    parts.append((text[start:], used))
    return encoding, parts


@dataclass(frozen=True)
class SmsInfo:
    """How a text is sent and charged: encoding, size, parts, and room left in the last part."""

    encoding: Encoding
    length: int  # characters (code points) as the user sees them
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    parts: int
    per_part: int  # the per-part limit that applies: 160/70 for one part, 153/67 for more
    remaining: int  # units still free in the last part


def info(text: str) -> SmsInfo:
    """Encoding, length, units and parts of ``text`` (the same parts :func:`split_for_smpp` makes)."""
    encoding, parts = _layout(text)
    per_part = (SINGLE_PART_LIMIT if len(parts) <= 1 else MULTI_PART_LIMIT)[encoding]
    last = parts[-1][1] if parts else 0
    return SmsInfo(
        encoding=encoding,
        length=len(text),
        units=sum(units for _, units in parts),
        parts=len(parts),
        per_part=per_part,
        remaining=per_part - last,
    )


@dataclass(frozen=True)
class SmppParts:
    """The ``short_message`` octets of each segment of a text, with their data_coding and esm_class."""

    data_coding: int
    esm_class: int
    parts: list[bytes]


def encode_gsm7(text: str) -> bytes:
    """GSM-7 text as unpacked septets, one octet each (extension characters escaped)."""
    return text.translate(_GSM7_ENCODE).encode("latin-1")


def split_for_smpp(text: str, reference: int) -> SmppParts:
    """Encode and cut ``text`` into SMPP segments; several parts get a concatenation header."""
    encoding, layout = _layout(text)
    if len(layout) > MAX_PARTS:
        raise ValueError(f"a text of {len(layout)} parts is longer than {MAX_PARTS} parts")
    encode = encode_gsm7 if encoding == "gsm7" else _encode_ucs2
    payloads = [encode(chars) for chars, _ in layout]
    if len(payloads) > 1:
        total = len(payloads)
        payloads = [bytes((5, 0, 3, reference & 0xFF, total, seq)) + payload for seq, payload in enumerate(payloads, start=1)]
    return SmppParts(
        data_coding=DATA_CODING_GSM7 if encoding == "gsm7" else DATA_CODING_UCS2,
        esm_class=ESM_CLASS_UDHI if len(payloads) > 1 else 0,
        parts=payloads,
    )


def _encode_ucs2(text: str) -> bytes:
    return text.encode("utf-16-be")


def decode_short_message(data: bytes, data_coding: int, esm_class: int = 0) -> tuple[str, tuple[int, int, int] | None]:
    """The text of one ``short_message`` and its concatenation (ref, total, seq), if it has one."""
    concat = None
    if esm_class & ESM_CLASS_UDHI and data:
        header_end = 1 + data[0]
        concat = _concatenation(data[1:header_end])
        data = data[header_end:]
    return _decode(data, data_coding), concat


def _concatenation(header: bytes) -> tuple[int, int, int] | None:
    """(ref, total, seq) from the information elements of a user data header."""
    i = 0
    while i + 1 < len(header):
        iei, length = header[i], header[i + 1]
        value = header[i + 2 : i + 2 + length]
        if iei == 0x00 and length == 3 and len(value) == 3:
            return value[0], value[1], value[2]
        if iei == 0x08 and length == 4 and len(value) == 4:
            return value[0] << 8 | value[1], value[2], value[3]
        i += 2 + length
    return None


def _decode(data: bytes, data_coding: int) -> str:
    codec = _codec(data_coding)
    if codec == "utf-16-be":
        # A sender that cut a surrogate pair leaves half of it here; join_parts() mends it.
        return data[: len(data) & ~1].decode(codec, errors="surrogatepass")
    if codec == "gsm7":
        if all(b < 0x80 for b in data):
            return decode_gsm7(data)
        # Octets above 0x7F are not septets: the SMSC sent its own 8-bit default alphabet.
        codec = "utf-8"
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1")


# SMPP 3.4 data_coding values 0-15 (5.2.19); the values above are GSM 03.38 coding groups.
_SMPP_CODECS = {0: "gsm7", 5: "shift_jis", 6: "iso8859-5", 7: "iso8859-8", 8: "utf-16-be", 10: "iso2022_jp", 13: "shift_jis", 14: "euc_kr"}


def _codec(data_coding: int) -> str:
    """The codec of an SMPP data_coding (anything unknown reads as Latin-1)."""
    if data_coding < 0x10:
        return _SMPP_CODECS.get(data_coding, "latin-1")  # 1 IA5, 3 Latin-1, 2/4 octets
    group = data_coding & 0xF0
    if data_coding < 0x80:  # general data coding: the alphabet is in bits 3-2
        return ("gsm7", "latin-1", "utf-16-be", "latin-1")[data_coding >> 2 & 0x03]
    if group in (0xC0, 0xD0):
        return "gsm7"
    if group == 0xE0:
        return "utf-16-be"
    if group == 0xF0:
        return "latin-1" if data_coding & 0x04 else "gsm7"
    return "latin-1"


def decode_gsm7(data: bytes) -> str:
    """Unpacked GSM-7 septets to text (an unknown escape shows the basic character, as 03.38 says)."""
    out: list[str] = []
    escaped = False
    for septet in data:
        septet &= 0x7F
        if escaped:
            out.append(_GSM7_EXTENSION_TABLE.get(septet) or _GSM7_TABLE[septet].replace("\x1b", " "))
            escaped = False
        elif septet == _ESCAPE:
            escaped = True
        else:
            out.append(_GSM7_TABLE[septet])
    return "".join(out)


def join_parts(texts: Iterable[str]) -> str:
    """The text of a concatenated message from its decoded parts in order, mending cut surrogate pairs."""
    joined = "".join(texts)
    return joined.encode("utf-16-be", errors="surrogatepass").decode("utf-16-be", errors="replace")


# Letters Arabic keyboards and phones type where Persian has its own (or where the
# difference does not matter for matching a keyword); آ stays آ.
_KEYWORD_LETTERS = {
    "ي": "ی",
    "ى": "ی",
    "ك": "ک",
    "ة": "ه",
    "ۀ": "ه",
    "أ": "ا",
    "إ": "ا",
    "ٱ": "ا",
    "ؤ": "و",
}
_KEYWORD_DIGITS = dict(zip("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2, strict=True))
_KEYWORD_DROPPED = [
    *range(0x064B, 0x0660),
    0x0670,
    0x0640,
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x00AD,
    0x2060,
    0xFEFF,
]
_KEYWORD_TABLE = str.maketrans(_KEYWORD_LETTERS | _KEYWORD_DIGITS) | dict.fromkeys(_KEYWORD_DROPPED)


def normalise_keyword(text: str) -> str:
    """``text`` in the form used to match auto-reply keywords and opt-out words."""
    # NFKC first: it folds Arabic presentation forms (old phones send them) to plain letters
    # and composes a decomposed آ/أ, so the table below sees one code point for each.
    text = unicodedata.normalize("NFKC", text).translate(_KEYWORD_TABLE).casefold()
    return " ".join(text.split())
