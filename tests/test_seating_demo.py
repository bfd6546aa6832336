"""The demo's seating: a 3-round plan for the upcoming Big Room, made once."""
from sqlalchemy import func, select

from cop.communities.models import Community
from cop.demo import COMMUNITY_SLUG, load_demo
from cop.events.demo import add_demo_events
from cop.extensions import db
from cop.seating import plans
from cop.seating.demo import add_demo_seating
from cop.seating.models import SeatingPlan


def test_the_upcoming_big_room_gets_a_three_round_plan_once(app):
    load_demo()
    community = db.session.execute(select(Community).where(Community.slug == COMMUNITY_SLUG)).scalar_one()
    events = add_demo_events(community)
    upcoming = events["upcoming_big_room"]
    [plan] = plans.plans_of(upcoming)
    assert plan.status == "current" and plan.rounds == 3 and plan.tables == [10] * 20
    assert plan.score["hard_violations"] == 0 and plan.score["repeats"] == 0
    people = len(plans.people_to_seat(upcoming, "confirmed"))
    assert people > 150 and len(plan.seats) == 3 * people

    assert add_demo_seating(community, events) is None  # a second run changes nothing
    load_demo()
    assert db.session.execute(select(func.count()).select_from(SeatingPlan)
                              .where(SeatingPlan.event_id == upcoming.id)).scalar_one() == 1
