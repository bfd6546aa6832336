"""The theme suggestions section of a person's data export and erasure (see cop/people/personal_data.py).

Export: the themes they suggested (with the votes each has, and whether it is in the year) and the
suggestions they voted for. With a community id, only that community's.

Erasure keeps the suggestions and every vote, so the counts and the ranking stay whole: the person row
becomes "Erased person", which is the author a suggestion then shows, and their votes still count (for
nobody named). Their name and address are taken out of every suggestion's title and description.
"""
from sqlalchemy import func, or_, select, true

from cop.extensions import db
from cop.people.models import Person
from cop.people.personal_data import register_section, replacements_for, when
from cop.programme.models import ThemeSuggestion, ThemeVote


def _in_community(community_id: int | None):
    return true() if community_id is None else ThemeSuggestion.community_id == community_id


def export_theme_suggestions(person: Person, community_id: int | None = None) -> dict:
    votes = (select(func.count(ThemeVote.id)).where(ThemeVote.suggestion_id == ThemeSuggestion.id)
             .correlate(ThemeSuggestion).scalar_subquery())
    suggested = db.session.execute(
        select(ThemeSuggestion, votes).where(ThemeSuggestion.author_id == person.id, _in_community(community_id))
        .order_by(ThemeSuggestion.id)).all()
    voted = db.session.execute(
        select(ThemeVote, ThemeSuggestion).join(ThemeSuggestion, ThemeSuggestion.id == ThemeVote.suggestion_id)
        .where(ThemeVote.person_id == person.id, _in_community(community_id)).order_by(ThemeVote.id)).all()
    return {
        "suggested": [{"community": s.community.name, "title": s.title, "description": s.description,
                       "suggested_at": when(s.created_at), "votes": count,
                       "in_the_year": s.adopted_theme_id is not None} for s, count in suggested],
        "voted_for": [{"community": s.community.name, "title": s.title, "voted_at": when(v.created_at)}
                      for v, s in voted],
    }


def erase_theme_suggestions(person: Person) -> int:
    touched = 0
    replacements = replacements_for(person)
    if replacements:
        texts = [t for t, _ in replacements]
        for suggestion in db.session.execute(select(ThemeSuggestion).where(or_(
                *(ThemeSuggestion.title.contains(t, autoescape=True) for t in texts),
                *(ThemeSuggestion.description.contains(t, autoescape=True) for t in texts)))).scalars():
            for text, instead in replacements:
                suggestion.title = suggestion.title.replace(text, instead)
                suggestion.description = suggestion.description.replace(text, instead)
            touched += 1
    return touched


register_section("theme_suggestions", export=export_theme_suggestions, erase=erase_theme_suggestions)
