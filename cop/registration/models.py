"""Registrations from the public page, and the shared links (channels) that bring them."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.events.models import Event
from cop.extensions import Model
from cop.people.models import Person

# pending: the address is not confirmed yet, nothing is held; confirmed: the link was used and the
# registration became an invitation answered "yes"; awaiting: the link was used on an event whose
# registrations need the organiser's approval, nothing is held yet; approved (then as confirmed) or
# declined (told kindly) by an organiser.
REGISTRATION_STATES = ("pending", "confirmed", "awaiting", "approved", "declined")


class SharedLink(Model):
    """A short registration link for one event with the channel tag the organiser named."""

    __tablename__ = "shared_link"
    __table_args__ = (UniqueConstraint("event_id", "channel", name="uq_shared_link_event_channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
    created_by: Mapped[Person | None] = relationship()


class RegistrationSetting(Model):
    """An event's registration settings: whether registrations wait for an organiser's approval."""

    __tablename__ = "registration_setting"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    needs_approval: Mapped[bool] = mapped_column(default=False)


class Registration(Model):
    """What someone typed on the public page, kept until the address is confirmed (then it becomes an
    invitation, and the community's record of the person). Only the link's hash is stored."""

    __tablename__ = "registration"
    __table_args__ = (CheckConstraint("state IN ('pending', 'confirmed', 'awaiting', 'approved', 'declined')",
                                      name="state_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a request to join the community ("Join this network"), with no event.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[str] = mapped_column(String(40), default="")
    place: Mapped[str] = mapped_column(String(120), default="")
    profession: Mapped[str] = mapped_column(String(40), default="other")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    access_needs: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(40), default="")
    # Registered for every session of the event's series still taking answers, not only this one.
    whole_series: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Whether the confirmation mail went: one mail per address per day from the public page.
    mailed: Mapped[bool] = mapped_column(default=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    confirmed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]  # approved or declined by an organiser
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"))

    event: Mapped[Event | None] = relationship()

