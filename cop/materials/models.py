"""A material: an uploaded file (kept by cop.materials.storage under `stored_name`) or a link, for one event."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.events.models import Event
from cop.extensions import Model
from cop.people.models import Person

# Who sees a material: those who came (or hold a place), the community's members, or anyone.
VISIBILITIES = {"attendees": "People who came", "community": "Everyone in the community", "public": "Anyone"}


class Material(Model):
    __tablename__ = "material"
    __table_args__ = (
        CheckConstraint("kind IN ('file', 'link')", name="kind_known"),
        CheckConstraint("visibility IN ('attendees', 'community', 'public')", name="visibility_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500), default="")
    stored_name: Mapped[str] = mapped_column(String(100), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(default=0)
    visibility: Mapped[str] = mapped_column(String(12), default="attendees")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
    uploaded_by: Mapped[Person | None] = relationship()

    @property
    def visibility_label(self) -> str:
        return VISIBILITIES[self.visibility]


class MaterialsNotice(Model):
    """The one mail per event saying materials are up: sent once (the unique event holds a double submit)."""

    __tablename__ = "materials_notice"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    recipients: Mapped[int] = mapped_column(default=0)
