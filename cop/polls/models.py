"""A date poll: the dates proposed, who is asked (each with a personal link, only its hash stored), their answers."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.communities.models import Community
from cop.events.models import Series
from cop.extensions import Model
from cop.people.models import Person

# yes, if need be (Rallly's and newdle's middle answer: "I can, but would rather not"), no.
ANSWERS = {"yes": "Yes", "if_need_be": "If need be", "no": "No"}
POLL_STATES = {"open": "Open", "finalised": "Dates chosen"}


class DatePoll(Model):
    """Dates proposed for an action learning set's sessions (series_id) or for a new series (format, title)."""

    __tablename__ = "date_poll"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'finalised')", name="state_known"),
        CheckConstraint("format IN ('big_room', 'action_learning_set', 'assembly')", name="format_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    # The set (a closed series) whose sessions the poll fixes; None: the chosen dates start a new series.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(30), default="action_learning_set")
    # Anonymous to each other: a person's page shows the counts for each date, never the others' names.
    anonymous: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finalised_at: Mapped[datetime | None]
    # The series the chosen dates became (the set's own, or the new one).
    result_series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"))

    community: Mapped[Community] = relationship()
    series: Mapped[Series | None] = relationship(foreign_keys=[series_id])
    result_series: Mapped[Series | None] = relationship(foreign_keys=[result_series_id])
    created_by: Mapped[Person | None] = relationship()
    options: Mapped[list["PollOption"]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", order_by="PollOption.starts_at, PollOption.id")
    participants: Mapped[list["PollParticipant"]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", order_by="PollParticipant.id")


class PollOption(Model):
    """One proposed date and time (naive UTC, shown in Europe/London)."""

    __tablename__ = "poll_option"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("date_poll.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    chosen: Mapped[bool] = mapped_column(default=False)

    poll: Mapped[DatePoll] = relationship(back_populates="options")


class PollParticipant(Model):
    """Someone asked, with their personal link's hash (the token itself is only in their mail)."""

    __tablename__ = "poll_participant"
    __table_args__ = (UniqueConstraint("poll_id", "person_id", name="uq_poll_participant_poll_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("date_poll.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    poll: Mapped[DatePoll] = relationship(back_populates="participants")
    person: Mapped[Person] = relationship()
    answers: Mapped[list["PollAnswer"]] = relationship(back_populates="participant", cascade="all, delete-orphan")


class PollAnswer(Model):
    __tablename__ = "poll_answer"
    __table_args__ = (
        UniqueConstraint("participant_id", "option_id", name="uq_poll_answer_participant_option"),
        CheckConstraint("answer IN ('yes', 'if_need_be', 'no')", name="answer_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("poll_participant.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_option.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(12))

    participant: Mapped[PollParticipant] = relationship(back_populates="answers")
    option: Mapped[PollOption] = relationship()
