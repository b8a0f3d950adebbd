"""Bulk sends: a fresh calculate-count of the same selection is required; random and sequential
selections reach exactly the numbers they select; opted-out numbers are skipped and counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from payamak.errors import DomainError
from payamak.messaging.tables import OptOut, Recipient
from payamak_sms_bulk import segments, services
from payamak_sms_bulk.segments import Selection
from payamak_sms_bulk.tables import BulkNumber, BulkSend, Calculation
from payamak_testplugin import loopback
from tests.messaging.conftest import wait_until_settled

TEXT = "حراج پاییزه فروشگاه؛ لغو۱۱"


async def segment_numbers(database_id: int, condition) -> set[int]:
    rows = await BulkNumber.select(BulkNumber.number).where(
        (BulkNumber.database == database_id) & (BulkNumber.active == True) & condition  # noqa: E712
    )
    return {r["number"] for r in rows}


async def send_and_wait(world, selection: Selection) -> BulkSend:

    estimate = await services.calculate(world.customer, world.database.id, selection, TEXT)
    bulk = await services.request_send(world.customer, estimate.calculation.id, world.database.id, selection, TEXT, line_id=world.line.id)
    bulk = await services.wait_finished(world.tenant.id, bulk.id)
    assert bulk.status == "accepted", bulk.error
    return bulk


async def test_sms_bulk_random_selective_send_reaches_n_distinct_numbers_of_the_segment_only(bulk_world):
    selection = Selection("guild", values=("G02", "G07"), mode="random", count=150)
    segment = await segment_numbers(bulk_world.database.id, BulkNumber.guild.is_in(["G02", "G07"]))
    bulk = await send_and_wait(bulk_world, selection)
    await wait_until_settled(bulk.job)
    recipients = [int(r["number"]) for r in await Recipient.select(Recipient.number).where(Recipient.job == bulk.job)]
    assert len(recipients) == len(set(recipients)) == bulk.selected == 150
    assert set(recipients) <= segment
    sent = {int(m.destination) for m in loopback.SENT if str(m.destination) in {str(n) for n in recipients}}
    assert sent == set(recipients)
    again = [n async for chunk in segments.stream(bulk.database, selection, bulk.tenant, bulk.seed) for n in chunk]
    assert set(again) == set(recipients)  # the stored seed reproduces exactly who got it


async def test_sms_bulk_random_selections_with_other_seeds_pick_other_numbers_spread_over_the_segment(bulk_world):
    selection = Selection("regional", values=("T01", "T02", "T03"), mode="random", count=200)
    picks = [
        {n async for chunk in segments.stream(bulk_world.database.id, selection, bulk_world.tenant.id, seed) for n in chunk}
        for seed in (11, 12)
    ]
    assert len(picks[0]) == len(picks[1]) == 200 and picks[0] != picks[1]
    ids = sorted(
        r["id"]
        for r in await BulkNumber.select(BulkNumber.id).where(
            (BulkNumber.database == bulk_world.database.id) & BulkNumber.number.is_in(list(picks[0]))
        )
    )
    all_ids = sorted(
        r["id"]
        for r in await BulkNumber.select(BulkNumber.id).where(
            (BulkNumber.database == bulk_world.database.id) & (BulkNumber.active == True) & BulkNumber.area.is_in(["T01", "T02", "T03"])  # noqa: E712
        )
    )
    middle = all_ids[len(all_ids) // 4], all_ids[3 * len(all_ids) // 4]
    inside = sum(middle[0] <= i <= middle[1] for i in ids)
    assert 60 <= inside <= 140  # about half the draw lies in the middle half: not the first rows


async def test_sms_bulk_sequential_send_takes_the_count_from_the_starting_row_in_id_order(bulk_world):
    selection = Selection("suburb", values=("S05",), mode="sequential", start=11, count=25)
    rows = (
        await BulkNumber.select(BulkNumber.number)
        .where(
            (BulkNumber.database == bulk_world.database.id) & (BulkNumber.active == True) & (BulkNumber.suburb == "S05")  # noqa: E712
        )
        .order_by(BulkNumber.id)
    )
    expected = [r["number"] for r in rows][10:35]
    bulk = await send_and_wait(bulk_world, selection)
    recipients = [
        int(r["number"]) for r in await Recipient.select(Recipient.number).where(Recipient.job == bulk.job).order_by(Recipient.id)
    ]
    assert recipients == expected


async def test_sms_bulk_send_without_calculating_the_count_is_refused(bulk_world):
    selection = Selection("guild", values=("G03",))
    with pytest.raises(DomainError) as caught:
        await services.request_send(bulk_world.customer, None, bulk_world.database.id, selection, TEXT, line_id=bulk_world.line.id)
    assert caught.value.code == "bulk.calculate_first"
    assert await BulkSend.count().where(BulkSend.tenant == bulk_world.tenant.id) == 0


async def test_sms_bulk_send_of_a_selection_other_than_the_calculated_one_is_refused(bulk_world):
    estimate = await services.calculate(bulk_world.customer, bulk_world.database.id, Selection("guild", values=("G03",)), TEXT)
    for other in (Selection("guild", values=("G03", "G04")), Selection("guild", values=("G03",), mode="random", count=5)):
        with pytest.raises(DomainError) as caught:
            await services.request_send(
                bulk_world.customer, estimate.calculation.id, bulk_world.database.id, other, TEXT, line_id=bulk_world.line.id
            )
        assert caught.value.code == "bulk.selection_changed"


async def test_sms_bulk_send_with_a_stale_calculation_is_refused(bulk_world):
    selection = Selection("guild", values=("G05",))
    estimate = await services.calculate(bulk_world.customer, bulk_world.database.id, selection, TEXT)
    await Calculation.update({Calculation.created_at: datetime.now(UTC) - timedelta(minutes=16)}).where(
        Calculation.id == estimate.calculation.id
    )
    with pytest.raises(DomainError) as caught:
        await services.request_send(
            bulk_world.customer, estimate.calculation.id, bulk_world.database.id, selection, TEXT, line_id=bulk_world.line.id
        )
    assert caught.value.code == "bulk.calculation_stale"


async def test_sms_bulk_a_calculation_is_sent_once(bulk_world):
    selection = Selection("guild", values=("G06",), mode="sequential", count=3)
    estimate = await services.calculate(bulk_world.customer, bulk_world.database.id, selection, TEXT)
    args = (bulk_world.customer, estimate.calculation.id, bulk_world.database.id, selection, TEXT)
    await services.request_send(*args, line_id=bulk_world.line.id)
    with pytest.raises(DomainError) as caught:
        await services.request_send(*args, line_id=bulk_world.line.id)
    assert caught.value.code == "bulk.calculation_used"


async def test_sms_bulk_another_customers_calculation_cannot_be_sent(bulk_world, factory):
    selection = Selection("guild", values=("G06",))
    estimate = await services.calculate(bulk_world.customer, bulk_world.database.id, selection, TEXT)
    other = await factory.user(bulk_world.tenant)
    with pytest.raises(DomainError) as caught:
        await services.request_send(other, estimate.calculation.id, bulk_world.database.id, selection, TEXT)
    assert caught.value.code == "bulk.calculate_first"


async def test_sms_bulk_dedicated_lines_are_not_offered_for_bulk_sends(bulk_world):
    from payamak.messaging.lines import register_line
    from payamak.messaging.tables import Line

    dedicated = await register_line(f"3999{bulk_world.tenant.id}", "dedicated", bulk_world.connection.id, bulk_world.tenant.id)
    await Line.update({Line.owner: bulk_world.customer.id}).where(Line.id == dedicated.id)
    assert [line.id for line in await services.advertising_lines(bulk_world.customer)] == [bulk_world.line.id]
    selection = Selection("guild", values=("G08",))
    estimate = await services.calculate(bulk_world.customer, bulk_world.database.id, selection, TEXT)
    with pytest.raises(DomainError) as caught:
        await services.request_send(
            bulk_world.customer, estimate.calculation.id, bulk_world.database.id, selection, TEXT, line_id=dedicated.id
        )
    assert caught.value.code == "bulk.line"


async def test_sms_bulk_opted_out_numbers_are_skipped_and_counted(bulk_world):
    condition = BulkNumber.area == "K04"
    segment = await segment_numbers(bulk_world.database.id, condition)
    opted = sorted(segment)[:4]
    for number in opted:
        await OptOut(tenant=bulk_world.tenant.id, number=str(number), keyword="لغو").save()
    bulk = await send_and_wait(bulk_world, Selection("regional", values=("K04",)))
    recipients = {int(r["number"]) for r in await Recipient.select(Recipient.number).where(Recipient.job == bulk.job)}
    assert recipients == segment - set(opted)
    assert bulk.skipped_opt_out == 4 and bulk.selected == len(segment) - 4
    assert bulk.cost > 0
    rows = await services.report(bulk_world.customer, datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(hours=1))
    assert [r.bulk.id for r in rows] == [bulk.id] and rows[0].bulk.skipped_opt_out == 4


async def test_sms_bulk_a_send_larger_than_the_credit_is_refused_and_its_calculation_kept(app, factory, synthetic):
    from payamak_sms_bulk import databases
    from tests.messaging.conftest import make_world

    world = await make_world(factory, kind="advertising", credit=1_000)
    await databases.grant(world.tenant.id, synthetic.id)
    selection = Selection("regional", values=("T10",))
    estimate = await services.calculate(world.customer, synthetic.id, selection, TEXT)
    with pytest.raises(DomainError) as caught:
        await services.request_send(world.customer, estimate.calculation.id, synthetic.id, selection, TEXT, line_id=world.line.id)
    assert caught.value.code == "credit.insufficient"
    assert await BulkSend.count().where(BulkSend.tenant == world.tenant.id) == 0
    assert (await Calculation.objects().where(Calculation.id == estimate.calculation.id).first()).used_at is None


async def test_sms_bulk_a_send_the_pipeline_refuses_in_the_background_is_marked_failed_with_the_reason(bulk_world):
    from payamak.messaging.tables import CreditAccount
    from payamak.tenancy import scoped

    selection = Selection("regional", values=("T11",))
    bulk = await scoped(BulkSend, bulk_world.tenant.id).create(
        user=bulk_world.customer.id,
        database=bulk_world.database.id,
        calculation=0,
        segment=selection.segment,
        selection=selection.as_dict(),
        line=bulk_world.line.id,
        text=TEXT,
    )
    # The balance was spent elsewhere between the request and the background half.
    await CreditAccount.update({CreditAccount.available: 0}).where(CreditAccount.id == bulk_world.account.id)
    bulk = await services.run_send(bulk_world.tenant.id, bulk.id)
    assert bulk.status == "failed" and bulk.job is None
    assert "credit" in bulk.error or "اعتبار" in bulk.error


async def test_sms_bulk_send_in_future_is_scheduled_with_the_jalali_time(bulk_world):
    import jdatetime

    from payamak.messaging.tables import SendJob
    from payamak.web.formatting import parse_jalali

    later = jdatetime.datetime.now() + timedelta(days=2)
    when = parse_jalali(later.strftime("%Y/%m/%d 10:30"))
    selection = Selection("guild", values=("G11",), mode="sequential", count=5)
    estimate = await services.calculate(bulk_world.customer, bulk_world.database.id, selection, TEXT)
    bulk = await services.request_send(
        bulk_world.customer, estimate.calculation.id, bulk_world.database.id, selection, TEXT, line_id=bulk_world.line.id, scheduled_at=when
    )
    bulk = await services.wait_finished(bulk_world.tenant.id, bulk.id)
    job = await SendJob.objects().where(SendJob.id == bulk.job).first()
    assert job.status == "scheduled" and job.scheduled_at == when and job.source == "bulk"
