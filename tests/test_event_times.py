"""Europe/London <-> UTC across the clock changes (last Sundays of March and October)."""
from datetime import date, datetime, time

import pytest

from cop.events.times import NonexistentLocalTime, format_when, to_london, to_utc

SPRING_2026 = date(2026, 3, 29)  # clocks go forward at 1am GMT to 2am BST
AUTUMN_2026 = date(2026, 10, 25)  # clocks go back at 2am BST to 1am GMT


def test_winter_time_is_utc_and_summer_time_is_an_hour_ahead():
    assert to_utc(date(2026, 12, 8), time(18)) == datetime(2026, 12, 8, 18)
    assert to_utc(date(2026, 7, 14), time(18)) == datetime(2026, 7, 14, 17)


def test_the_day_the_clocks_go_forward():
    assert to_utc(SPRING_2026, time(0, 30)) == datetime(2026, 3, 29, 0, 30)  # still GMT
    assert to_utc(SPRING_2026, time(2, 0)) == datetime(2026, 3, 29, 1, 0)  # now BST
    assert to_utc(SPRING_2026, time(18, 0)) == datetime(2026, 3, 29, 17, 0)
    # The Saturday evening before is GMT, the Sunday evening BST.
    assert to_utc(date(2026, 3, 28), time(18)) == datetime(2026, 3, 28, 18)


@pytest.mark.parametrize("missing", [time(1, 0), time(1, 30), time(1, 59)])
def test_a_time_in_the_spring_gap_is_refused_with_a_clear_message(missing):
    with pytest.raises(NonexistentLocalTime) as refused:
        to_utc(SPRING_2026, missing)
    assert "does not exist" in str(refused.value)
    assert "Sunday 29 March 2026" in str(refused.value)


def test_the_gap_is_found_in_other_years_too():
    with pytest.raises(NonexistentLocalTime):
        to_utc(date(2027, 3, 28), time(1, 15))


def test_a_time_in_the_autumn_fold_is_the_first_of_the_two():
    # 1:30am happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT): the first is meant.
    assert to_utc(AUTUMN_2026, time(1, 30)) == datetime(2026, 10, 25, 0, 30)
    assert to_utc(AUTUMN_2026, time(0, 30)) == datetime(2026, 10, 24, 23, 30)
    assert to_utc(AUTUMN_2026, time(2, 0)) == datetime(2026, 10, 25, 2, 0)
    assert to_utc(AUTUMN_2026, time(18, 0)) == datetime(2026, 10, 25, 18, 0)


def test_utc_back_to_london_on_both_sides_of_each_change():
    assert to_london(datetime(2026, 3, 29, 0, 59)).strftime("%H:%M %Z") == "00:59 GMT"
    assert to_london(datetime(2026, 3, 29, 1, 0)).strftime("%H:%M %Z") == "02:00 BST"
    assert to_london(datetime(2026, 10, 25, 0, 30)).strftime("%H:%M %Z") == "01:30 BST"
    assert to_london(datetime(2026, 10, 25, 1, 30)).strftime("%H:%M %Z") == "01:30 GMT"


def test_dates_are_shown_the_nhs_way():
    assert format_when(datetime(2026, 12, 8, 18), datetime(2026, 12, 8, 21)) == "Tuesday 8 December 2026, 6pm to 9pm"
    assert format_when(datetime(2026, 7, 14, 8, 30), datetime(2026, 7, 14, 11)) == \
        "Tuesday 14 July 2026, 9:30am to midday"
    assert (format_when(datetime(2026, 12, 8, 22), datetime(2026, 12, 9, 1))
            == "Tuesday 8 December 2026, 10pm to Wednesday 9 December 2026, 1am")
