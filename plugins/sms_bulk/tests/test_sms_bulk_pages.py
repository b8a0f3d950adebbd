"""The /bulk pages: calculate-count then send per segment, the 0935 limits on the page, the
progress page, the report and its .xlsx, and the pages' guards."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from payamak_sms_bulk import services
from payamak_sms_bulk.tables import BulkSend
from tests.helpers import text_of

TEXT = "تخفیف ویژه برای شما"


def calculation_id(html: str) -> str:
    found = re.search(r'name="calculation_id" value="(\d+)"', html)
    assert found, text_of(html)[:500]
    return found.group(1)


async def customer_client(world, client_for):
    client = client_for(world.tenant)
    await client.login(world.customer)
    return client


async def test_sms_bulk_page_calculates_then_sends_and_shows_progress(bulk_world, client_for):
    client = await customer_client(bulk_world, client_for)
    form = {"database_id": str(bulk_world.database.id), "values": ["T07", "K02"], "mode": "random", "count": "40", "text": TEXT}
    page = await client.get("/bulk/regional")
    assert page.status_code == 200 and 'id="send"' not in page.text
    calculated = await client.post_form("/bulk/regional/calculate", form)
    assert calculated.status_code == 200 and 'id="send"' in calculated.text
    assert "۴۰" in text_of(calculated.text)
    sent = await client.post_form(
        "/bulk/regional/send", {**form, "calculation_id": calculation_id(calculated.text), "line_id": str(bulk_world.line.id)}
    )
    assert sent.status_code == 303
    bulk = await services.wait_finished(bulk_world.tenant.id, int(sent.headers["location"].rsplit("/", 1)[1]))
    assert bulk.status == "accepted" and bulk.selected == 40
    detail = await client.get(sent.headers["location"])
    assert detail.status_code == 200 and 'data-status="accepted"' in detail.text


async def test_sms_bulk_page_refuses_a_send_whose_selection_changed_after_calculating(bulk_world, client_for):
    client = await customer_client(bulk_world, client_for)
    form = {"database_id": str(bulk_world.database.id), "values": ["G01"], "mode": "public", "text": TEXT}
    calculated = await client.post_form("/bulk/guild/calculate", form)
    changed = {**form, "values": ["G01", "G02"], "calculation_id": calculation_id(calculated.text)}
    refused = await client.post_form("/bulk/guild/send", changed)
    assert refused.status_code == 400 and 'id="send"' not in refused.text
    assert await BulkSend.count().where(BulkSend.tenant == bulk_world.tenant.id) == 0


async def test_sms_bulk_page_refuses_gender_for_a_prefix_other_than_0935(bulk_world, client_for):
    client = await customer_client(bulk_world, client_for)
    refused = await client.post_form(
        "/bulk/irancell/calculate", {"database_id": str(bulk_world.database.id), "prefix": "0936", "gender": "f"}
    )
    assert refused.status_code == 400 and 'id="send"' not in refused.text
    allowed = await client.post_form(
        "/bulk/irancell/calculate", {"database_id": str(bulk_world.database.id), "prefix": "0935", "gender": "f"}
    )
    assert allowed.status_code == 200 and 'id="send"' in allowed.text


async def test_sms_bulk_postal_prefix_page_shows_the_count_of_active_numbers(bulk_world, client_for):
    from payamak_sms_bulk.tables import BulkNumber

    row = await BulkNumber.select(BulkNumber.postal5).where(BulkNumber.database == bulk_world.database.id).first()
    expected = await BulkNumber.count().where(
        (BulkNumber.database == bulk_world.database.id) & (BulkNumber.postal5 == row["postal5"]) & (BulkNumber.active == True)  # noqa: E712
    )
    client = await customer_client(bulk_world, client_for)
    page = await client.post_form("/bulk/postal_code/calculate", {"database_id": str(bulk_world.database.id), "postal5": row["postal5"]})
    assert page.status_code == 200
    from payamak.i18n import localize_digits

    assert localize_digits(expected) in page.text


async def test_sms_bulk_report_lists_sends_and_downloads_as_xlsx(bulk_world, client_for):
    from payamak_sms_bulk.segments import Selection

    selection = Selection("suburb", values=("S09",), mode="sequential", count=7)
    estimate = await services.calculate(bulk_world.customer, bulk_world.database.id, selection, TEXT)
    bulk = await services.request_send(bulk_world.customer, estimate.calculation.id, bulk_world.database.id, selection, TEXT)
    await services.wait_finished(bulk_world.tenant.id, bulk.id)
    client = await customer_client(bulk_world, client_for)
    report = await client.get("/bulk/report")
    assert report.status_code == 200 and f'data-bulk="{bulk.id}"' in report.text
    download = await client.get("/bulk/report.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == bulk.id and rows[1][5] == 7


async def test_sms_bulk_pages_hide_other_customers_sends_and_refuse_other_roles(bulk_world, client_for, factory):
    from payamak_sms_bulk.segments import Selection

    selection = Selection("guild", values=("G09",), mode="sequential", count=2)
    estimate = await services.calculate(bulk_world.customer, bulk_world.database.id, selection, TEXT)
    bulk = await services.request_send(bulk_world.customer, estimate.calculation.id, bulk_world.database.id, selection, TEXT)
    other_tenant = await factory.tenant()
    stranger = await factory.user(other_tenant)
    client = client_for(other_tenant)
    await client.login(stranger)
    assert (await client.get(f"/bulk/sends/{bulk.id}")).status_code == 404
    admin = await factory.user(bulk_world.tenant, "tenant_admin")
    staff_client = client_for(bulk_world.tenant)
    await staff_client.login(admin)
    assert (await staff_client.get("/bulk/regional")).status_code == 404
    assert (await staff_client.get("/admin/bulk")).status_code == 404


async def test_sms_bulk_page_sends_a_chosen_template_when_the_text_is_empty(bulk_world, client_for):
    from payamak.boxes.tables import Template
    from payamak.tenancy import scoped

    template = await scoped(Template, bulk_world.tenant.id).create(user=bulk_world.customer.id, text="متن نمونه حراج")
    client = await customer_client(bulk_world, client_for)
    form = {
        "database_id": str(bulk_world.database.id),
        "values": ["G12"],
        "mode": "sequential",
        "count": "3",
        "text": "",
        "template_id": str(template.id),
    }
    page = await client.get("/bulk/guild")
    assert "متن نمونه حراج" in page.text
    calculated = await client.post_form("/bulk/guild/calculate", form)
    sent = await client.post_form("/bulk/guild/send", {**form, "calculation_id": calculation_id(calculated.text)})
    assert sent.status_code == 303
    bulk = await services.wait_finished(bulk_world.tenant.id, int(sent.headers["location"].rsplit("/", 1)[1]))
    assert bulk.text == "متن نمونه حراج" and bulk.status == "accepted"


async def test_sms_bulk_report_keeps_to_the_jalali_date_range(bulk_world, client_for):
    import jdatetime

    from payamak_sms_bulk.segments import Selection

    selection = Selection("guild", values=("G13",), mode="sequential", count=2)
    estimate = await services.calculate(bulk_world.customer, bulk_world.database.id, selection, TEXT)
    bulk = await services.request_send(bulk_world.customer, estimate.calculation.id, bulk_world.database.id, selection, TEXT)
    await services.wait_finished(bulk_world.tenant.id, bulk.id)
    client = await customer_client(bulk_world, client_for)
    from datetime import UTC, datetime

    from payamak.web.formatting import as_tehran

    today = jdatetime.date.fromgregorian(date=as_tehran(datetime.now(UTC)).date())
    long_ago = today - jdatetime.timedelta(days=60)
    current = await client.get("/bulk/report", params={"start": today.strftime("%Y/%m/%d"), "end": today.strftime("%Y/%m/%d")})
    assert f'data-bulk="{bulk.id}"' in current.text
    past = await client.get(
        "/bulk/report",
        params={"start": long_ago.strftime("%Y/%m/%d"), "end": (long_ago + jdatetime.timedelta(days=5)).strftime("%Y/%m/%d")},
    )
    assert past.status_code == 200 and f'data-bulk="{bulk.id}"' not in past.text
