"""Members' theme suggestions for the year, and their votes; whether the community takes suggestions."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.communities.models import Community
from cop.events.models import Theme
from cop.extensions import Model
from cop.people.models import Person

SUGGESTION_TITLE_LENGTH = 120  # a Theme's name, which an adopted suggestion becomes
SUGGESTION_DESCRIPTION_LENGTH = 500  # short: a sentence or two


class SuggestionBox(Model):
    """Whether the community's members may suggest themes and vote (the organiser opens and closes it)."""

    __tablename__ = "theme_suggestion_box"

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), primary_key=True)
    is_open: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThemeSuggestion(Model):
    """A member's suggested theme. Erasure keeps it: its author, the person row, becomes "Erased person"."""

    __tablename__ = "theme_suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(SUGGESTION_TITLE_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The theme it became in the year, once the organiser adopted it.
    adopted_theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))

    author: Mapped[Person | None] = relationship()
    adopted_theme: Mapped[Theme | None] = relationship()
    community: Mapped[Community] = relationship()


class ThemeVote(Model):
    """One person's vote for another's suggestion: once each, withdrawn by deleting it."""

    __tablename__ = "theme_vote"
    __table_args__ = (UniqueConstraint("suggestion_id", "person_id", name="uq_theme_vote_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("theme_suggestion.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
