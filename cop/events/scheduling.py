"""Scheduling: events and series, their occurrences, moving, publishing and cancelling.

Every change of time, place or status raises the event's SEQUENCE, so calendars
replace the old copy. Moving or cancelling a published event tells everyone invited,
through the outbox, in the same transaction as the change (the caller commits).
"""
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from cop.clock import utcnow
from cop.communities.models import Community
from cop.events import signals
from cop.events.formats import FORMAT_DEFAULTS
from cop.events.models import Event, Series, SeriesMember, Venue
from cop.events.times import to_london, to_utc
from cop.extensions import db
from cop.people.models import Person

MONTHS_BETWEEN = {"monthly": 1, "bimonthly": 2, "quarterly": 3}
# A guard against a rule that would run for decades: five years of monthly sessions.
MAX_OCCURRENCES = 60


class EventCancelled(ValueError):
    """A cancelled event stays cancelled: it cannot be moved or published again."""


@dataclass(kw_only=True)
class EventContent:
    """What an event has besides its title and times: place, capacity and programme. The one type the
    forms (`content()`), scheduling and views pass around; the kinds of edit below add their times."""

    description: str = ""
    venue: Venue | None = None
    online_url: str = ""
    attendance_mode: str = "in_person"
    capacity: int | None = None
    speakers: str = ""
    agenda: str = ""
    has_meal: bool = False

    def as_fields(self) -> dict:
        """The content's fields alone, to build another kind of edit from (shallow: the venue is not copied)."""
        return {f.name: getattr(self, f.name) for f in fields(EventContent)}


@dataclass(kw_only=True)
class EventDetails(EventContent):
    """What an organiser enters for one event, with its times already in naive UTC."""

    title: str
    starts_at: datetime
    ends_at: datetime
    rsvp_deadline: datetime | None = None


def _apply(event: Event, details: EventDetails) -> set[str]:
    """Copy the details onto the event; say whether its time or place changed."""
    own = FORMAT_DEFAULTS[event.format].own_fields
    with db.session.no_autoflush:  # a new event is not complete until the end of this function
        return _copy_details(event, details, own)


def _copy_details(event: Event, details: EventDetails, own: tuple[str, ...]) -> set[str]:
    changed = set()
    if (event.starts_at, event.ends_at) != (details.starts_at, details.ends_at):
        changed.add("time")
    if event.title is not None and event.title != details.title.strip():
        changed.add("title")  # what every calendar shows: sent like a move
    venue_id = details.venue.id if details.venue else None
    if (event.venue_id, event.online_url or "", event.attendance_mode) != (
        venue_id, details.online_url, details.attendance_mode
    ):
        changed.add("place")
    event.title = details.title.strip()
    event.description = details.description.strip()
    event.starts_at, event.ends_at = details.starts_at, details.ends_at
    event.venue = details.venue
    event.online_url = details.online_url.strip()
    event.attendance_mode = details.attendance_mode
    event.capacity = details.capacity
    event.rsvp_deadline = details.rsvp_deadline
    event.speakers = details.speakers.strip() if "speakers" in own else ""
    event.agenda = details.agenda.strip() if "agenda" in own else ""
    event.has_meal = bool(details.has_meal) if "has_meal" in own else False
    return changed


def touch_events(events) -> None:
    """Their calendar text changed though their own columns did not (a venue's address, a series'
    title): a new LAST-MODIFIED, so every feed's validator changes and clients fetch again."""
    now = utcnow()
    for event in events:
        event.updated_at = now


def tell_of_venue_change(venue: Venue, before: dict[int, signals.WhenAndWhere],
                         changed_by: Person | None = None) -> int:
    """A venue's name or address changed: each event held there is revised (LAST-MODIFIED), and
    each published one still to come gets a higher SEQUENCE and is mailed to everyone invited,
    as a move is. `before` holds each event's time and place as they read before the change."""
    events = list(db.session.execute(select(Event).where(Event.venue_id == venue.id)).scalars())
    touch_events(events)
    told = 0
    now = utcnow()
    for event in events:
        if event.status == "published" and event.ends_at > now and event.id in before:
            _raise_sequence(event)
            db.session.flush()
            signals.moved.send(event, before=before[event.id], changed_by=changed_by)
            told += 1
    return told


def _raise_sequence(event: Event) -> None:
    event.sequence = (event.sequence or 0) + 1
    event.updated_at = utcnow()


