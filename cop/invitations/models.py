"""Invitations: a person asked to an event, their answer, and their place (or place in the queue)."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.events.models import Event
from cop.extensions import db
from cop.people.models import Person, utcnow

ANSWERS = {"pending": "Not answered", "yes": "Yes", "no": "No", "maybe": "Maybe"}


class Invitation(db.Model):
    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("event_id", "person_id", name="uq_invitation_event_person"),
        CheckConstraint("answer IN ('pending', 'yes', 'no', 'maybe')", name="answer_known"),
        CheckConstraint("place IN ('none', 'confirmed', 'waitlisted')", name="place_known"),
        CheckConstraint("attendance_mode IN ('in_person', 'online')", name="attendance_mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    # Only the hash of the personal link's token is kept; the link itself is in the mail.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(String(10), default="pending")
    # "yes" gets a confirmed place while there is room, else a place in the waitlist.
    place: Mapped[str] = mapped_column(String(12), default="none")
    waitlist_position: Mapped[int | None]
    # A place offered from the waitlist must be taken by then, or it passes on.
    offer_expires_at: Mapped[datetime | None]
    attendance_mode: Mapped[str] = mapped_column(String(12), default="in_person")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    access_needs: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    invited_by: Mapped[Person | None] = relationship(foreign_keys=[invited_by_id])
