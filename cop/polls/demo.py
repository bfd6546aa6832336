"""The demo's open date poll: the demo learning set's facilitator proposes dates for its next sessions,
and some of the set have answered. Idempotent: a poll of that title is left alone."""
import random
from datetime import time, timedelta

from sqlalchemy import select

from cop.communities.models import Community
from cop.events.demo import LEARNING_SET, SET_FACILITATORS
from cop.events.models import Series
from cop.events.scheduling import nth_weekday
from cop.events.times import london_now
from cop.extensions import db
from cop.people.models import Person
from cop.polls import polling
from cop.polls.models import ANSWERS, DatePoll

POLL_TITLE = "Leading across boundaries: dates for the next four sessions"
WEDNESDAY = 2


def add_demo_poll(community: Community) -> DatePoll | None:
    found = db.session.execute(
        select(DatePoll).where(DatePoll.community_id == community.id, DatePoll.title == POLL_TITLE)
    ).scalar_one_or_none()
    if found is not None:
        return found
    series = db.session.execute(
        select(Series).where(Series.community_id == community.id, Series.title == LEARNING_SET)
    ).scalar_one_or_none()
    if series is None:
        return None
    facilitator = db.session.execute(select(Person).where(Person.email == SET_FACILITATORS[1])).scalar_one_or_none()
    month = (london_now().date().replace(day=1) + timedelta(days=5 * 31)).replace(day=1)
    dates = []
    for week in (1, 2, 3):
        day = nth_weekday(month.year, month.month, WEDNESDAY, week)
        dates.append(polling.ProposedDate(day, time(9, 30), time(12, 30)))
    dates.append(polling.ProposedDate(dates[1].day + timedelta(days=1), time(13, 30), time(16, 30)))
    poll = polling.open_poll(
        community, POLL_TITLE, dates, [], facilitator, series,
        description="Our first block of sessions ends soon: which of these suit you for the next block?")
    rng = random.Random(22)
    for participant in poll.participants[:-2]:  # two have not answered yet
        polling.record_answers(participant, {o.id: rng.choice(list(ANSWERS)) for o in poll.options})
    db.session.flush()
    return poll
