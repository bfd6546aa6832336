"""The demo's seating: a 3-round plan for the upcoming Big Room, from its confirmed places.

Idempotent: an event that already has a plan is left alone. The plan is reproducible
(a fixed number of moves and a fixed seed). Without confirmed places (invitations
are the invitations feature's part of the demo) there is nobody to seat, and no plan.
"""
from sqlalchemy import select

from cop.communities.models import Community
from cop.events.demo import SET_FACILITATORS
from cop.extensions import db
from cop.people.models import Person
from cop.seating import plans

DEMO_BUDGET = plans.Budget(iterations=60_000)


def add_demo_seating(community: Community, events: dict) -> plans.SeatingPlan | None:
    event = events.get("upcoming_big_room")
    if event is None or plans.plans_of(event) or not plans.people_to_seat(event, "confirmed"):
        return None
    layout = event.venue.table_layout if event.venue and event.venue.table_layout else [10] * 20
    facilitator = db.session.execute(select(Person).where(Person.email == SET_FACILITATORS[0])).scalar_one_or_none()
    choices = plans.SeatingChoices(tables=list(layout), rounds=3, accessible_table=1, seed=2026)
    plan = plans.generate(event, choices, facilitator, DEMO_BUDGET)
    db.session.flush()
    return plan
