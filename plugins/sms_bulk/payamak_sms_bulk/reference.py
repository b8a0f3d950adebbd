"""Reference lists shipped as data files: provinces and cities, Tehran's 22 municipal regions,
Karaj's areas, Tehran's suburbs, guilds and the Irancell prefixes. Codes are stored in the
number databases; the Persian names are what pages show and what imports may use."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"

# The ``09xx`` prefixes of Irancell (3-4-1); gender and Tehran areas exist only for 0935.
IRANCELL_PREFIXES = ("0901", "0902", "0903", "0905", "0930", "0933", "0935", "0936", "0937", "0938", "0939", "0941")
PROFILED_PREFIX = "0935"
GENDERS = ("m", "f")


@dataclass(frozen=True)
class Place:
    """One entry of a reference list."""

    code: str
    name: str
    parent: str = ""


def _read(name: str) -> tuple[Place, ...]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return tuple(Place(row["code"], row["name"], row.get("province", "")) for row in csv.DictReader(fh))


@cache
def provinces() -> tuple[Place, ...]:
    """Iran's 31 provinces."""
    return _read("provinces.csv")


@cache
def cities() -> tuple[Place, ...]:
    """Main cities, each with its province code as ``parent``."""
    return _read("cities.csv")


@cache
def tehran_regions() -> tuple[Place, ...]:
    """Tehran's 22 municipal regions."""
    return _read("tehran_regions.csv")


@cache
def karaj_areas() -> tuple[Place, ...]:
    """Karaj's areas."""
    return _read("karaj_areas.csv")


@cache
def tehran_suburbs() -> tuple[Place, ...]:
    """Tehran's suburbs."""
    return _read("tehran_suburbs.csv")


@cache
def guilds() -> tuple[Place, ...]:
    """Guild (business) categories."""
    return _read("guilds.csv")


def areas() -> tuple[Place, ...]:
    """The regional areas of 3-1: Tehran's regions, then Karaj's areas."""
    return tehran_regions() + karaj_areas()


def tehran_province_areas() -> tuple[Place, ...]:
    """The areas of Tehran province offered to 0935 (3-4-3): the city's regions and its suburbs."""
    return tehran_regions() + tehran_suburbs()


@cache
def names() -> dict[str, str]:
    """Every code's Persian name."""
    return {p.code: p.name for group in (provinces(), cities(), areas(), tehran_suburbs(), guilds()) for p in group}


@cache
def lookup(kind: str) -> dict[str, str]:
    """``code or name -> code`` for one list (imports accept either)."""
    group = {
        "province": provinces(),
        "city": cities(),
        "area": areas(),
        "suburb": tehran_suburbs(),
        "guild": guilds(),
    }[kind]
    table: dict[str, str] = {}
    for place in group:
        table[place.code.casefold()] = place.code
        table.setdefault(place.name, place.code)
    return table
