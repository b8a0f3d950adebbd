"""SMS text: encoding, part counting, SMPP segments and their decoding, keyword normalisation."""

from __future__ import annotations

import random

import pytest

from payamak.messaging.text import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    SmsInfo,
    decode_gsm7,
    decode_short_message,
    encode_gsm7,
    encoding_of,
    info,
    join_parts,
    normalise_keyword,
    split_for_smpp,
)

PERSIAN = "سلام، این یک پیام آزمایشی است که برای مشتریان عزیز فرستاده می‌شود. "
EMOJI = "😀"  # outside the BMP: two UTF-16 code units


def _payloads(text: str) -> list[bytes]:
    """The parts of ``text`` without their concatenation headers."""
    parts = split_for_smpp(text, 7).parts
    return [part[6:] for part in parts] if len(parts) > 1 else parts


def test_the_gsm7_tables_have_the_03_38_sizes() -> None:
    assert len(GSM7_BASIC) == 127  # 128 code points, one of them the escape
    assert GSM7_EXTENDED == set("^{}\\[~]|€\f")
    assert not GSM7_BASIC & GSM7_EXTENDED


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Hello, world!", "gsm7"),
        ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", "gsm7"),
        ("price: 10€ [a|b] {c} ~d^ \\", "gsm7"),
        ("", "gsm7"),
        ("سلام", "ucs2"),
        ("Hello " + EMOJI, "ucs2"),
        ("ç", "ucs2"),  # only the capital Ç is in the alphabet
        ("`code`", "ucs2"),
        ("“quoted”", "ucs2"),
    ],
)
def test_encoding_of_picks_gsm7_only_when_every_character_is_in_the_alphabet(text: str, encoding: str) -> None:
    assert encoding_of(text) == encoding


@pytest.mark.parametrize(
    ("char", "octets"),
    [
        ("@", b"\x00"),
        ("£", b"\x01"),
        ("$", b"\x02"),
        ("é", b"\x05"),
        ("Ç", b"\x09"),
        ("\n", b"\x0a"),
        ("Δ", b"\x10"),
        ("_", b"\x11"),
        ("¤", b"\x24"),
        ("¡", b"\x40"),
        ("A", b"\x41"),
        ("§", b"\x5f"),
        ("¿", b"\x60"),
        ("à", b"\x7f"),
        ("€", b"\x1b\x65"),
        ("^", b"\x1b\x14"),
        ("[", b"\x1b\x3c"),
        ("|", b"\x1b\x40"),
        ("\f", b"\x1b\x0a"),
    ],
)
def test_gsm7_characters_map_to_their_03_38_code_points(char: str, octets: bytes) -> None:
    assert encode_gsm7(char) == octets
    assert decode_gsm7(octets) == char


def test_empty_text_has_no_parts() -> None:
    assert info("") == SmsInfo(encoding="gsm7", length=0, units=0, parts=0, per_part=160, remaining=160)
    assert split_for_smpp("", 1).parts == []


@pytest.mark.parametrize(("length", "parts"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)])
def test_gsm7_fits_160_in_one_part_then_153_per_part(length: int, parts: int) -> None:
    result = info("a" * length)
    assert result.encoding == "gsm7"
    assert result.parts == parts
    assert len(split_for_smpp("a" * length, 1).parts) == parts


def test_info_reports_the_limit_and_the_room_left_in_the_last_part() -> None:
    assert info("a" * 150) == SmsInfo(encoding="gsm7", length=150, units=150, parts=1, per_part=160, remaining=10)
    assert info("a" * 200) == SmsInfo(encoding="gsm7", length=200, units=200, parts=2, per_part=153, remaining=106)
    assert info("س" * 100) == SmsInfo(encoding="ucs2", length=100, units=100, parts=2, per_part=67, remaining=34)


def test_gsm7_extension_characters_count_two_septets() -> None:
    assert info("€" * 80).units == 160
    assert info("€" * 80).parts == 1
    assert info("€" * 80 + "a").parts == 2
    assert info("€" * 80).length == 80


def test_a_gsm7_extension_character_at_a_part_boundary_moves_whole_to_the_next_part() -> None:
    text = "a" * 152 + "€" + "b" * 10
    payloads = _payloads(text)
    assert payloads[0] == b"a" * 152
    assert payloads[1].startswith(b"\x1b\x65")
    assert info(text).parts == 2
    assert info(text).remaining == 153 - 12


