"""Seating plans and their seats. Each generation or hand change is a version of an event's plan."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.events.models import Event
from cop.extensions import Model
from cop.people.models import Person

# draft: a version not in use; current: the plan in use; printed: the plan in use, printed.
# A printed version is never changed in place (it is on paper); `printed_at` keeps the fact
# after another version has been made current.
PLAN_STATUSES = ("draft", "current", "printed")
IN_USE = ("current", "printed")


class SeatingPlan(Model):
    __tablename__ = "seating_plan"
    __table_args__ = (
        UniqueConstraint("event_id", "version", name="uq_seating_plan_event_version"),
        CheckConstraint("status IN ('draft', 'current', 'printed')", name="status_known"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    # What the facilitator chose (tables, rounds, mix_by, facilitators, pairs, pins, source).
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # cop.mixing's score of the seating, as plan_to_dict gives it.
    score: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    printed_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    created_by: Mapped[Person | None] = relationship()
    seats: Mapped[list["Seat"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Seat.id"
    )

    @property
    def in_use(self) -> bool:
        return self.status in IN_USE

    @property
    def rounds(self) -> int:
        return int(self.settings.get("rounds", 1))

    @property
    def tables(self) -> list[int]:
        return list(self.settings.get("tables", []))


class Seat(Model):
    """One person at one table in one round (both numbered from 1, as printed)."""

    __tablename__ = "seat"
    __table_args__ = (
        UniqueConstraint("plan_id", "person_id", "round", name="uq_seat_plan_person_round"),
        CheckConstraint("round >= 1", name="round_positive"),
        CheckConstraint('"table" >= 1', name="table_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("seating_plan.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]
    table: Mapped[int]

    plan: Mapped[SeatingPlan] = relationship(back_populates="seats")
    person: Mapped[Person] = relationship()


class SetFormation(Model):
    """A cohort formed into action learning sets: proposed (the organiser adjusts it), then created
    (each set a closed series of sessions, whose ids are kept in `series_ids`)."""

    __tablename__ = "set_formation"
    __table_args__ = (CheckConstraint("status IN ('proposed', 'created')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Person ids: {"facilitator_ids": [...], "apart": [[a, b], ...], "seed": n}
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # The sets, each a list of person ids (facilitators included), in set order.
    sets: Mapped[list] = mapped_column(JSON, default=list)
    score: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    series_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    created_by: Mapped[Person | None] = relationship()
