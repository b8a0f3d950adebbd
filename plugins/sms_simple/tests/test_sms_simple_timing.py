"""Send times: the form's Jalali date and time, and the time cells of peer-to-peer rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from payamak.errors import DomainError
from payamak_sms_simple import timing

NOW = datetime(2024, 8, 2, 6, 0, tzinfo=UTC)  # 1403/05/12 09:30 in Tehran


def test_a_jalali_date_and_time_in_persian_or_latin_digits_is_tehran_time():
    assert timing.form_send_time("۱۴۰۳/۰۵/۱۲", "۱۴:۳۰", NOW) == datetime(2024, 8, 2, 11, 0, tzinfo=UTC)
    assert timing.form_send_time(" 1403-5-12 ", "14:30", NOW) == datetime(2024, 8, 2, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("date", "time", "code"),
    [
        ("", "10:00", "schedule.no_date"),
        ("1403/12/31", "10:00", "schedule.bad_date"),  # Esfand has at most 30 days
        ("12/05/1403", "10:00", "schedule.bad_date"),
        ("1403/05/13", "24:00", "schedule.bad_time"),
        ("1403/05/13", "", "schedule.bad_time"),
        ("1403/05/12", "09:30", "schedule.past"),
        ("1403/05/11", "23:00", "schedule.past"),
    ],
)
def test_a_missing_impossible_or_past_time_is_refused_with_its_reason(date, time, code):
    with pytest.raises(DomainError) as refused:
        timing.form_send_time(date, time, NOW)
    assert refused.value.code == code


def test_row_times_accept_text_and_spreadsheet_date_times_and_refuse_the_rest():
    assert timing.row_send_time("", NOW) is None and timing.row_send_time(None, NOW) is None
    assert timing.row_send_time("۱۴۰۳/۵/۱۲  ۱۴:۳۰", NOW) == datetime(2024, 8, 2, 11, 0, tzinfo=UTC)
    assert timing.row_send_time("1403/05/12 14:30:00", NOW) == datetime(2024, 8, 2, 11, 0, tzinfo=UTC)
    assert timing.row_send_time(datetime(2024, 8, 2, 14, 30), NOW) == datetime(2024, 8, 2, 11, 0, tzinfo=UTC)
    for bad in ("1403/5/12", "tomorrow", 45000.5, "1403/5/32 10:00"):
        with pytest.raises(DomainError) as refused:
            timing.row_send_time(bad, NOW)
        assert refused.value.code == "schedule.bad_row_time"
    with pytest.raises(DomainError) as past:
        timing.row_send_time("1403/5/12 09:00", NOW)
    assert past.value.code == "schedule.past"
