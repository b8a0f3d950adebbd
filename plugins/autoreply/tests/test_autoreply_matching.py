"""Keyword matching and the precedence of responders (see payamak_autoreply.matching)."""

from __future__ import annotations

import pytest

from payamak.errors import DomainError
from payamak_autoreply import services
from payamak_autoreply.matching import contains_keyword, find_responder, keyword_form, split_keywords


def test_keyword_form_folds_arabic_letters_digits_case_spaces_zero_width_and_punctuation():
    assert keyword_form("  قيمت   ۲۴ ") == keyword_form("قیمت 24") == "قیمت 24"
    assert keyword_form("كتاب") == keyword_form("کتاب")
    assert keyword_form("PRICE!") == keyword_form("price") == "price"
    assert keyword_form("می\u200cخواهم") == keyword_form("میخواهم")
    assert keyword_form("قیمت؟") == "قیمت"
    assert keyword_form("؟!") == ""


def test_keywords_split_on_latin_and_persian_commas_and_repeats_are_kept_once():
    assert split_keywords("قیمت، price ,PRICE,, قيمت\nساعت کاری") == ["قیمت", "price", "ساعت کاری"]


def test_contains_matches_whole_words_only():
    assert contains_keyword("قیمت طلا چند است", "قیمت طلا")
    assert contains_keyword("قیمت طلا چند است", "چند است")
    assert not contains_keyword("قیمتها چند است", "قیمت")
    assert not contains_keyword("قیمت", "")


async def test_precedence_exact_on_line_then_exact_on_all_then_contains_on_line_then_contains_on_all_then_default(world, kit):
    other_line = await kit.add_line(world)
    line = world.line
    contains_all = await kit.keyword_responder(world, "طلا", "contains on all lines", match_mode="contains")
    contains_line = await kit.keyword_responder(world, "قیمت", "contains on this line", line, match_mode="contains")
    exact_all = await kit.keyword_responder(world, "قیمت طلا", "exact on all lines")
    exact_line = await kit.keyword_responder(world, "قیمت طلا", "exact on this line", line)
    later_contains_all = await kit.keyword_responder(world, "قيمت", "a later contains on all lines", match_mode="contains")
    await kit.keyword_responder(world, "قیمت طلا", "exact on the other line", other_line)
    default = await services.save_default(world.customer, line.id, "default of the line")

    async def winner() -> int | None:
        found = await find_responder(world.tenant.id, world.customer.id, line.id, "قيمت طلا؟")
        return found.id if found else None

    # contains_all and later_contains_all tie (both contain «قیمت» or «طلا» on all lines): the lowest id wins.
    expected = [exact_line, exact_all, contains_line, contains_all, later_contains_all, default]
    for responder in expected:
        assert await winner() == responder.id
        await services.set_enabled(world.customer, responder.id, False)
    assert await winner() is None
    assert (await find_responder(world.tenant.id, world.customer.id, line.id, "نقره")) is None


async def test_the_same_keyword_twice_on_the_same_line_is_refused_but_allowed_on_another_scope(world, kit):
    await kit.keyword_responder(world, "سلام", "one")
    with pytest.raises(DomainError) as error:
        await kit.keyword_responder(world, "hi, سلام", "two")
    assert error.value.code == "autoreply.keyword_taken" and "سلام" in error.value.message
    on_line = await kit.keyword_responder(world, "سلام", "on the line", world.line)
    # Editing a responder may keep its own keywords.
    data = services.ResponderInput(["سلام", "درود"], "on the line, edited", world.line.id)
    edited = await services.update_responder(world.customer, on_line.id, data)
    assert edited.keywords == "سلام\nدرود" and edited.reply_text == "on the line, edited"


async def test_a_responder_needs_keywords_a_reply_and_one_of_the_customers_own_lines(app, factory, world, kit):
    cases = [
        (services.ResponderInput([" ، "], "x"), "autoreply.keywords_empty"),
        (services.ResponderInput(["؟؟"], "x"), "autoreply.keyword_blank"),
        (services.ResponderInput(["سلام"], "   "), "autoreply.reply_empty"),
        (services.ResponderInput(["سلام"], "x" * 1001), "autoreply.reply_too_long"),
        (services.ResponderInput(["سلام"], "x", match_mode="fuzzy"), "autoreply.bad_match"),
    ]
    for data, code in cases:
        with pytest.raises(DomainError) as error:
            await services.create_responder(world.customer, data)
        assert error.value.code == code
    neighbour = await kit.add_line(world, owned=False)
    with pytest.raises(DomainError) as error:
        await services.create_responder(world.customer, services.ResponderInput(["سلام"], "x", neighbour.id))
    assert error.value.code == "autoreply.bad_line"
    with pytest.raises(DomainError) as error:
        await services.save_default(world.customer, neighbour.id, "x")
    assert error.value.code == "autoreply.bad_line"
