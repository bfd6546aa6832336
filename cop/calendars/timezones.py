"""VTIMEZONE from the tz database, written as yearly RRULEs (the form Outlook and Google write).

icalendar's own `Timezone.from_tzinfo` writes one multi-value RDATE per kind of
transition; ical.js misreads those lists and puts later years an hour out. Here
the transitions are read from zoneinfo year by year, each is described as "the
last (or n-th) weekday of a month at a wall-clock time", and consecutive years
that share a description become one STANDARD or DAYLIGHT component with
FREQ=YEARLY. A change of rule in the tz database starts a new component, so the
result stays exact for any range of years.
"""
import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    """One change of a zone's offset: when (UTC), from which offset, to which, and its name."""

    utc: datetime  # naive UTC
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def local_start(self) -> datetime:
        # RFC 5545: a component's DTSTART is in the wall-clock time in force before the change.
        return self.utc + self.offset_from

    @property
    def rule(self) -> tuple:
        """What makes two years' transitions the same yearly rule."""
        local = self.local_start
        return (self.is_dst, local.month, by_day_ordinal(local.date()), local.weekday(), local.time(),
                self.offset_from, self.offset_to, self.name)


def by_day_ordinal(day: date) -> int:
    """-1 for the last such weekday of its month, else 1..4 for the first..fourth."""
    if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
        return -1
    return (day.day - 1) // 7 + 1


def _offset(zone: ZoneInfo, utc: datetime) -> timedelta:
    offset = utc.replace(tzinfo=timezone.utc).astimezone(zone).utcoffset()
    assert offset is not None  # a time in a ZoneInfo zone always has one
    return offset


@lru_cache(maxsize=512)
def transitions_in(zone_key: str, year: int) -> tuple[Transition, ...]:
    """The zone's offset changes during one year, found by day steps and a binary search to the minute."""
    zone = ZoneInfo(zone_key)
    found = []
    day = datetime(year, 1, 1)
    end = datetime(year + 1, 1, 1)
    while day < end:
        following = day + timedelta(days=1)
        before, after = _offset(zone, day), _offset(zone, following)
        if before != after:
            low, high = day, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if _offset(zone, middle) == before:
                    low = middle
                else:
                    high = middle
            local = high.replace(tzinfo=timezone.utc).astimezone(zone)
            found.append(Transition(high, before, after, local.tzname() or "", bool(local.dst())))
        day = following
    return tuple(found)


def vtimezone(zone_key: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE correct for the years first_year..last_year (and, while the rule holds, after).

    It starts a year early so that times early in first_year fall after a component's DTSTART.
    """
    zone = ZoneInfo(zone_key)
    component = Timezone()
    component.add("tzid", zone_key)
    component.add("x-lic-location", zone_key)
    changes = [t for year in range(first_year - 1, last_year + 1) for t in transitions_in(zone_key, year)]
    if not changes:
        start = datetime(first_year - 1, 1, 1)
        offset = _offset(zone, start)
        standard = TimezoneStandard()
        standard.add("dtstart", start)
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", start.replace(tzinfo=timezone.utc).astimezone(zone).tzname())
        component.add_component(standard)
        return component
    for is_dst in (True, False):
        for run, is_last_run in _runs([t for t in changes if t.is_dst == is_dst]):
            component.add_component(_observance(run, open_ended=is_last_run and run[-1].utc.year == last_year))
    return component


def _runs(changes: list[Transition]):
    """Consecutive years whose transitions follow the same yearly rule, with a flag on the last run."""
    runs: list[list[Transition]] = []
    for change in changes:
        previous = runs[-1][-1] if runs else None
        if previous and previous.rule == change.rule and change.utc.year == previous.utc.year + 1:
            runs[-1].append(change)
        else:
            runs.append([change])
    return [(run, index == len(runs) - 1) for index, run in enumerate(runs)]


def _observance(run: list[Transition], open_ended: bool):
    first = run[0]
    observance = TimezoneDaylight() if first.is_dst else TimezoneStandard()
    observance.add("dtstart", first.local_start)
    observance.add("tzoffsetfrom", first.offset_from)
    observance.add("tzoffsetto", first.offset_to)
    observance.add("tzname", first.name)
    if len(run) > 1 or open_ended:
        local = first.local_start
        rule = {
            "freq": "YEARLY",
            "bymonth": local.month,
            "byday": f"{by_day_ordinal(local.date())}{WEEKDAYS[local.weekday()]}",
        }
        if not open_ended:
            rule["until"] = run[-1].utc.replace(tzinfo=timezone.utc)
        observance.add("rrule", vRecur(rule))
    return observance