def test_ucs2_fits_70_in_one_part_then_67_per_part() -> None:
    for length, parts in [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]:
        assert info("س" * length).parts == parts, length
        assert len(split_for_smpp("س" * length, 1).parts) == parts, length


def test_ucs2_counts_an_emoji_as_two_code_units() -> None:
    result = info(EMOJI * 35)
    assert (result.length, result.units, result.parts) == (35, 70, 1)
    assert info(EMOJI * 35 + "a").parts == 2


def test_an_emoji_at_a_ucs2_part_boundary_is_not_split() -> None:
    text = "س" * 66 + EMOJI + "س" * 10
    payloads = _payloads(text)
    assert len(payloads[0]) == 132
    assert payloads[1].startswith(EMOJI.encode("utf-16-be"))
    assert all(len(p) <= 134 for p in payloads)


def test_a_single_part_message_has_no_header() -> None:
    sent = split_for_smpp("Hello", 99)
    assert (sent.data_coding, sent.esm_class, sent.parts) == (0, 0, [b"Hello"])
    persian = split_for_smpp("سلام", 99)
    assert (persian.data_coding, persian.esm_class, persian.parts) == (8, 0, ["سلام".encode("utf-16-be")])


def test_a_long_message_gets_a_concatenation_header_on_every_part() -> None:
    sent = split_for_smpp("a" * 400, 0x1234)
    assert sent.esm_class == 0x40
    assert [part[:6] for part in sent.parts] == [bytes([5, 0, 3, 0x34, 3, seq]) for seq in (1, 2, 3)]
    assert [len(part) for part in sent.parts] == [6 + 153, 6 + 153, 6 + 94]


def test_a_persian_message_of_three_parts_is_cut_into_three_ucs2_segments_that_read_back() -> None:
    text = (PERSIAN * 3)[:180]
    result = info(text)
    assert (result.encoding, result.parts, result.per_part, result.remaining) == ("ucs2", 3, 67, 3 * 67 - 180)
    sent = split_for_smpp(text, 200)
    assert (sent.data_coding, sent.esm_class, len(sent.parts)) == (8, 0x40, 3)
    assert all(len(part) <= 140 for part in sent.parts)
    decoded = [decode_short_message(part, sent.data_coding, sent.esm_class) for part in sent.parts]
    assert [concat for _, concat in decoded] == [(200, 3, 1), (200, 3, 2), (200, 3, 3)]
    assert "".join(part for part, _ in decoded) == text


def test_a_text_longer_than_255_parts_is_refused() -> None:
    with pytest.raises(ValueError, match="255"):
        split_for_smpp("a" * (153 * 255 + 1), 1)


_POOLS = [
    "abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,!?@£$¥èéΔ_ΦΓ¤¡ÄÖÑÜ§¿äöñüà\n",
    "^{}\\[~]|€\f",
    "سلام ایران پیامک ۰۱۲۳۴۵۶۷۸۹ یکگچپژ\u200c",
    "😀🎉👍🇮🇷𝄞",
]


def _random_text(rng: random.Random) -> str:
    pools = rng.sample(_POOLS, rng.randint(1, len(_POOLS)))
    # Mostly GSM-only texts, which is where extension characters meet part boundaries.
    if rng.random() < 0.5:
        pools = _POOLS[:2]
    alphabet = "".join(pools)
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 700)))


