"""Communities (networks such as a Big Room) and who belongs to them, in which role."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.extensions import Model
from cop.people.models import PROFESSIONS, Organisation, Person, one_of

ROLES = {
    "organiser": "Organiser",
    "facilitator": "Facilitator",
    "member": "Member",
    "guest": "Guest",
}


class Community(Model):
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


class Membership(Model):
    """A person's membership of a community, and the community's own record of them.

    The record (organisation, profession, job title, interests, needs, line manager, notes) is
    what this community knows: another community never reads or writes it, and it never
    changes the person's identity (`Person`: name and e-mail address, owned by the person).
    """

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("community_id", "person_id", name="uq_membership_community_person"),
        CheckConstraint(one_of("profession", PROFESSIONS), name="profession_known"),
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
    # The community's record of the person.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    profession: Mapped[str] = mapped_column(String(40), default="other")
    role_title: Mapped[str] = mapped_column(String(200), default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    access_needs: Mapped[str] = mapped_column(Text, default="")
    # Who they report to, a person in this community: action learning sets keep them apart.
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")

    community: Mapped[Community] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    organisation: Mapped[Organisation | None] = relationship()
    line_manager: Mapped[Person | None] = relationship(foreign_keys=[line_manager_id])

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    @property
    def profession_label(self) -> str:
        return PROFESSIONS[self.profession]

    # The person's identity, read through the record (never written through it).
    @property
    def name(self) -> str:
        return self.person.name

    @property
    def email(self) -> str:
        return self.person.email
