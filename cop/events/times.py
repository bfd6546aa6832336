"""Europe/London on the page, naive UTC in the database, correct across the clock changes.

In the spring gap (01:00-02:00 on the last Sunday of March) local times do not exist,
so they are refused; in the autumn fold (01:00-02:00 on the last Sunday of October)
they happen twice, and the first (still British Summer Time) is meant.
"""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped when the clocks go forward."""

    def __init__(self, day: date, at: time):
        self.day = day
        self.at = at
        super().__init__(
            f"{format_clock(at)} on {format_day(day)} does not exist in the UK: the clocks go forward "
            "from 1am to 2am that night. Choose another time"
        )


def to_utc(day: date, at: time) -> datetime:
    """The naive UTC instant of a Europe/London wall-clock time; the first one in the autumn fold."""
    local = datetime.combine(day, at, tzinfo=LONDON).replace(fold=0)
    as_utc = local.astimezone(timezone.utc)
    # A time in the spring gap does not survive the round trip back to local time.
    if as_utc.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(day, at)
    return as_utc.replace(tzinfo=None)


def to_london(utc: datetime) -> datetime:
    """An aware Europe/London datetime for a naive UTC one from the database."""
    return utc.replace(tzinfo=timezone.utc).astimezone(LONDON)


def london_now() -> datetime:
    return datetime.now(LONDON)


def format_clock(at: time) -> str:
    """6pm, 6:30pm, midday, midnight (the NHS.UK and GOV.UK style)."""
    if at.hour == 0 and at.minute == 0:
        return "midnight"
    if at.hour == 12 and at.minute == 0:
        return "midday"
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour}{suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d}{suffix}"


def format_day(day: date) -> str:
    """Tuesday 8 December 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def format_when(starts_at: datetime, ends_at: datetime) -> str:
    """"Tuesday 8 December 2026, 6pm to 9pm" from naive UTC start and end."""
    start, end = to_london(starts_at), to_london(ends_at)
    if start.date() == end.date():
        return f"{format_day(start.date())}, {format_clock(start.time())} to {format_clock(end.time())}"
    return (
        f"{format_day(start.date())}, {format_clock(start.time())} to "
        f"{format_day(end.date())}, {format_clock(end.time())}"
    )


def format_moment(utc: datetime) -> str:
    """"6pm on Tuesday 1 December 2026" from a naive UTC datetime."""
    local = to_london(utc)
    return f"{format_clock(local.time())} on {format_day(local.date())}"
