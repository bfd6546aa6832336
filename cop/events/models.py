"""Series, events and venues, and who came (attendance)."""
import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.communities.models import Community
from cop.extensions import db
from cop.people.models import Person, utcnow

FORMATS = {
    "big_room": "Big Room",
    "action_learning_set": "Action learning set",
    "assembly": "Assembly",
}
EVENT_STATUSES = ("draft", "published", "cancelled")
ATTENDANCE_MODES = {"in_person": "In person", "online": "Online", "hybrid": "Hybrid (in person or online)"}
RECURRENCES = {
    "monthly": "Monthly",
    "bimonthly": "Every two months",
    "quarterly": "Every three months",
    "dates": "Chosen dates",
}


def new_event_uid() -> str:
    return f"{uuid.uuid4()}@cop"


class Venue(db.Model):
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


class Series(db.Model):
    """Recurring events: "second Tuesday of the month", every two or three months, or chosen dates."""

    __tablename__ = "series"
    __table_args__ = (
        CheckConstraint("format IN ('big_room', 'action_learning_set', 'assembly')", name="format_known"),
        CheckConstraint("recurrence IN ('monthly', 'bimonthly', 'quarterly', 'dates')", name="recurrence_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(30))
    recurrence: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship()
    events: Mapped[list["Event"]] = relationship(back_populates="series", order_by="Event.starts_at")


class Event(db.Model):
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

    @property
    def format_label(self) -> str:
        return FORMATS[self.format]


class Attendance(db.Model):
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
