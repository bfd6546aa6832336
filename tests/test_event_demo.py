"""The demo's events: there, in the right places in time, and not doubled by a second run."""
from sqlalchemy import func, select

from cop.clock import utcnow
from cop.communities.models import Community
from cop.demo import COMMUNITY_SLUG, load_demo
from cop.events.demo import add_demo_events
from cop.events.models import Event, Series, Venue
from cop.extensions import db


def _counts():
    return tuple(db.session.execute(select(func.count()).select_from(m)).scalar_one() for m in (Event, Series, Venue))


def test_the_demo_adds_its_events_once(app):
    load_demo()
    first = _counts()
    load_demo()
    # 2 Big Rooms + 4 set sessions + 1 assembly; the reports' year: 11 earlier monthly Big Rooms;
    # and the seating demo's cohort: 2 sets of 4 sessions.
    assert _counts() == first == (7 + 11 + 8, 1 + 2, 3)
    community = db.session.execute(select(Community).where(Community.slug == COMMUNITY_SLUG)).scalar_one()
    events = add_demo_events(community)
    assert set(events) == {"past_big_room", "upcoming_big_room", "learning_set_series", "assembly"}
    now = utcnow()
    assert events["past_big_room"].ends_at < now < events["upcoming_big_room"].starts_at
    assert 20 <= (now - events["past_big_room"].starts_at).days <= 40
    assert 14 <= (events["upcoming_big_room"].starts_at - now).days <= 28
    assert events["upcoming_big_room"].venue.table_layout == [10] * 20
    assert all(e.status == "published" and e.format == "big_room" and e.has_meal
               for e in (events["past_big_room"], events["upcoming_big_room"]))
    learning_set = events["learning_set_series"]
    assert learning_set.format == "action_learning_set" and not learning_set.is_public
    assert learning_set.series.events[0] is learning_set and len(learning_set.series.events) == 4
    roles = sorted(m.role for m in learning_set.series.members)
    assert roles == ["facilitator"] * 2 + ["member"] * 6
    assert events["assembly"].attendance_mode == "hybrid" and events["assembly"].agenda
    assert _counts() == first