def create_event(
    community: Community, format: str, details: EventDetails, publish: bool = False, series: Series | None = None
) -> Event:
    event = Event(
        community=community, format=format, series=series, sequence=0,
        status="published" if publish else "draft", is_public=FORMAT_DEFAULTS[format].is_public,
    )
    db.session.add(event)
    _apply(event, details)
    return event


def update_event(event: Event, details: EventDetails, changed_by: Person | None = None) -> set[str]:
    """Save an organiser's edit; a new time, place or title of a published event is mailed to everyone invited."""
    if event.status == "cancelled":
        raise EventCancelled("This event has been cancelled, so it cannot be changed")
    before = signals.when_and_where(event)
    capacity_before = event.capacity
    changed = _apply(event, details)
    if event.status == "published" and _more_room(capacity_before, event.capacity):
        # Places freed by a raised capacity go to the waitlist, in order, as offers.
        db.session.flush()
        signals.places_added.send(event)
    if changed:
        _raise_sequence(event)
        if event.status == "published":
            db.session.flush()
            signals.moved.send(event, before=before, changed_by=changed_by)
    return changed


def _more_room(before: int | None, after: int | None) -> bool:
    return before is not None and (after is None or after > before)


def publish_event(event: Event) -> bool:
    """Make a draft visible to the community; False when it was already published."""
    if event.status == "cancelled":
        raise EventCancelled("This event has been cancelled, so it cannot be published")
    if event.status == "published":
        return False
    event.status = "published"
    _raise_sequence(event)
    return True


def cancel_event(event: Event, changed_by: Person | None = None, note: str = "") -> bool:
    """Cancel the event; False when it already was. The invited hear of it if it was published."""
    if event.status == "cancelled":
        return False
    was_published = event.status == "published"
    event.status = "cancelled"
    _raise_sequence(event)
    if was_published:
        db.session.flush()
        signals.cancelled.send(event, changed_by=changed_by, note=note.strip())
    return True


# --- series -----------------------------------------------------------------------------------


@dataclass
class SeriesRule:
    """When a series meets: the nth (or last) weekday every 1, 2 or 3 months, or chosen dates."""

    recurrence: str
    starts_on: date | None = None
    weekday: int | None = None
    week_of_month: int | None = None
    count: int | None = None
    until: date | None = None
    dates: list[date] = field(default_factory=list)


def nth_weekday(year: int, month: int, weekday: int, week_of_month: int) -> date:
    """The second Tuesday (week_of_month 2, weekday 1), or with -1 the last one, of a month."""
    if week_of_month == -1:
        last = date(year, month, monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week_of_month - 1))


