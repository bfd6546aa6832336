"""Series rules: nth or last weekday every one, two or three months, or chosen dates."""
from datetime import date, time

import pytest

from cop.events.scheduling import SeriesRule, nth_weekday, occurrence_dates, occurrence_times
from cop.events.times import NonexistentLocalTime

TUESDAY, THURSDAY, SUNDAY = 1, 3, 6


def test_second_tuesday_of_each_month():
    rule = SeriesRule("monthly", starts_on=date(2026, 9, 1), weekday=TUESDAY, week_of_month=2, count=5)
    assert occurrence_dates(rule) == [
        date(2026, 9, 8), date(2026, 10, 13), date(2026, 11, 10), date(2026, 12, 8), date(2027, 1, 12),
    ]


def test_a_month_whose_day_has_passed_starts_the_series_next_month():
    rule = SeriesRule("monthly", starts_on=date(2026, 9, 9), weekday=TUESDAY, week_of_month=2, count=2)
    assert occurrence_dates(rule) == [date(2026, 10, 13), date(2026, 11, 10)]


def test_last_thursday_up_to_an_until_date():
    rule = SeriesRule("monthly", starts_on=date(2026, 1, 1), weekday=THURSDAY, week_of_month=-1,
                      until=date(2026, 5, 28))
    assert occurrence_dates(rule) == [
        date(2026, 1, 29), date(2026, 2, 26), date(2026, 3, 26), date(2026, 4, 30), date(2026, 5, 28),
    ]


def test_bimonthly_first_tuesday():
    rule = SeriesRule("bimonthly", starts_on=date(2026, 1, 1), weekday=TUESDAY, week_of_month=1, count=4)
    assert occurrence_dates(rule) == [date(2026, 1, 6), date(2026, 3, 3), date(2026, 5, 5), date(2026, 7, 7)]


def test_quarterly_third_thursday_across_a_new_year():
    rule = SeriesRule("quarterly", starts_on=date(2026, 10, 1), weekday=THURSDAY, week_of_month=3, count=3)
    assert occurrence_dates(rule) == [date(2026, 10, 15), date(2027, 1, 21), date(2027, 4, 15)]


def test_chosen_dates_are_sorted_and_not_doubled():
    rule = SeriesRule("dates", dates=[date(2027, 2, 1), date(2026, 11, 3), date(2027, 2, 1)])
    assert occurrence_dates(rule) == [date(2026, 11, 3), date(2027, 2, 1)]


def test_a_recurring_rule_needs_a_count_or_an_end():
    with pytest.raises(ValueError):
        occurrence_dates(SeriesRule("monthly", starts_on=date(2026, 1, 1), weekday=1, week_of_month=2))


def test_the_fifth_week_is_not_needed_for_last():
    assert nth_weekday(2026, 12, TUESDAY, -1) == date(2026, 12, 29)
    assert nth_weekday(2026, 2, SUNDAY, -1) == date(2026, 2, 22)


def test_sessions_keep_their_wall_clock_time_across_the_clock_changes():
    dates = [date(2026, 3, 10), date(2026, 4, 14), date(2026, 10, 13), date(2026, 11, 10)]
    starts = [s for s, _ in occurrence_times(dates, time(18), time(21))]
    assert [s.hour for s in starts] == [18, 17, 17, 18]  # 6pm GMT, 6pm BST, 6pm BST, 6pm GMT


def test_last_sunday_of_march_at_half_past_one_does_not_exist():
    rule = SeriesRule("monthly", starts_on=date(2026, 3, 1), weekday=SUNDAY, week_of_month=-1, count=2)
    with pytest.raises(NonexistentLocalTime):
        occurrence_times(occurrence_dates(rule), time(1, 30), time(3, 0))
