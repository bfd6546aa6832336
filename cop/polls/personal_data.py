"""The date polls section of a person's data export and erasure (see cop/people/personal_data.py).

Export: each poll the person was asked in (title, community, each proposed date with their answer, when
they answered, whether their link was withdrawn; never the link's secret) and the polls they proposed.
Erasure keeps the rows, so a poll's counts do not change (the person row itself becomes "Erased person"),
and withdraws the links, so nobody answers in their name again.
"""
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from cop.clock import utcnow
from cop.extensions import db, rows_changed
from cop.people.models import Person
from cop.people.personal_data import register_section, when
from cop.polls.models import ANSWERS, DatePoll, PollAnswer, PollParticipant


def export_polls(person: Person, community_id: int | None) -> dict:
    asked = select(PollParticipant).join(DatePoll).where(PollParticipant.person_id == person.id).options(
        selectinload(PollParticipant.poll), selectinload(PollParticipant.answers).selectinload(PollAnswer.option))
    proposed = select(DatePoll).where(DatePoll.created_by_id == person.id)
    if community_id is not None:
        asked = asked.where(DatePoll.community_id == community_id)
        proposed = proposed.where(DatePoll.community_id == community_id)
    return {
        "asked": [{
            "poll": p.poll.title, "community_id": p.poll.community_id, "answered_at": when(p.answered_at),
            "link_withdrawn_at": when(p.revoked_at),
            "answers": [{"starts_at": when(a.option.starts_at), "ends_at": when(a.option.ends_at),
                         "answer": ANSWERS[a.answer]} for a in sorted(p.answers, key=lambda a: a.option.starts_at)],
        } for p in db.session.execute(asked.order_by(PollParticipant.id)).scalars()],
        "proposed": [{"poll": p.title, "community_id": p.community_id, "created_at": when(p.created_at)}
                     for p in db.session.execute(proposed.order_by(DatePoll.id)).scalars()],
    }


def erase_polls(person: Person) -> int:
    return rows_changed(
        update(PollParticipant).where(PollParticipant.person_id == person.id, PollParticipant.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


register_section("polls", export=export_polls, erase=erase_polls)
