from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.extensions import Model
from cop.people.models import Person


class ExchangePair(Model):
    """Two people from different organisations with an interest in common, introduced by e-mail once."""

    __tablename__ = "exchange_pair"
    __table_args__ = (
        UniqueConstraint("community_id", "first_id", "second_id", name="uq_exchange_pair_people"),
        CheckConstraint("first_id < second_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    shared_interests: Mapped[str] = mapped_column(String(500), default="")
    introduced_at: Mapped[datetime] = mapped_column(default=utcnow)
    introduced_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    first: Mapped[Person] = relationship(foreign_keys=[first_id])
    second: Mapped[Person] = relationship(foreign_keys=[second_id])
