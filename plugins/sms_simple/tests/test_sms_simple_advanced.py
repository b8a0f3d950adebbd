"""2-2 Advanced send: a .txt of numbers checked first (valid, duplicated, invalid with their lines,
cost), then sent to exactly the valid unique numbers; uploads belong to their uploader and expire."""

from __future__ import annotations

import json
import os
import time

from payamak.messaging.tables import Recipient
from payamak_sms_simple import advanced, uploads
from tests.helpers import text_of
from tests.messaging.conftest import make_world, wait_until_settled

# Persian digits, duplicates in other spellings, separators, blank lines, and two bad lines (4 and 7).
NUMBER_FILE = "\n".join(
    [
        "۰۹۱۲۱۰۰۰۰۰۱",
        "0912 100 0002",
        "+98-912-100-0003",
        "12345",
        "",
        "09121000001",
        "شماره",
        "۹۱۲۱۰۰۰۰۰۲",
        "00989121000004, 09121000005",
    ]
)
VALID = ["989121000001", "989121000002", "989121000003", "989121000004", "989121000005"]


def txt(content: str, encoding: str = "utf-8") -> dict:
    return {"file": ("numbers.txt", content.encode(encoding), "text/plain")}


async def upload(client, content: str, line_id: int, text: str = "سلام", **fields) -> object:
    token = await client.ensure_csrf()
    data = {"_csrf_token": token, "line_id": str(line_id), "text": text, **fields}
    return await client.post("/send/advanced", data=data, files=txt(content))


async def test_the_check_step_counts_valid_duplicated_and_invalid_lines_then_sends_the_valid_unique_numbers(world, client, kit):
    response = await upload(client, NUMBER_FILE, world.line.id)
    token = kit.token_of(response, "advanced")
    assert await kit.jobs_of(world.customer.id) == []  # nothing is sent before confirming

    review = await client.get(f"/send/advanced/{token}")
    assert review.status_code == 200
    counts = text_of(review.text.split('id="number-counts"')[1].split("</table>")[0])
    assert "(هر کدام یک بار) ۵" in counts and "(یک بار ارسال می‌شوند) ۲" in counts and "(کنار گذاشته می‌شوند) ۲" in counts
    assert 'data-line="4"' in review.text and 'data-line="7"' in review.text and review.text.count("data-line=") == 2
    assert "۷٬۵۰۰" in text_of(review.text)  # 5 numbers × 1 part × 1,500 Rials

    confirmed = await client.post_form(f"/send/advanced/{token}")
    [job_id] = kit.done_job_ids(confirmed)
    assert await kit.numbers_of(job_id) == VALID
    [job] = await kit.jobs_of(world.customer.id)
    assert job.source == "advanced" and job.recipients == 5 and job.reserved == 7_500
    assert await wait_until_settled(job_id) == {"submitted": 5}
    assert list(uploads.upload_dir().glob(f"{token}.*")) == []
    again = await client.post_form(f"/send/advanced/{token}")
    assert again.status_code == 404
    assert len(await kit.jobs_of(world.customer.id)) == 1


async def test_invalid_lines_are_numbered_across_chunks_and_the_first_50_are_listed(tmp_path, monkeypatch):
    monkeypatch.setattr(advanced, "PARSE_LINES", 7)
    lines = []
    for n in range(1, 201):
        lines.append(f"0912{n:07d}" if n % 3 else f"bad-{n}")
    lines.append("09120000001")  # a duplicate of line 1, in a later chunk
    source = tmp_path / "numbers.txt"
    source.write_text("\r\n".join(lines), encoding="cp1256")
    result = advanced.analyse(source, tmp_path / "numbers.out")
    assert result.invalid_count == 66 and result.duplicates == 1 and result.valid == 134
    assert [line for line, _raw, _reason in result.invalid] == list(range(3, 151, 3))
    assert result.invalid[0][1:] == ("bad-3", "not_digits")
    written = (tmp_path / "numbers.out").read_text().split()
    assert len(written) == len(set(written)) == 134


async def test_a_file_in_windows_1256_or_utf_16_is_read(tmp_path):
    for encoding in ("cp1256", "utf-16"):
        source = tmp_path / f"numbers-{encoding}.txt"
        source.write_text("09121000001\nشماره\n09121000002\n", encoding=encoding)
        result = advanced.analyse(source, tmp_path / "out")
        assert (result.valid, result.invalid_count, result.invalid[0][0]) == (2, 1, 2)


