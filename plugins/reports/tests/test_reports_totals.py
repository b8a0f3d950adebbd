"""8 Reports over a seeded month of traffic: totals and daily figures equal direct database
counts, with the line and status filters; pages, widgets and .xlsx downloads show the same."""

from __future__ import annotations

import io
import tracemalloc
from collections import Counter
from datetime import datetime, timedelta

from openpyxl import load_workbook

from payamak.i18n import localize_digits
from payamak.messaging.tables import InboundMessage, Recipient, SendJob
from payamak.web.formatting import TEHRAN, as_tehran
from payamak_reports import exports, services
from payamak_reports.services import Criteria


async def direct_rows(customer_id: int) -> list[dict]:
    """Every recipient row of the customer's sends with its send's day and line, read plainly."""
    jobs = {j["id"]: j for j in await SendJob.select(SendJob.id, SendJob.created_at, SendJob.line).where(SendJob.user == customer_id)}
    rows = await Recipient.select(Recipient.job, Recipient.status, Recipient.parts, Recipient.price).where(Recipient.job.is_in(list(jobs)))
    for row in rows:
        row["day"] = as_tehran(jobs[row["job"]]["created_at"]).date()
        row["line"] = jobs[row["job"]]["line"]
    return rows


def expected(rows: list[dict]) -> dict:
    groups = Counter()
    for r in rows:
        if r["status"] == "delivered":
            groups["delivered"] += 1
        elif r["status"] in ("undelivered", "failed", "expired"):
            groups["undelivered"] += 1
        elif r["status"] in ("cancelled", "blocked"):
            groups["not_sent"] += 1
        else:
            groups["pending"] += 1
    cost = sum(r["price"] for r in rows if r["status"] not in ("failed", "cancelled", "blocked"))
    return {"messages": len(rows), "parts": sum(r["parts"] for r in rows), "cost": cost, **groups}


def figures(f) -> dict:
    return {"messages": f.messages, "parts": f.parts, "cost": f.cost, **{k: v for k, v in f.groups.items() if v}}


async def test_sent_totals_and_days_equal_direct_database_counts_with_every_filter(month):
    customer = month.world.customer
    rows = await direct_rows(customer.id)
    today = datetime.now(TEHRAN).date()
    whole = Criteria(today - timedelta(days=29), today)
    total, series = await services.sent_report(customer, whole)
    assert figures(total) == expected(rows) and total.messages > 100
    for day, day_figures in series:
        assert figures(day_figures) == expected([r for r in rows if r["day"] == day])

    line = month.lines[1]
    by_line, _ = await services.sent_report(customer, Criteria(whole.first, whole.last, line=line.id))
    assert figures(by_line) == expected([r for r in rows if r["line"] == line.id])
    delivered, _ = await services.sent_report(customer, Criteria(whole.first, whole.last, status="delivered"))
    assert delivered.messages == sum(1 for r in rows if r["status"] == "delivered")
    pending, _ = await services.sent_report(customer, Criteria(whole.first, whole.last, status="pending"))
    assert pending.messages == sum(1 for r in rows if r["status"] in ("submitted", "queued"))

    week = Criteria(today - timedelta(days=6), today)
    week_total, week_series = await services.sent_report(customer, week)
    assert len(week_series) == 7
    assert figures(week_total) == expected([r for r in rows if r["day"] >= week.first])
    assert total.share("delivered") == round(100 * total.groups["delivered"] / total.messages, 1)


async def test_received_totals_equal_direct_database_counts(month):
    customer = month.world.customer
    today = datetime.now(TEHRAN).date()
    stored = await InboundMessage.select(InboundMessage.received_at, InboundMessage.line).where(InboundMessage.owner == customer.id)
    total, series = await services.received_report(customer, Criteria(today - timedelta(days=29), today))
    assert total == len(stored) > 0
    days = Counter(as_tehran(m["received_at"]).date() for m in stored)
    assert dict((d, n) for d, n in series if n) == dict(days)
    line = month.lines[0]
    by_line, _ = await services.received_report(customer, Criteria(today - timedelta(days=29), today, line=line.id))
    assert by_line == sum(1 for m in stored if m["line"] == line.id)


async def test_the_pages_show_the_totals_and_a_table_behind_each_chart_and_the_downloads_hold_every_row(month, client_for):
    world = month.world
    client = client_for(world.tenant)
    await client.login(world.customer)
    today = datetime.now(TEHRAN).date()
    query = {"date_from": services.jalali_text(today - timedelta(days=29)), "date_to": services.jalali_text(today)}
    total, _series = await services.sent_report(world.customer, Criteria(today - timedelta(days=29), today))

    page = await client.get("/reports/sent", params=query)
    assert page.status_code == 200
    assert f'data-total="messages">{localize_digits(total.messages)}<' in page.text
    assert f'data-total="parts">{localize_digits(total.parts)}<' in page.text
    assert page.text.count('<th scope="row">') == 30 and "<canvas data-chart=" in page.text

    sheet = await client.get("/reports/sent.xlsx", params=query)
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(sheet.content), read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == total.messages + 1

    received_total, _ = await services.received_report(world.customer, Criteria(today - timedelta(days=29), today))
    page = await client.get("/reports/received", params=query)
    assert f'data-total="received">{localize_digits(received_total)}<' in page.text
    sheet = await client.get("/reports/received.xlsx", params=query)
    rows = list(load_workbook(io.BytesIO(sheet.content), read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == received_total + 1

    bad = await client.get("/reports/sent", params={"date_from": "1403/13/40"})
    assert bad.status_code == 400


async def test_the_dashboard_shows_todays_sends_the_delivery_rate_and_the_last_30_days(month, client_for):
    world = month.world
    client = client_for(world.tenant)
    await client.login(world.customer)
    today = datetime.now(TEHRAN).date()
    today_figures, _ = await services.sent_report(world.customer, Criteria(today, today))
    page = await client.get("/")
    assert f'data-total="today-messages">{localize_digits(today_figures.messages)}<' in page.text
    assert f'data-total="today-rate">{services.percent(today_figures.delivery_rate)}<' in page.text
    assert 'id="traffic-30"' in page.text


async def test_an_export_of_a_large_range_stays_flat_in_memory(month):
    """Peak memory while exporting grows with the chunk, not with the rows of the range."""
    customer = month.world.customer
    today = datetime.now(TEHRAN).date()
    whole = Criteria(today - timedelta(days=29), today)
    job = await SendJob.select(SendJob.id).where(SendJob.user == customer.id).first()

    async def peak() -> tuple[int, int]:
        tracemalloc.start()
        path, rows = await exports.export_sent(customer, whole, chunk=200)
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        path.unlink()
        return top, rows

    small_peak, small_rows = await peak()
    filler = [Recipient(tenant=month.world.tenant.id, job=job["id"], number=f"98935{n:07d}", status="delivered") for n in range(8_000)]
    for start in range(0, len(filler), 2000):
        await Recipient.insert(*filler[start : start + 2000])
    large_peak, large_rows = await peak()
    assert large_rows == small_rows + 8_000
    assert large_peak < small_peak * 2 + 2_000_000
