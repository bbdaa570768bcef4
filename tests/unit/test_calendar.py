"""Working days: weekends, Swedish public holidays and the de facto ones (midsommarafton, julafton)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lotsen.calendar import STOCKHOLM, add_working_days, is_working_day


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 3, 2), True),  # a Monday
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 4, 3), False),  # långfredagen
        (date(2026, 4, 6), False),  # annandag påsk
        (date(2026, 6, 19), False),  # midsommarafton (de facto)
        (date(2026, 12, 24), False),  # julafton (de facto)
        (date(2026, 12, 31), False),  # nyårsafton (de facto)
        (date(2026, 1, 5), True),  # trettondagsafton: a half day, still a working day
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_two_working_days_keep_the_local_time() -> None:
    monday = datetime(2026, 3, 2, 9, 30, tzinfo=STOCKHOLM)
    assert add_working_days(monday, 2) == datetime(2026, 3, 4, 9, 30, tzinfo=STOCKHOLM)


def test_a_friday_contact_is_due_on_tuesday() -> None:
    friday = datetime(2026, 3, 6, 15, 0, tzinfo=STOCKHOLM)
    assert add_working_days(friday, 2) == datetime(2026, 3, 10, 15, 0, tzinfo=STOCKHOLM)


def test_easter_is_skipped() -> None:
    maundy_thursday = datetime(2026, 4, 2, 10, 0, tzinfo=STOCKHOLM)
    # Good Friday and Easter Monday are holidays: Tuesday 7th and Wednesday 8th April are the two days.
    assert add_working_days(maundy_thursday, 2) == datetime(2026, 4, 8, 10, 0, tzinfo=STOCKHOLM)


def test_a_weekend_contact_counts_from_monday_morning() -> None:
    saturday = datetime(2026, 3, 7, 11, 0, tzinfo=STOCKHOLM)
    assert add_working_days(saturday, 2) == datetime(2026, 3, 11, 0, 0, tzinfo=STOCKHOLM)


def test_the_answer_is_utc_and_daylight_saving_is_respected() -> None:
    # Summer time starts on 29 March 2026: 09:00 local is 08:00 UTC before and 07:00 UTC after.
    friday = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    due = add_working_days(friday, 2)
    assert due == datetime(2026, 3, 31, 7, 0, tzinfo=UTC)
    assert due.tzinfo == UTC


def test_zero_working_days_is_due_at_once() -> None:
    saturday = datetime(2026, 3, 7, 11, 0, tzinfo=STOCKHOLM)
    assert add_working_days(saturday, 0) == saturday
