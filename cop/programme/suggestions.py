"""Members suggest themes for the year and vote for each other's; the organiser opens the suggestions, sees
them ranked and adopts one into the year. Plain functions: flush, never commit."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select

from cop.clock import utcnow
from cop.communities.models import Community
from cop.events.models import Theme
from cop.extensions import db, rows_changed
from cop.people.models import Person
from cop.programme import year
from cop.programme.models import SuggestionBox, ThemeSuggestion, ThemeVote


class SuggestionRefused(ValueError):
    """The suggestion or vote cannot be taken; the message says why."""


@dataclass
class RankedSuggestion:
    suggestion: ThemeSuggestion
    votes: int
    voted: bool  # by the person looking


def is_open(community: Community) -> bool:
    box = db.session.get(SuggestionBox, community.id)
    return box is not None and box.is_open


def set_open(community: Community, is_open_now: bool) -> None:
    box = db.session.get(SuggestionBox, community.id)
    if box is None:
        box = SuggestionBox(community_id=community.id, is_open=is_open_now)
        db.session.add(box)
    box.is_open, box.changed_at = is_open_now, utcnow()
    db.session.flush()


def suggest(community: Community, author: Person, title: str, description: str = "") -> ThemeSuggestion:
    if not is_open(community):
        raise SuggestionRefused("Suggestions are closed.")
    title = title.strip()
    taken = db.session.execute(select(ThemeSuggestion.id).where(
        ThemeSuggestion.community_id == community.id, func.lower(ThemeSuggestion.title) == title.lower())).first()
    if taken:
        raise SuggestionRefused(f"“{title}” has been suggested already: vote for it instead.")
    suggestion = ThemeSuggestion(community_id=community.id, author_id=author.id, title=title,
                                 description=description.strip())
    db.session.add(suggestion)
    db.session.flush()
    return suggestion


def suggestion_in(community: Community, suggestion_id: int) -> ThemeSuggestion | None:
    return db.session.execute(select(ThemeSuggestion).where(
        ThemeSuggestion.community_id == community.id, ThemeSuggestion.id == suggestion_id)).scalar_one_or_none()


def toggle_vote(suggestion: ThemeSuggestion, person: Person) -> bool:
    """The person's vote for the suggestion, given or withdrawn; True when they now vote for it. Once each:
    a second vote withdraws the first (the unique constraint holds it against two requests at once)."""
    if not is_open(suggestion.community):
        raise SuggestionRefused("Voting is closed.")
    if suggestion.author_id == person.id:
        raise SuggestionRefused("You cannot vote for your own suggestion.")
    if suggestion.adopted_theme_id is not None:
        raise SuggestionRefused("That suggestion is in the year already.")
    withdrawn = rows_changed(delete(ThemeVote).where(
        ThemeVote.suggestion_id == suggestion.id, ThemeVote.person_id == person.id))
    if withdrawn:
        db.session.flush()
        return False
    db.session.add(ThemeVote(suggestion_id=suggestion.id, person_id=person.id))
    db.session.flush()
    return True


def ranked(community: Community, person: Person | None = None) -> list[RankedSuggestion]:
    """The community's suggestions, most votes first (then the earliest), with whether `person` voted for each."""
    counts = func.count(ThemeVote.id)
    rows = db.session.execute(
        select(ThemeSuggestion, counts).outerjoin(ThemeVote, ThemeVote.suggestion_id == ThemeSuggestion.id)
        .where(ThemeSuggestion.community_id == community.id)
        .group_by(ThemeSuggestion.id).order_by(counts.desc(), ThemeSuggestion.created_at, ThemeSuggestion.id)).all()
    mine = set() if person is None else set(db.session.execute(
        select(ThemeVote.suggestion_id).join(ThemeSuggestion, ThemeSuggestion.id == ThemeVote.suggestion_id)
        .where(ThemeSuggestion.community_id == community.id, ThemeVote.person_id == person.id)).scalars())
    return [RankedSuggestion(suggestion, votes, suggestion.id in mine) for suggestion, votes in rows]


def adopt(suggestion: ThemeSuggestion, month: date | None) -> Theme:
    """The suggestion becomes a theme of the year (for `month`, or not placed yet); its votes stay."""
    if suggestion.adopted_theme_id is not None:
        raise SuggestionRefused("That suggestion is in the year already.")
    try:
        theme = year.add_theme(suggestion.community, suggestion.title, month, suggestion.description)
    except year.ThemeRefused as refusal:
        raise SuggestionRefused(str(refusal)) from refusal
    suggestion.adopted_theme = theme
    db.session.flush()
    return theme