async def test_another_users_token_answers_404_in_this_tenant_and_in_another(world, client, kit, factory, client_for):
    token = kit.token_of(await upload(client, "09121000001", world.line.id), "advanced")
    neighbour = await factory.user(world.tenant)
    stranger = await make_world(factory)
    for tenant, user in ((world.tenant, neighbour), (stranger.tenant, stranger.customer)):
        other = client_for(tenant)
        await other.login(user)
        assert (await other.get(f"/send/advanced/{token}")).status_code == 404
        assert (await other.post_form(f"/send/advanced/{token}")).status_code == 404
        assert (await other.post_form(f"/send/advanced/{token}/cancel")).status_code == 404
    for made_up in ("x" * 32, "../../secret_key", token[:-1] + ("A" if token[-1] != "A" else "B")):
        assert (await client.get(f"/send/advanced/{made_up}")).status_code == 404
    assert await kit.jobs_of(neighbour.id) == [] and await kit.jobs_of(stranger.customer.id) == []
    assert (await client.get(f"/send/advanced/{token}")).status_code == 200  # still the uploader's


async def test_an_upload_is_gone_after_an_hour_and_swept(world, client, kit):
    token = kit.token_of(await upload(client, "09121000001", world.line.id), "advanced")
    meta = uploads.upload_dir() / f"{token}.json"
    hour_ago = time.time() - uploads.TTL_SECONDS - 5
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "created": hour_ago}))
    assert (await client.get(f"/send/advanced/{token}")).status_code == 404
    assert list(uploads.upload_dir().glob(f"{token}.*")) == []

    token = kit.token_of(await upload(client, "09121000001", world.line.id), "advanced")
    for path in uploads.upload_dir().glob(f"{token}.*"):
        os.utime(path, (hour_ago, hour_ago))
    assert uploads.sweep() >= 2
    assert list(uploads.upload_dir().glob(f"{token}.*")) == []


async def test_cancelling_discards_the_upload_and_sends_nothing(world, client, kit):
    token = kit.token_of(await upload(client, "09121000001", world.line.id), "advanced")
    assert (await client.post_form(f"/send/advanced/{token}/cancel")).status_code == 303
    assert (await client.get(f"/send/advanced/{token}")).status_code == 404
    assert await kit.jobs_of(world.customer.id) == []


async def test_the_message_is_checked_before_the_file_and_other_files_are_refused(world, client, kit, monkeypatch):
    no_text = await upload(client, "09121000001", world.line.id, text="  ")
    assert no_text.status_code == 400 and "متن پیام" in text_of(no_text.text)
    token = await client.ensure_csrf()
    wrong = await client.post(
        "/send/advanced",
        data={"_csrf_token": token, "line_id": str(world.line.id), "text": "x"},
        files={"file": ("numbers.xlsx", b"PK\x03\x04", "application/octet-stream")},
    )
    assert wrong.status_code == 400 and "فایل txt" in text_of(wrong.text)
    empty = await upload(client, "", world.line.id)
    assert empty.status_code == 400 and "فایل خالی است" in text_of(empty.text)
    monkeypatch.setattr(advanced, "MAX_FILE_BYTES", 20)
    too_large = await upload(client, "09121000001\n09121000002", world.line.id)
    assert too_large.status_code == 400 and "حداکثر می‌تواند" in text_of(too_large.text)
    monkeypatch.undo()
    past = await upload(client, "09121000001", world.line.id, schedule="1", send_date="1400/01/01", send_time="10:00")
    assert past.status_code == 400 and "گذشته است" in text_of(past.text)
    assert list(uploads.upload_dir().glob("*.raw")) == []
    assert await kit.jobs_of(world.customer.id) == []


async def test_a_scheduled_advanced_send_goes_out_at_its_time(world, client, kit):
    response = await upload(client, "09121000001\n09121000002", world.line.id, schedule="1", send_date="1499/01/01", send_time="08:00")
    token = kit.token_of(response, "advanced")
    review = text_of((await client.get(f"/send/advanced/{token}")).text)
    assert "۱۴۹۹/۰۱/۰۱ ۰۸:۰۰" in review
    [job_id] = kit.done_job_ids(await client.post_form(f"/send/advanced/{token}"))
    [job] = await kit.jobs_of(world.customer.id)
    assert job.id == job_id and job.status == "scheduled"
    assert {r["status"] for r in await Recipient.select(Recipient.status).where(Recipient.job == job_id)} == {"scheduled"}


async def test_without_credit_confirming_is_refused_nothing_is_persisted_and_the_upload_stays(app, factory, client_for, kit):
    poor = await make_world(factory, credit=1_000)
    client = client_for(poor.tenant)
    await client.login(poor.customer)
    token = kit.token_of(await upload(client, "09121000001\n09121000002", poor.line.id), "advanced")
    review = await client.get(f"/send/advanced/{token}")
    assert "این مبلغ از موجودی شما بیشتر است" in text_of(review.text)
    refused = await client.post_form(f"/send/advanced/{token}")
    assert refused.status_code == 402 and "اعتبار کافی نیست" in text_of(refused.text)
    assert await kit.jobs_of(poor.customer.id) == []
    assert await Recipient.count().where(Recipient.tenant == poor.tenant.id) == 0
    assert await kit.reservations_of(poor.account.id) == 0
    assert (await client.get(f"/send/advanced/{token}")).status_code == 200
