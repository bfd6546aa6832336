"""Invitations: a person asked to an event, their answer, and their place (or place in the queue)."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, and_, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.events import signals
from cop.events.models import Event
from cop.extensions import Model
from cop.people.models import Person

ANSWERS = {"pending": "Not answered", "yes": "Yes", "no": "No", "maybe": "Maybe"}
# What a "yes" has got: a place, a place in the queue, a place offered from the queue that
# must be taken in time, or an offer that was not taken and passed on.
PLACES = {
    "none": "No place",
    "confirmed": "Confirmed",
    "waitlisted": "On the waitlist",
    "offered": "Offered a place",
    "lapsed": "Offer passed on",
}


class Invitation(Model):
    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("event_id", "person_id", name="uq_invitation_event_person"),
        CheckConstraint("answer IN ('pending', 'yes', 'no', 'maybe')", name="answer_known"),
        CheckConstraint("place IN ('none', 'confirmed', 'waitlisted', 'offered', 'lapsed')", name="place_known"),
        CheckConstraint("attendance_mode IN ('in_person', 'online')", name="attendance_mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(String(10), default="pending")
    # "yes" gets a confirmed place while there is room, else a place in the waitlist (see PLACES).
    place: Mapped[str] = mapped_column(String(12), default="none")
    # 1, 2, 3... with no gaps among those waitlisted: it moves up as people leave the queue.
    waitlist_position: Mapped[int | None]
    # A place offered from the waitlist must be taken by then, or it passes on.
    offer_expires_at: Mapped[datetime | None]
    attendance_mode: Mapped[str] = mapped_column(String(12), default="in_person")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    access_needs: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    # How the person came: "" for an invitation (an organiser's, or a trusted member's: see invited_by),
    # or the channel tag of the shared link they registered from ("linkedin"; "public" without a tag).
    channel: Mapped[str] = mapped_column(String(40), default="")
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Added to the event's SEQUENCE in this person's calendar: raised when their own place ends
    # (a CANCEL just for them) and when they come back, so each message is newer than the last.
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    invited_by: Mapped[Person | None] = relationship(foreign_keys=[invited_by_id])
    links: Mapped[list["InvitationLink"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    # The two questions most queries ask, named once (usable in Python and in SQL: `Invitation.is_live`).
    @hybrid_property
    def is_live(self) -> bool:
        """Not revoked: the person is still invited."""
        return self.revoked_at is None

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls):
        return cls.revoked_at.is_(None)

    @hybrid_property
    def holds_place(self) -> bool:
        """Still invited, with a confirmed place: they are expected at the event."""
        return self.revoked_at is None and self.place == "confirmed"

    @holds_place.inplace.expression
    @classmethod
    def _holds_place_expression(cls):
        return and_(cls.revoked_at.is_(None), cls.place == "confirmed")

    @property
    def answer_label(self) -> str:
        return ANSWERS[self.answer]

    @property
    def place_label(self) -> str:
        return PLACES[self.place]


class InvitationLink(Model):
    """A personal RSVP link sent in a mail. Only the token's hash is kept; the link is in the mail.

    Every mail that asks the person to act (invitation, offer of a place, reminder, chase)
    carries a link of its own, and all of them work until the organiser revokes or re-sends
    the invitation, so answering from an older mail still works.
    """

    __tablename__ = "invitation_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvitationReminder(Model):
    """A reminder or chase already sent for an invitation, so that reruns never send it twice."""

    __tablename__ = "invitation_reminder"
    __table_args__ = (UniqueConstraint("invitation_id", "kind", name="uq_invitation_reminder_invitation_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    # "reminder-7d", "reminder-1d", "chase"
    kind: Mapped[str] = mapped_column(String(30))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


@signals.audience_of.connect
def events_invited_to(person_id: int):
    """An invited person is in the event: a private one shows to them (see cop/events/access.py)."""
    return select(Invitation.event_id).where(Invitation.person_id == person_id, Invitation.is_live)
