"""The challenges section of a person's data export and erasure (see cop/people/personal_data.py).

Export: the ideas they gave (anonymous ones too: they are theirs), their comments and the ideas they
support, with each idea's stage; their personal links' dates, never the secrets. With a community id, only
that community's challenges.

Erasure keeps the ideas, comments and supports, so every count and the pipeline stay whole: the person
row becomes "Erased person", which is the author they show. Their personal links are deleted, notices
waiting for their digest are dropped, and their name and address are taken out of everyone's idea and
comment text.
"""
from sqlalchemy import delete, or_, select, true
from sqlalchemy.orm import selectinload

from cop.challenges.models import Challenge, Idea, IdeaComment, IdeaSupport, ParticipationLink, PendingNotice
from cop.extensions import db, rows_changed
from cop.people.models import Person
from cop.people.personal_data import register_section, replacements_for, when


def _in_community(community_id: int | None):
    if community_id is None:
        return true()
    return Challenge.community_id == community_id


def export_challenges(person: Person, community_id: int | None = None) -> dict:
    ideas = db.session.execute(select(Idea).join(Challenge, Challenge.id == Idea.challenge_id).where(
        Idea.author_id == person.id, _in_community(community_id))
        .options(selectinload(Idea.challenge)).order_by(Idea.id)).scalars().all()
    comments = db.session.execute(
        select(IdeaComment).join(Idea, Idea.id == IdeaComment.idea_id)
        .join(Challenge, Challenge.id == Idea.challenge_id)
        .where(IdeaComment.author_id == person.id, _in_community(community_id))
        .options(selectinload(IdeaComment.idea)).order_by(IdeaComment.id)).scalars().all()
    supports = db.session.execute(
        select(IdeaSupport, Idea).join(Idea, Idea.id == IdeaSupport.idea_id)
        .join(Challenge, Challenge.id == Idea.challenge_id)
        .where(IdeaSupport.person_id == person.id, _in_community(community_id))
        .options(selectinload(Idea.challenge)).order_by(IdeaSupport.id)).all()
    links = db.session.execute(
        select(ParticipationLink).join(Challenge, Challenge.id == ParticipationLink.challenge_id)
        .where(ParticipationLink.person_id == person.id, _in_community(community_id))
        .order_by(ParticipationLink.id)).scalars().all()
    return {
        "ideas": [{"challenge": i.challenge.title, "title": i.title, "description": i.description,
                   "anonymous": i.anonymous, "stage": i.stage, "submitted_at": when(i.created_at),
                   "hidden_reason": i.hidden_reason} for i in ideas],
        "comments": [{"idea": c.idea.title, "body": c.body, "reply": c.parent_id is not None,
                      "written_at": when(c.created_at), "hidden_reason": c.hidden_reason} for c in comments],
        "supports": [{"idea": idea.title, "challenge": idea.challenge.title, "since": when(s.created_at)}
                     for s, idea in supports],
        "personal_links": [{"challenge_id": link.challenge_id, "created_at": when(link.created_at),
                            "revoked_at": when(link.revoked_at)} for link in links],
    }


def erase_challenges(person: Person) -> int:
    touched = rows_changed(delete(ParticipationLink).where(ParticipationLink.person_id == person.id)
                           .execution_options(synchronize_session=False))
    touched += rows_changed(delete(PendingNotice).where(PendingNotice.person_id == person.id)
                            .execution_options(synchronize_session=False))
    replacements = replacements_for(person)
    if replacements:
        texts = [t for t, _ in replacements]
        for idea in db.session.execute(select(Idea).where(or_(
                *(Idea.title.contains(t, autoescape=True) for t in texts),
                *(Idea.description.contains(t, autoescape=True) for t in texts)))).scalars():
            for text, instead in replacements:
                idea.title = idea.title.replace(text, instead)
                idea.description = idea.description.replace(text, instead)
            touched += 1
        for comment in db.session.execute(select(IdeaComment).where(or_(
                *(IdeaComment.body.contains(t, autoescape=True) for t in texts)))).scalars():
            for text, instead in replacements:
                comment.body = comment.body.replace(text, instead)
            touched += 1
    return touched


register_section("challenges", export=export_challenges, erase=erase_challenges)
