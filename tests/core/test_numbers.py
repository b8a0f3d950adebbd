"""Iranian mobile numbers: normalising, parsing lists, and the operator of a number."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from payamak.errors import DomainError
from payamak.messaging.numbers import (
    OPERATORS,
    InvalidEntry,
    InvalidNumber,
    PrefixTable,
    is_normalised,
    normalise,
    operator_of,
    operator_table,
    parse_many,
    prefix_of,
    try_normalise,
)

STORED = "989121234567"


@pytest.mark.parametrize(
    "raw",
    [
        "+989121234567",
        "00989121234567",
        "989121234567",
        "09121234567",
        "9121234567",
        "+98 912 123 4567",
        "0912-123-4567",
        "0912.123.4567",
        "(0912) 123 45 67",
        "(+98) 912-1234567",
        "  09121234567\n",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "+۹۸۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "۰۹۱۲-123-٤٥٦٧",
        "\u200f09121234567\u200e",
        "\u202b۰۹۱۲ ۱۲۳ ۴۵۶۷\u202c",
        "\u2067+98 912 123 4567\u2069",
        "0912\u00a0123\u00a04567",
        "0912\u200c123\u200c4567",
        "\ufeff09121234567",
    ],
)
def test_every_written_form_of_a_number_normalises_to_98_and_ten_digits(raw: str) -> None:
    assert normalise(raw) == STORED


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u200f\u200c - ", "empty"),
        ("0912abc4567", "not_digits"),
        ("0912+1234567", "not_digits"),
        ("+", "not_digits"),
        ("++989121234567", "not_digits"),
        ("mobile", "not_digits"),
        ("0912/123/4567", "not_digits"),
        ("0912123456", "bad_length"),
        ("091212345678", "bad_length"),
        ("912", "bad_length"),
        ("+9891212345", "bad_length"),
        ("009891212345678", "bad_length"),
        ("00912 123 4567", "bad_length"),
        ("02112345678", "not_mobile"),
        ("+982112345678", "not_mobile"),
        ("+447700900123", "not_mobile"),
        ("8121234567", "not_mobile"),
    ],
)
def test_an_unreadable_number_raises_invalid_number_with_its_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNumber) as caught:
        normalise(raw)
    assert caught.value.reason == reason
    assert caught.value.raw == raw


def test_invalid_number_is_a_value_error_and_a_domain_error_with_a_stable_code() -> None:
    with pytest.raises(ValueError) as caught:
        normalise("0912")
    error = caught.value
    assert isinstance(error, DomainError)
    assert error.code == "invalid_number"
    assert "0912" in str(error)


def test_try_normalise_returns_none_instead_of_raising() -> None:
    assert try_normalise("۰۹۳۵ ۱۲۳ ۴۵۶۷") == "989351234567"
    assert try_normalise("not a number") is None
    assert try_normalise("") is None


def test_is_normalised_accepts_only_the_stored_form() -> None:
    assert is_normalised(STORED)
    assert not is_normalised("09121234567")
    assert not is_normalised("98912123456")
    assert not is_normalised("۹۸۹۱۲۱۲۳۴۵۶۷")


def test_parse_many_keeps_unique_numbers_in_first_seen_order_and_counts_duplicates() -> None:
    batch = parse_many(["09351234567", "09121234567", "+98 935 123 4567", "9121234567", "09131234567"])
    assert batch.numbers == ["989351234567", "989121234567", "989131234567"]
    assert batch.duplicates == 2
    assert batch.invalid == []


def test_parse_many_reports_each_invalid_entry_with_its_one_based_line_number() -> None:
    batch = parse_many(["09121234567", "hello", "", "0912123", "02112345678"])
    assert batch.invalid == [(2, "hello", "not_digits"), (4, "0912123", "bad_length"), (5, "02112345678", "not_mobile")]
    assert all(isinstance(entry, InvalidEntry) for entry in batch.invalid)
    assert batch.invalid[0].line == 2


def test_parse_many_splits_a_line_on_commas_semicolons_tabs_and_persian_commas() -> None:
    batch = parse_many(["09121234567,09351234567; 09201234567\t09901234567،۰۹۱۳۱۲۳۴۵۶۷؛09011234567"])
    assert batch.numbers == ["989121234567", "989351234567", "989201234567", "989901234567", "989131234567", "989011234567"]


def test_parse_many_reads_a_number_written_with_spaces_as_one_number() -> None:
    batch = parse_many(["0912 123 4567", "+98 935 123 45 67"])
    assert batch.numbers == ["989121234567", "989351234567"]
    assert batch.invalid == []


def test_parse_many_splits_numbers_separated_only_by_spaces() -> None:
    batch = parse_many(["09121234567 09351234567", "912 1234567 935 765 4321"])
    assert batch.numbers == ["989121234567", "989351234567", "989357654321"]
    assert batch.duplicates == 1
    assert batch.invalid == []


def test_parse_many_reports_the_unreadable_words_between_space_separated_numbers() -> None:
    batch = parse_many(["09121234567 call me 09351234567 12"])
    assert batch.numbers == ["989121234567", "989351234567"]
    assert batch.invalid == [(1, "call me", "not_digits"), (1, "12", "bad_length")]


def test_parse_many_reports_a_spaced_number_missing_a_digit_as_one_entry() -> None:
    assert parse_many(["0912 123 456"]).invalid == [(1, "0912 123 456", "bad_length")]


def test_parse_many_skips_blank_and_invisible_only_lines_without_reporting_them() -> None:
    batch = parse_many(["", "   ", "\u200f", ",,;", "\ufeff09121234567\n"])
    assert batch.numbers == [STORED]
    assert batch.invalid == []


def test_parse_many_streams_a_generator_of_many_lines() -> None:
    count = 100_000
    lines = (f"0912{i:07d}\n" for i in range(count))
    batch = parse_many(lines)
    assert len(batch.numbers) == count
    assert batch.numbers[0] == "989120000000"
    assert batch.numbers[-1] == f"98912{count - 1:07d}"


MCI = [f"09{n}" for n in (*range(10, 20), 90, 91, 92, 93, 94)]
IRANCELL = ["0900", "0901", "0902", "0903", "0904", "0905", "0930", "0933", "0935", "0936", "0937", "0938", "0939", "0941"]
RIGHTEL = ["0920", "0921", "0922"]


@pytest.mark.parametrize(
    ("prefix", "operator"),
    [*((p, "mci") for p in MCI), *((p, "irancell") for p in IRANCELL), *((p, "rightel") for p in RIGHTEL)],
)
def test_operator_of_knows_every_prefix_of_the_three_networks(prefix: str, operator: str) -> None:
    assert operator_of(normalise(prefix + "1234567")) == operator


@pytest.mark.parametrize("number", ["09981234567", "09999123456", "09991012345", "09311234567", "09321234567", "09341234567"])
def test_operator_of_calls_mvno_and_regional_blocks_other(number: str) -> None:
    assert operator_of(normalise(number)) == "other"


def test_operator_of_calls_a_prefix_missing_from_the_table_other() -> None:
    assert operator_of("989701234567") == "other"


def test_operator_of_prefers_a_ported_number_override_to_the_prefix() -> None:
    ported = {"989121234567": "irancell"}
    assert operator_of("989121234567", overrides=ported) == "irancell"
    assert operator_of("989121234568", overrides=ported) == "mci"


def test_operator_of_normalises_a_number_given_in_another_form() -> None:
    assert operator_of("۰۹۳۵ ۱۲۳ ۴۵۶۷") == "irancell"
    with pytest.raises(InvalidNumber):
        operator_of("hello")


def test_prefix_table_prefers_the_longest_matching_prefix() -> None:
    table = PrefixTable({"98912": "mci", "989123": "irancell", "9891234": "rightel"})
    assert table.lengths == (7, 6, 5)
    assert table.lookup("989121111111") == "mci"
    assert table.lookup("989123111111") == "irancell"
    assert table.lookup("989123411111") == "rightel"
    assert table.lookup("989351111111") is None


@pytest.mark.parametrize(
    ("row", "message"),
    [("0912,mci", "bad prefix"), ("98912,hamrah", "unknown operator"), ("98912,mci\n98912,mci", "listed twice")],
)
def test_prefix_table_rejects_a_bad_csv_row(row: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PrefixTable.from_csv("prefix,operator\n" + row + "\n")


def test_packaged_operator_table_has_only_known_operators_and_mobile_prefixes() -> None:
    text = resources.files("payamak.messaging").joinpath("data/operator_prefixes.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == len(operator_table().prefixes)
    assert {row["operator"] for row in rows} <= set(OPERATORS)
    assert {"mci", "irancell", "rightel", "other"} <= {row["operator"] for row in rows}


def test_operator_table_is_read_once() -> None:
    assert operator_table() is operator_table()


@pytest.mark.parametrize(("number", "prefix"), [("989351234567", "0935"), ("989121234567", "0912"), ("+98 990 123 4567", "0990")])
def test_prefix_of_gives_the_09xx_prefix(number: str, prefix: str) -> None:
    assert prefix_of(number) == prefix