def test_parts_counted_equal_parts_sent_and_every_part_reads_back_for_random_texts() -> None:
    rng = random.Random(20261127)
    for _ in range(1500):
        text = _random_text(rng)
        result = info(text)
        sent = split_for_smpp(text, 7)
        assert result.parts == len(sent.parts), text
        assert sent.esm_class == (0x40 if result.parts > 1 else 0)
        decoded = [decode_short_message(part, sent.data_coding, sent.esm_class) for part in sent.parts]
        assert "".join(part for part, _ in decoded) == text
        if result.parts > 1:
            assert [concat for _, concat in decoded] == [(7, result.parts, seq) for seq in range(1, result.parts + 1)]
        for part, _ in decoded:
            # Each part decodes on its own: no half of a surrogate pair or of an escape.
            assert not any(0xD800 <= ord(c) <= 0xDFFF for c in part)
            limit = (160 if result.encoding == "gsm7" else 70) if result.parts == 1 else (153 if result.encoding == "gsm7" else 67)
            assert info(part).units <= limit
        payloads = _payloads(text)
        if result.encoding == "gsm7":
            assert all(not p.endswith(b"\x1b") for p in payloads)
        units = sum(len(p) if result.encoding == "gsm7" else len(p) // 2 for p in payloads)
        assert units == result.units


def test_decode_short_message_returns_no_concatenation_without_a_header() -> None:
    assert decode_short_message(b"Hello", 0) == ("Hello", None)


def test_decode_short_message_reads_a_16_bit_reference_header() -> None:
    data = bytes([6, 8, 4, 0x12, 0x34, 2, 1]) + "hi".encode("utf-16-be")
    assert decode_short_message(data, 8, 0x40) == ("hi", (0x1234, 2, 1))


def test_decode_short_message_skips_other_header_elements() -> None:
    data = bytes([8, 0x24, 1, 0x01, 0, 3, 0x2A, 2, 2]) + b"ok"
    assert decode_short_message(data, 0, 0x43) == ("ok", (0x2A, 2, 2))
    assert decode_short_message(bytes([3, 0x24, 1, 0x01]) + b"ok", 0, 0x40) == ("ok", None)


@pytest.mark.parametrize("data_coding", [1, 3])
def test_decode_short_message_reads_data_coding_1_and_3_as_latin1(data_coding: int) -> None:
    assert decode_short_message("Café £5".encode("latin-1"), data_coding) == ("Café £5", None)


def test_decode_short_message_reads_ucs2_with_surrogate_pairs() -> None:
    text = "سلام " + EMOJI + "🇮🇷"
    assert decode_short_message(text.encode("utf-16-be"), 8) == (text, None)


def test_decode_short_message_reads_8_bit_octets_sent_as_data_coding_0_as_utf8_or_latin1() -> None:
    assert decode_short_message("سلام".encode(), 0)[0] == "سلام"
    assert decode_short_message(b"caf\xe9", 0)[0] == "café"


@pytest.mark.parametrize(
    ("data", "data_coding", "expected"),
    [
        (b"\x00\x01", 0x10, "@£"),
        (b"\x00\x01", 0xF0, "@£"),
        (b"\x00\x01", 0xF4, "\x00\x01"),
        (b"\x06\x33", 0x18, "س"),
        (b"\x06\x33", 0xE0, "س"),
    ],
)
def test_decode_short_message_follows_the_03_38_coding_groups(data: bytes, data_coding: int, expected: str) -> None:
    assert decode_short_message(data, data_coding)[0] == expected


def test_decode_gsm7_shows_the_basic_character_for_an_unknown_escape() -> None:
    assert decode_gsm7(b"\x1b\x41\x1b\x65") == "A€"
    assert decode_gsm7(b"ab\x1b") == "ab"


def test_join_parts_mends_a_surrogate_pair_cut_by_the_sender() -> None:
    octets = ("a" + EMOJI).encode("utf-16-be")
    first, _ = decode_short_message(octets[:4], 8)
    second, _ = decode_short_message(octets[4:], 8)
    assert join_parts([first, second]) == "a" + EMOJI
    assert join_parts([first]) == "a\ufffd"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("لغو", "لغو"),
        ("علي", "علی"),
        ("على", "علی"),
        ("كد", "کد"),
        ("مدرسة", "مدرسه"),
        ("خانۀ", "خانه"),
        ("أحمد", "احمد"),
        ("إيران", "ایران"),
        ("آب", "آب"),
        ("مؤمن", "مومن"),
        ("۱۲۳", "123"),
        ("١٢٣", "123"),
        ("STOP", "stop"),
        ("Straße", "strasse"),
        ("سَلامٌ", "سلام"),
        ("قُرْآن", "قرآن"),
        ("سـلام", "سلام"),
        ("رحمٰن", "رحمن"),
        ("می\u200cخواهم", "میخواهم"),
        ("\u200fلغو\u200e", "لغو"),
        ("\u2067لغو\u2069\ufeff", "لغو"),
        ("  لغو \t  عضویت\n", "لغو عضویت"),
        ("لغو\u00a0عضویت", "لغو عضویت"),
        ("ﻟﻐﻮ", "لغو"),  # Arabic presentation forms, as some old phones send
        ("ا\u0653ب", "آب"),  # a decomposed alef with madda stays آ
    ],
)
def test_normalise_keyword_makes_spellings_of_one_word_equal(text: str, expected: str) -> None:
    assert normalise_keyword(text) == expected


def test_normalise_keyword_matches_arabic_and_persian_keyboards() -> None:
    assert normalise_keyword("  لغو  اشتراك ") == normalise_keyword("لغو اشتراک")
    assert normalise_keyword("كد ۱۲") == normalise_keyword("کد 12")
