"""The demo's seating: a 3-round plan for the upcoming Big Room once it has confirmed places."""
from sqlalchemy import func, select

from cop.communities.models import Community, Membership
from cop.demo import COMMUNITY_SLUG, load_demo
from cop.events.demo import add_demo_events
from cop.extensions import db
from cop.seating import plans
from cop.seating.demo import add_demo_seating
from cop.seating.models import SeatingPlan
from tests import factories


def test_the_upcoming_big_room_gets_a_three_round_plan_once(app):
    load_demo()
    community = db.session.execute(select(Community).where(Community.slug == COMMUNITY_SLUG)).scalar_one()
    events = add_demo_events(community)
    upcoming = events["upcoming_big_room"]
    if not plans.people_to_seat(upcoming, "confirmed"):
        # Until the invitations demo confirms places, there is nobody to seat: no plan, no error.
        assert plans.plans_of(upcoming) == []
        members = db.session.execute(
            select(Membership).where(Membership.community_id == community.id).order_by(Membership.id).limit(150)
        ).scalars()
        for membership in members:
            factories.invitation(upcoming, membership.person, answer="yes", place="confirmed")
        db.session.commit()

    plan = add_demo_seating(community, events)
    db.session.commit()
    assert plan is not None and plan.status == "current" and plan.rounds == 3 and plan.tables == [10] * 20
    assert plan.score["hard_violations"] == 0 and plan.score["repeats"] == 0
    people = len(plans.people_to_seat(upcoming, "confirmed"))
    assert len(plan.seats) == 3 * people

    assert add_demo_seating(community, events) is None  # a second run changes nothing
    load_demo()
    assert db.session.execute(select(func.count()).select_from(SeatingPlan)).scalar_one() == 1
