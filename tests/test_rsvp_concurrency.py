"""Capacity holds when many people answer yes at the same moment (real threads, real database)."""
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from cop.extensions import db
from cop.invitations.models import Invitation
from cop.invitations.rsvp import answer_invitation
from tests import factories
from tests.invitation_helpers import invite_crowd, make_event


def test_concurrent_yes_answers_never_overbook_and_queue_without_gaps(app):
    postgres = db.engine.dialect.name == "postgresql"
    # SQLite has one writer at a time, so the same race is run smaller there.
    attempts, capacity, threads = (500, 100, 16) if postgres else (60, 20, 8)
    group = factories.community(slug="big-room")
    factories.member(group, "organiser")
    event = make_event(group, capacity=capacity)
    tokens = invite_crowd(event, attempts)
    app_ = app
    event_id = event.id
    db.session.remove()

    def answer_yes(token: str) -> str:
        with app_.app_context():
            try:
                return answer_invitation(token, "yes").place
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        places = list(pool.map(answer_yes, tokens))

    assert places.count("confirmed") == capacity
    assert places.count("waitlisted") == attempts - capacity
    rows = db.session.execute(
        select(Invitation.place, Invitation.waitlist_position).where(Invitation.event_id == event_id)
    ).all()
    assert sum(1 for place, _ in rows if place == "confirmed") == capacity
    positions = sorted(position for place, position in rows if place == "waitlisted")
    assert positions == list(range(1, attempts - capacity + 1))
