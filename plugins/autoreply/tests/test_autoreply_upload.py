"""6-2 Group responders: files read as the spreadsheet numbers its rows, all-or-nothing creation, sample files."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from payamak.errors import DomainError
from payamak.i18n import set_locale
from payamak_autoreply import upload
from payamak_autoreply.tables import Responder, ResponderKeyword


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def responders_of(world) -> list[Responder]:
    return await Responder.objects().where((Responder.owner == world.customer.id) & (Responder.kind == "keyword")).order_by(Responder.id)


def test_csv_in_utf8_or_windows_1256_with_commas_or_semicolons_is_read_with_row_numbers():
    text = "کلمات کلیدی,پاسخ,شماره خط\nسلام،درود,خوش آمدید,\n"
    assert upload.read_rows("a.csv", text.encode("utf-8-sig")) == [
        (1, ["کلمات کلیدی", "پاسخ", "شماره خط"]),
        (2, ["سلام،درود", "خوش آمدید"]),
    ]
    # Windows-1256 has no Persian ی: such files carry Arabic ي, which matching folds anyway.
    assert upload.read_rows("a.CSV", "قيمت;پنجاه هزار\n".encode("cp1256")) == [(1, ["قيمت", "پنجاه هزار"])]


def test_spreadsheet_rows_keep_their_numbers_after_empty_rows_and_numbers_become_text():
    data = xlsx([[None], ["سلام", "درود", 3000123, None], [11, "لغو شد"]])
    assert upload.read_rows("f.xlsx", data) == [(1, []), (2, ["سلام", "درود", "3000123"]), (3, ["11", "لغو شد"])]


def test_other_files_are_refused_with_a_clear_error():
    for name, data, code in [
        ("notes.txt", b"x", "autoreply.upload_format"),
        ("fake.xlsx", b"not a spreadsheet", "autoreply.upload_unreadable"),
        ("big.csv", b"x" * (upload.MAX_UPLOAD_BYTES + 1), "autoreply.upload_too_large"),
    ]:
        with pytest.raises(DomainError) as error:
            upload.read_rows(name, data)
        assert error.value.code == code


async def test_one_bad_row_creates_nothing_and_names_the_row_then_the_fixed_file_creates_every_responder(world, kit):
    second = await kit.add_line(world)
    rows = [
        ["کلمات کلیدی", "متن پاسخ", "شماره خط", "نوع تطبیق"],
        ["قیمت، price", "فهرست قیمت‌ها", "", ""],
        ["ساعت کاری", "۹ تا ۱۷", world.line.number, "شامل"],
        ["آدرس", "", "99999999", "fuzzy"],
        ["تخفیف", "ده درصد", "۰" + second.number if second.number.startswith("9") else second.number, "exact"],
    ]
    with pytest.raises(upload.GroupUploadError) as error:
        await upload.create_group(world.customer, "responders.xlsx", xlsx(rows))
    found = {(e.row, e.column) for e in error.value.errors}
    assert found == {(4, "reply"), (4, "line"), (4, "match")}
    assert error.value.params["n"] == 1 and await responders_of(world) == []

    rows[3] = ["آدرس", "تهران، خیابان آزادی", "", ""]
    ids = await upload.create_group(world.customer, "responders.xlsx", xlsx(rows))
    created = await responders_of(world)
    assert [r.id for r in created] == ids
    assert [(r.keywords, r.reply_text, r.line, r.match_mode) for r in created] == [
        ("قیمت\nprice", "فهرست قیمت‌ها", None, "exact"),
        ("ساعت کاری", "۹ تا ۱۷", world.line.id, "contains"),
        ("آدرس", "تهران، خیابان آزادی", None, "exact"),
        ("تخفیف", "ده درصد", second.id, "exact"),
    ]
    words = await ResponderKeyword.select(ResponderKeyword.normalised).where(ResponderKeyword.responder == ids[0])
    assert sorted(w["normalised"] for w in words) == ["price", "قیمت"]
    reply, _ = await kit.sent_reply(await kit.receive(world.line, kit.new_sender(), "PRICE"))
    assert reply.responder == ids[0]


async def test_keywords_repeated_in_the_file_or_already_answered_on_the_same_line_are_row_errors(world, kit):
    await kit.keyword_responder(world, "سلام", "درود")
    data = "سلام,x,\nقیمت,y,\nقيمت,z,\nقیمت,on the line," + world.line.number + "\n"
    with pytest.raises(upload.GroupUploadError) as error:
        await upload.create_group(world.customer, "r.csv", data.encode())
    messages = {e.row: e.message for e in error.value.errors}
    assert sorted(messages) == [1, 3]
    assert "ردیف ۲" in messages[3]
    assert await Responder.count().where(Responder.owner == world.customer.id) == 1


async def test_an_empty_file_is_an_error(world):
    with pytest.raises(upload.GroupUploadError) as error:
        await upload.create_group(world.customer, "empty.csv", b"Keywords,Reply,Line number\n\n")
    assert [(e.row, e.message) for e in error.value.errors] == [(0, "فایل هیچ ردیفی ندارد.")]


@pytest.mark.parametrize("fmt", upload.FORMATS)
async def test_the_sample_file_in_each_format_reads_back_and_uploads_as_it_is(world, fmt):
    token = set_locale("fa")
    try:
        content, media_type = upload.sample_file(await upload.sample_rows(world.customer), fmt)
    finally:
        from payamak.i18n import _locale

        _locale.reset(token)
    rows = upload.read_rows(f"sample.{fmt}", content)
    assert rows[0][1][:3] == ["کلمات کلیدی", "پاسخ", "شماره خط"]
    assert rows[2][1][2] == world.line.number
    assert media_type
    ids = await upload.create_group(world.customer, f"sample.{fmt}", content)
    assert len(ids) == 2
