"""Series, events and venues, and who came (attendance)."""
import uuid
from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.communities.models import Community
from cop.extensions import Model
from cop.people.models import Person

FORMATS = {
    "big_room": "Big Room",
    "action_learning_set": "Action learning set",
    "assembly": "Assembly",
}
EVENT_STATUSES = ("draft", "published", "cancelled")
ATTENDANCE_MODES = {"in_person": "In person", "online": "Online", "hybrid": "Hybrid (in person or online)"}
# Which week of the month a monthly (or two- or three-monthly) series meets in; -1 is the last.
WEEKS_OF_MONTH = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", -1: "Last"}
WEEKDAYS = {0: "Monday", 1: "Tuesday", 2: "Wednesday", 3: "Thursday", 4: "Friday", 5: "Saturday", 6: "Sunday"}
SERIES_ROLES = {"member": "Member", "facilitator": "Facilitator"}
RECURRENCES = {
    "monthly": "Monthly",
    "bimonthly": "Every two months",
    "quarterly": "Every three months",
    "dates": "Chosen dates",
}


def new_event_uid() -> str:
    return f"{uuid.uuid4()}@cop"


class Venue(Model):
    __tablename__ = "venue"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None]
    access_information: Mapped[str] = mapped_column(Text, default="")
    # The room's saved table layout: capacities in table order, e.g. [10, 10, 8].
    table_layout: Mapped[list] = mapped_column(JSON, default=list)

    community: Mapped[Community] = relationship()


class Series(Model):
    """Recurring events: "second Tuesday of the month", every two or three months, or chosen dates."""

    __tablename__ = "series"
    __table_args__ = (
        CheckConstraint("format IN ('big_room', 'action_learning_set', 'assembly')", name="format_known"),
        CheckConstraint("recurrence IN ('monthly', 'bimonthly', 'quarterly', 'dates')", name="recurrence_known"),
        CheckConstraint("weekday IS NULL OR weekday BETWEEN 0 AND 6", name="weekday_known"),
        CheckConstraint("week_of_month IS NULL OR week_of_month IN (1, 2, 3, 4, -1)", name="week_of_month_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(30))
    recurrence: Mapped[str] = mapped_column(String(20))
    # The rule the occurrences were generated from ("second Tuesday", Europe/London wall-clock
    # times); the occurrences themselves are Event rows, each movable on its own.
    weekday: Mapped[int | None]
    week_of_month: Mapped[int | None]
    starts_on: Mapped[date | None]
    until_date: Mapped[date | None]
    occurrence_count: Mapped[int | None]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship()
    events: Mapped[list["Event"]] = relationship(back_populates="series", order_by="Event.starts_at")
    members: Mapped[list["SeriesMember"]] = relationship(
        back_populates="series", cascade="all, delete-orphan", order_by="SeriesMember.id"
    )

    @property
    def format_label(self) -> str:
        return FORMATS[self.format]


class SeriesMember(Model):
    """A closed series' fixed membership: an action learning set meets with the same people each time."""

    __tablename__ = "series_member"
    __table_args__ = (
        UniqueConstraint("series_id", "person_id", name="uq_series_member_series_person"),
        CheckConstraint("role IN ('member', 'facilitator')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")

    series: Mapped[Series] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()


class Theme(Model):
    """A theme of the community's year ("Frailty" in March): events carry it, calendars say it as CATEGORIES.
    The year's planning pages are cop.programme's; the theme is the event's, so feeds below can read it."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_theme_community_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # The month it is planned for (its first day); None: not placed in the year yet.
    month: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship()


class Event(Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("format IN ('big_room', 'action_learning_set', 'assembly')", name="format_known"),
        CheckConstraint("status IN ('draft', 'published', 'cancelled')", name="status_known"),
        CheckConstraint("attendance_mode IN ('in_person', 'online', 'hybrid')", name="attendance_mode_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"), index=True)
    # A calendar UID that never changes, so clients update the event instead of adding another.
    uid: Mapped[str] = mapped_column(String(100), unique=True, default=new_event_uid)
    format: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Times are stored in UTC (naive); pages show and forms take Europe/London.
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="SET NULL"))
    online_url: Mapped[str] = mapped_column(String(500), default="")
    attendance_mode: Mapped[str] = mapped_column(String(20), default="in_person")
    capacity: Mapped[int | None]
    rsvp_deadline: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # Private events (an action learning set's sessions) never appear in the community feed.
    is_public: Mapped[bool] = mapped_column(default=True)
    # Raised on every change of time, place or status (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    speakers: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    has_meal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    community: Mapped[Community] = relationship()
    series: Mapped[Series | None] = relationship(back_populates="events")
    venue: Mapped[Venue | None] = relationship()
    theme: Mapped[Theme | None] = relationship()

    @property
    def format_label(self) -> str:
        return FORMATS[self.format]


class Attendance(Model):
    """Someone who was at the event: checked in at the door, or added there as a walk-in."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("event_id", "person_id", name="uq_attendance_event_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    walk_in: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()


DOOR_ACTIONS = {"checked_in": "checked in", "walk_in": "added as a walk-in", "check_in_undone": "check-in undone",
                "no_show": "marked as not coming", "no_show_undone": "no-show undone"}


class NoShow(Model):
    """Someone with a confirmed place whom the door has marked as not coming (explicitly, not by absence)."""

    __tablename__ = "no_show"
    __table_args__ = (UniqueConstraint("event_id", "person_id", name="uq_no_show_event_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class DoorRecord(Model):
    """What happened at the door, and who did it: check-ins, walk-ins, no-shows and their undoing. Kept when
    a check-in is undone (a volunteer taps the wrong "Ben Walker"), so the door's story can be told."""

    __tablename__ = "door_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    by: Mapped[Person | None] = relationship(foreign_keys=[by_person_id])

    @property
    def label(self) -> str:
        return DOOR_ACTIONS.get(self.action, self.action)
