"""Communities (networks such as a Big Room) and who belongs to them, in which role."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.extensions import db
from cop.people.models import Person, utcnow

ROLES = {
    "organiser": "Organiser",
    "facilitator": "Facilitator",
    "member": "Member",
    "guest": "Guest",
}


class Community(db.Model):
    __tablename__ = "community"
    __table_args__ = (CheckConstraint("slug = lower(slug)", name="slug_lower_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="community", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Community {self.slug!r}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("community_id", "person_id", name="uq_membership_community_person"),
        CheckConstraint("role IN ('organiser', 'facilitator', 'member', 'guest')", name="role_known"),
        CheckConstraint("invite_quota >= 0", name="invite_quota_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    # How many people this member may invite from their own network (0: not a trusted inviter).
    invite_quota: Mapped[int] = mapped_column(default=0)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship()

    @property
    def role_label(self) -> str:
        return ROLES[self.role]
