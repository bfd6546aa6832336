"""Building challenges for tests: an open one with an idea and a comment."""
from datetime import timedelta

from cop.challenges.models import Challenge, Idea, IdeaComment
from cop.clock import utcnow
from cop.extensions import db


def open_challenge(group, author, event=None, audience="members", allow_anonymous=True, title=None):
    """An open challenge of the group (tied to the event, if given) with one idea by `author` and a comment."""
    now = utcnow()
    challenge = Challenge(community=group, event=event, title=title or "Ble ddylem ni ddechrau? Where should we start?",
                          question="What one change would keep people well at home?", background="",
                          audience=audience, allow_anonymous=allow_anonymous,
                          opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=14))
    db.session.add(challenge)
    db.session.flush()
    idea = Idea(challenge_id=challenge.id, author_id=author.id, title="Café conversations about frailty",
                description="Meet in cafés, not clinics.")
    db.session.add(idea)
    db.session.flush()
    comment = IdeaComment(idea_id=idea.id, author_id=author.id, body="Diolch: we tried this in Wrexham.")
    db.session.add(comment)
    db.session.flush()
    return challenge, idea, comment
