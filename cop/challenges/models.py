"""Challenges, the ideas people give to them, comments, supports, the pipeline's moves and the moderation log."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.communities.models import Community
from cop.events.models import Event
from cop.extensions import Model
from cop.people.models import Person, one_of

AUDIENCES = {
    "members": "The community's members (signed in)",
    "link": "Anyone with a personal link, and everyone in the community",
}

# The pipeline's stages, in order. Their keys are fixed; each community may rename them (StageName).
STAGES = {
    "submitted": "Submitted",
    "under_review": "Under review",
    "shortlisted": "Shortlisted",
    "in_development": "In development",
    "adopted": "Adopted",
    "not_taken_forward": "Not taken forward",
}

MODERATION_ACTIONS = {"hide": "Hidden", "show": "Shown again", "merge": "Merged"}


class Challenge(Model):
    """A question an organiser puts to the community, open for ideas between two times."""

    __tablename__ = "challenge"
    __table_args__ = (CheckConstraint(one_of("audience", AUDIENCES), name="audience_known"),
                      CheckConstraint("closes_at > opens_at", name="closes_after_opening"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    # The assembly or Big Room that will discuss it (its page shows the challenge).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    background: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(10), default="members")
    # People may give an idea without their name shown to other participants (staff still see it).
    allow_anonymous: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship()
    event: Mapped[Event | None] = relationship()

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    @property
    def audience_label(self) -> str:
        return AUDIENCES[self.audience]


class StageName(Model):
    """A community's own name for one of the pipeline's stages."""

    __tablename__ = "challenge_stage_name"
    __table_args__ = (UniqueConstraint("community_id", "stage", name="uq_challenge_stage_name_community_stage"),
                      CheckConstraint(one_of("stage", STAGES), name="stage_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(60))


class Idea(Model):
    __tablename__ = "idea"
    __table_args__ = (CheckConstraint(one_of("stage", STAGES), name="stage_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    # Kept on erasure: the person row becomes "Erased person".
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # Anonymous to other participants: staff still see who (for moderation).
    anonymous: Mapped[bool] = mapped_column(default=False)
    stage: Mapped[str] = mapped_column(String(30), default="submitted")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    moved_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    # A duplicate merged into another idea: its supports and comments moved there, it is shown as merged.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"), index=True)

    challenge: Mapped[Challenge] = relationship()
    author: Mapped[Person] = relationship()
    merged_into: Mapped["Idea | None"] = relationship(remote_side=[id])

    @property
    def is_listed(self) -> bool:
        return self.hidden_reason is None and self.merged_into_id is None


class IdeaComment(Model):
    """A comment on an idea, or a reply to one (one level: a reply's parent is never a reply)."""

    __tablename__ = "idea_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("idea_comment.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    idea: Mapped[Idea] = relationship()
    author: Mapped[Person] = relationship()


class IdeaSupport(Model):
    """One person's support for an idea: once each; withdrawing deletes it."""

    __tablename__ = "idea_support"
    __table_args__ = (UniqueConstraint("idea_id", "person_id", name="uq_idea_support_idea_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaMove(Model):
    """An idea moved from one stage to another, with the public reason given."""

    __tablename__ = "idea_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str] = mapped_column(String(30))
    to_stage: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ModerationEntry(Model):
    """The moderation log: an idea or comment hidden or shown again, an idea merged, who did it and why."""

    __tablename__ = "idea_moderation"
    __table_args__ = (CheckConstraint(one_of("action", MODERATION_ACTIONS), name="action_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("idea_comment.id", ondelete="CASCADE"))
    other_idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    idea: Mapped[Idea | None] = relationship(foreign_keys=[idea_id])
    other_idea: Mapped[Idea | None] = relationship(foreign_keys=[other_idea_id])
    by: Mapped[Person | None] = relationship()

    @property
    def action_label(self) -> str:
        return MODERATION_ACTIONS[self.action]


class ParticipationLink(Model):
    """A personal link to take part in a challenge without an account; only the token's hash is kept."""

    __tablename__ = "challenge_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()


class PendingNotice(Model):
    """A move of an idea someone follows, waiting for their digest (they follow many ideas)."""

    __tablename__ = "idea_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    move_id: Mapped[int] = mapped_column(ForeignKey("idea_move.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    move: Mapped[IdeaMove] = relationship()