def occurrence_dates(rule: SeriesRule) -> list[date]:
    """The dates a rule gives, in order, stopping at its count or its until-date."""
    if rule.recurrence == "dates":
        return sorted(set(rule.dates))[:MAX_OCCURRENCES]
    if rule.count is None and rule.until is None:
        raise ValueError("A recurring series needs a number of sessions or an end date")
    starts_on, weekday, week_of_month = rule.starts_on, rule.weekday, rule.week_of_month
    if starts_on is None or weekday is None or week_of_month is None:
        raise ValueError("A recurring series needs a first date, a weekday and a week of the month")
    step = MONTHS_BETWEEN[rule.recurrence]
    month_index = starts_on.year * 12 + starts_on.month - 1
    if nth_weekday(starts_on.year, starts_on.month, weekday, week_of_month) < starts_on:
        month_index += 1  # this month's has gone: the series begins next month
    dates: list[date] = []
    while len(dates) < MAX_OCCURRENCES:
        day = nth_weekday(month_index // 12, month_index % 12 + 1, weekday, week_of_month)
        if rule.until is not None and day > rule.until:
            break
        dates.append(day)
        if rule.count is not None and len(dates) >= rule.count:
            break
        month_index += step
    return dates


def occurrence_times(dates: list[date], starts: time, ends: time) -> list[tuple[datetime, datetime]]:
    """UTC start and end of each date's session; raises NonexistentLocalTime in the spring gap."""
    return [(to_utc(day, starts), to_utc(day, ends)) for day in dates]


def deadline_before(starts_at: datetime, days: int | None) -> datetime | None:
    """The same wall-clock time `days` days before the start (so not an hour out across a clock change)."""
    if days is None:
        return None
    local = to_london(starts_at) - timedelta(days=days)  # aware arithmetic keeps the wall clock
    return local.astimezone(timezone.utc).replace(tzinfo=None)


@dataclass(kw_only=True)
class OccurrenceTemplate(EventContent):
    """What every session of a new series shares."""

    rsvp_days_before: int | None = None


def create_series(
    community: Community,
    format: str,
    title: str,
    rule: SeriesRule,
    starts: time,
    ends: time,
    template: OccurrenceTemplate,
    members: Sequence[Person] = (),
    facilitators: Sequence[Person] = (),
    publish: bool = False,
) -> Series:
    """A series and one Event per occurrence; raises NonexistentLocalTime before adding anything."""
    dates = occurrence_dates(rule)
    times = occurrence_times(dates, starts, ends)
    series = Series(
        community=community, title=title.strip(), format=format, recurrence=rule.recurrence,
        weekday=rule.weekday if rule.recurrence != "dates" else None,
        week_of_month=rule.week_of_month if rule.recurrence != "dates" else None,
        starts_on=dates[0] if dates else rule.starts_on, until_date=rule.until,
        occurrence_count=len(dates), start_time=starts, end_time=ends,
    )
    db.session.add(series)
    for someone in members:
        series.members.append(SeriesMember(person=someone, role="member"))
    for someone in facilitators:
        series.members.append(SeriesMember(person=someone, role="facilitator"))
    for starts_at, ends_at in times:
        details = EventDetails(title=title, starts_at=starts_at, ends_at=ends_at,
                               rsvp_deadline=deadline_before(starts_at, template.rsvp_days_before),
                               **template.as_fields())
        create_event(community, format, details, publish=publish, series=series)
    return series


def series_members(series: Series, role: str | None = None) -> list[Person]:
    """The fixed members (and facilitators) of a closed series, for inviting them to every session."""
    return [m.person for m in series.members if role is None or m.role == role]


@dataclass(kw_only=True)
class OccurrenceChanges(EventContent):
    """An organiser's edit of one occurrence, in Europe/London wall-clock terms."""

    title: str
    day: date
    starts: time
    ends: time
    rsvp_deadline: datetime | None = None  # naive UTC, for the chosen occurrence


def following_occurrences(event: Event) -> list[Event]:
    """This occurrence and the later ones of its series that still take place."""
    if event.series_id is None:
        return [event]
    return list(
        db.session.execute(
            select(Event)
            .where(Event.series_id == event.series_id, Event.starts_at >= event.starts_at,
                   Event.status != "cancelled")
            .order_by(Event.starts_at, Event.id)
        ).scalars()
    )


def edit_occurrences(
    event: Event, changes: OccurrenceChanges, scope: str, changed_by: Person | None = None
) -> list[Event]:
    """Apply an edit to this occurrence only ("this") or to it and the later ones ("following").

    For "following", a change of date moves each later occurrence by the same number of
    days, and the new clock times apply to each on its own date (so they stay right
    across a clock change). All new times are worked out before anything changes.
    """
    if event.status == "cancelled":
        raise EventCancelled("This event has been cancelled, so it cannot be changed")
    targets = [event] if scope == "this" else following_occurrences(event)
    shift = changes.day - to_london(event.starts_at).date()
    new_start = to_utc(changes.day, changes.starts)
    deadline_lead = new_start - changes.rsvp_deadline if changes.rsvp_deadline else None
    planned = []
    for target in targets:
        day = to_london(target.starts_at).date() + shift
        starts_at, ends_at = to_utc(day, changes.starts), to_utc(day, changes.ends)
        # Later occurrences keep the chosen one's lead time between deadline and start.
        deadline = starts_at - deadline_lead if deadline_lead is not None else None
        if target is event:
            deadline = changes.rsvp_deadline
        planned.append((target, starts_at, ends_at, deadline))
    for target, starts_at, ends_at, deadline in planned:
        update_event(target, EventDetails(title=changes.title, starts_at=starts_at, ends_at=ends_at,
                                          rsvp_deadline=deadline, **changes.as_fields()), changed_by)
    if scope == "following" and event.series is not None:
        # The series' rule now describes its future sessions.
        if event.series.title != changes.title.strip():
            touch_events(event.series.events)  # every session's description quotes the series' title
        event.series.title = changes.title.strip()
        event.series.start_time, event.series.end_time = changes.starts, changes.ends
    return targets
