"""SMPP addresses: which TON/NPI a sender or recipient number goes out with, and MO senders.

Three kinds of sender exist on Iranian lines, told apart by their form:

* **alphanumeric** (letters in it): TON 5 (alphanumeric), NPI 0 (unknown);
* **international** (``98`` and at least nine more digits — mobiles ``98912…`` and the
  long service numbers that panels print with the country code): TON 1, NPI 1 (E.164);
* **short code** (any other digits: ``3000…``, ``2000…``, ``1000…``, ``5000…``): the
  connector's ``short_code_ton``/``short_code_npi``; the generic default is TON 3
  (network specific), NPI 0, the usual convention for short numbers.

An explicit ``source_ton``/``source_npi`` setting overrides the rule for every sender.
"""

from __future__ import annotations

from dataclasses import dataclass

TON_UNKNOWN, TON_INTERNATIONAL, TON_NATIONAL, TON_NETWORK, TON_ALPHANUMERIC = 0, 1, 2, 3, 5
NPI_UNKNOWN, NPI_ISDN = 0, 1

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)


def _digits(number: str) -> str:
    return "".join(ch for ch in number.translate(_DIGITS) if ch.isdigit())


def international_mobile(number: str, ton: int | None = None) -> str:
    """An Iranian mobile in ``98`` + ten digits form when it is one (any common spelling), else unchanged.

    ``ton`` is the address's TON on the wire: a national-format (TON 2) address gets ``98``.
    """
    raw = number.strip()
    if not raw or any(ch.isalpha() for ch in raw):
        return raw
    digits = _digits(raw)
    if digits.startswith("0098"):
        digits = digits[2:]
    elif digits.startswith("00"):
        return digits[2:]
    if digits.startswith("09") and len(digits) == 11:
        return "98" + digits[1:]
    if digits.startswith("9") and len(digits) == 10 and (ton in (None, TON_NATIONAL, TON_UNKNOWN)):
        return "98" + digits
    return digits


@dataclass(frozen=True)
class AddressPlan:
    """How one connection writes source and destination addresses (TON, NPI and form)."""

    source_ton: int | None = None  # None: by the sender's form (see the module docstring)
    source_npi: int | None = None
    dest_ton: int = TON_INTERNATIONAL
    dest_npi: int = NPI_ISDN
    short_code_ton: int = TON_NETWORK
    short_code_npi: int = NPI_UNKNOWN

    def source(self, sender: str) -> tuple[str, int, int]:
        """``(source_addr, ton, npi)`` for a sender line or name."""
        sender = sender.strip()
        if any(ch.isalpha() for ch in sender):
            address, ton, npi = sender[:11], TON_ALPHANUMERIC, NPI_UNKNOWN
        else:
            address = _digits(sender)
            if address.startswith("98") and len(address) >= 11:
                ton, npi = TON_INTERNATIONAL, NPI_ISDN
            else:
                ton, npi = self.short_code_ton, self.short_code_npi
        return address, self.source_ton if self.source_ton is not None else ton, self.source_npi if self.source_npi is not None else npi

    def destination(self, number: str) -> tuple[str, int, int]:
        """``(destination_addr, ton, npi)`` for a recipient: international form unless the plan says national."""
        address = international_mobile(number)
        if self.dest_ton == TON_NATIONAL and address.startswith("98"):
            address = "0" + address[2:]
        return address, self.dest_ton, self.dest_npi
