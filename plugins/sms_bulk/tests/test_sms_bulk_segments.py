"""Segments over the synthetic database: counts equal direct queries; 0935-only filters."""

from __future__ import annotations

import pytest

from payamak.errors import DomainError
from payamak.messaging.tables import OptOut
from payamak_sms_bulk import reference, segments
from payamak_sms_bulk.segments import Selection
from payamak_sms_bulk.services import calculate
from payamak_sms_bulk.tables import BulkNumber


def active_of(database_id):
    return (BulkNumber.database == database_id) & (BulkNumber.active == True)  # noqa: E712


CASES = [
    (Selection("regional", values=("T05", "K01")), lambda: BulkNumber.area.is_in(["T05", "K01"])),
    (Selection("suburb", values=("S08",)), lambda: BulkNumber.suburb == "S08"),
    (Selection("guild", values=("G01", "G04")), lambda: BulkNumber.guild.is_in(["G01", "G04"])),
    (
        Selection("irancell", prefix="0936"),
        lambda: (BulkNumber.number >= 989360000000) & (BulkNumber.number <= 989369999999),
    ),
    (
        Selection("irancell", prefix="0935", gender="f"),
        lambda: (BulkNumber.number >= 989350000000) & (BulkNumber.number <= 989359999999) & (BulkNumber.gender == "f"),
    ),
    (
        Selection("irancell", prefix="0935", values=("T01", "S02")),
        lambda: (
            (BulkNumber.number >= 989350000000)
            & (BulkNumber.number <= 989359999999)
            & ((BulkNumber.area == "T01") | (BulkNumber.suburb == "S02"))
        ),
    ),
    (Selection("postal_city", province="P01", city="P01C01"), lambda: (BulkNumber.province == "P01") & (BulkNumber.city == "P01C01")),
    (Selection("postal_city", province="P03"), lambda: BulkNumber.province == "P03"),
]


@pytest.mark.parametrize("selection,condition", CASES, ids=[c[0].segment + str(i) for i, c in enumerate(CASES)])
async def test_sms_bulk_each_segment_count_equals_a_direct_query(bulk_world, selection, condition):
    expected = await BulkNumber.count().where(active_of(bulk_world.database.id) & condition())
    counts = await segments.count(bulk_world.database.id, selection, bulk_world.tenant.id)
    assert expected > 0
    assert counts.total == expected and counts.selected == expected


async def test_sms_bulk_postal_prefix_count_equals_a_direct_query(bulk_world):
    row = await BulkNumber.select(BulkNumber.postal5).where(active_of(bulk_world.database.id)).first()
    postal5 = row["postal5"]
    expected = await BulkNumber.count().where(active_of(bulk_world.database.id) & (BulkNumber.postal_code.like(postal5 + "%")))
    counts = await segments.count(bulk_world.database.id, Selection("postal_code", postal5=postal5), bulk_world.tenant.id)
    assert counts.total == expected > 0


async def test_sms_bulk_synthetic_database_covers_every_segment_list(synthetic):
    for column, places in (
        (BulkNumber.area, reference.areas()),
        (BulkNumber.suburb, reference.tehran_suburbs()),
        (BulkNumber.guild, reference.guilds()),
    ):
        present = {r[column._meta.name] for r in await BulkNumber.select(column).where(BulkNumber.database == synthetic.id).distinct()}
        assert {p.code for p in places} <= present
    assert await BulkNumber.count().where(BulkNumber.database == synthetic.id) == 20_000


@pytest.mark.parametrize("prefix", ["0936", "0901", "0939"])
@pytest.mark.parametrize("extra", [{"gender": "m"}, {"values": ("T03",)}])
async def test_sms_bulk_gender_and_tehran_areas_are_refused_for_prefixes_other_than_0935(bulk_world, prefix, extra):
    with pytest.raises(DomainError) as caught:
        await calculate(bulk_world.customer, bulk_world.database.id, Selection("irancell", prefix=prefix, **extra))
    assert caught.value.code == "bulk.profile_prefix"
    estimate = await calculate(bulk_world.customer, bulk_world.database.id, Selection("irancell", prefix="0935", **extra))
    assert estimate.calculation.count > 0


async def test_sms_bulk_opted_out_and_blacklisted_numbers_are_counted_and_left_out(bulk_world):
    from payamak_sms_bulk.databases import add_to_blacklist
    from payamak_sms_bulk.tables import Blacklisted

    selection = Selection("suburb", values=("S03",))
    rows = await BulkNumber.select(BulkNumber.number).where(active_of(bulk_world.database.id) & (BulkNumber.suburb == "S03")).limit(5)
    numbers = [str(r["number"]) for r in rows]
    for number in numbers[:3]:
        await OptOut(tenant=bulk_world.tenant.id, number=number, keyword="لغو").save()
    await add_to_blacklist(["0" + numbers[3][2:]])
    try:
        counts = await segments.count(bulk_world.database.id, selection, bulk_world.tenant.id)
        assert (counts.opted_out, counts.blacklisted) == (3, 1)
        assert counts.selected == counts.total - 4
        streamed = [n async for chunk in segments.stream(bulk_world.database.id, selection, bulk_world.tenant.id, 0) for n in chunk]
        assert len(streamed) == counts.selected and not {int(n) for n in numbers[:4]} & set(streamed)
    finally:
        await Blacklisted.delete().where(Blacklisted.number == int(numbers[3]))


async def test_sms_bulk_a_database_not_granted_to_the_tenant_is_not_found(app, factory, synthetic):
    from payamak.errors import NotFound

    tenant = await factory.tenant()
    customer = await factory.user(tenant)
    with pytest.raises(NotFound):
        await calculate(customer, synthetic.id, Selection("guild", values=("G01",)))
