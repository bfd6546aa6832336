"""The demo's seating: a 3-round plan for the upcoming Big Room, from its confirmed places; an action
learning set cohort (Mid Essex managers) formed into sets with their sessions; exchange pairs introduced.

Idempotent: an event that already has a plan, a cohort already formed, pairs already made are left
alone. The plan and the sets are reproducible (a fixed number of moves and a fixed seed). Without
confirmed places (invitations are the invitations feature's part of the demo) there is nobody to
seat, and no plan.
"""
from datetime import time, timedelta

from sqlalchemy import select

from cop.communities.members import Member, PeopleFilter, as_members
from cop.communities.models import Community
from cop.events.demo import SET_FACILITATORS
from cop.events.scheduling import nth_weekday
from cop.events.times import london_now
from cop.extensions import db
from cop.people.models import Person
from cop.seating import plans, sets
from cop.seating.models import SetFormation

DEMO_BUDGET = plans.Budget(iterations=60_000)
COHORT = "Leading across boundaries: Mid Essex managers"
COHORT_FILTER = PeopleFilter(place="Mid Essex", profession="management", role="member")
THURSDAY = 3


def add_demo_learning_sets(community: Community) -> SetFormation:
    found = db.session.execute(
        select(SetFormation).where(SetFormation.community_id == community.id, SetFormation.title == COHORT)
    ).scalar_one_or_none()
    if found is not None:
        return found
    cohort = sets.cohort_from_filter(community, COHORT_FILTER)
    # Line management: in each organisation, the first of the cohort manages the others.
    first_at: dict[int | None, Member] = {}  # None: those who gave no organisation
    for member in sorted(cohort, key=lambda m: m.id):
        manager = first_at.setdefault(member.organisation_id, member)
        if manager is not member and member.line_manager_id is None:
            assert member.record is not None  # the cohort is found among the community's members
            member.record.line_manager = manager.person
    facilitators = as_members(community.id, db.session.execute(
        select(Person).where(Person.email.in_(SET_FACILITATORS)).order_by(Person.email)).scalars())
    formation = sets.propose_sets(community, COHORT, cohort, facilitators, None, plans.Budget(iterations=20_000),
                                  preferred=5, seed=2026)
    next_month = (london_now().date().replace(day=1) + timedelta(days=32)).replace(day=1)
    first = nth_weekday(next_month.year, next_month.month, THURSDAY, 2)
    sets.create_sets(formation, community, sets.SetSchedule(first, 4, "monthly", time(13, 30), time(16, 30)))
    return formation


def add_demo_seating(community: Community, events: dict) -> plans.SeatingPlan | None:
    add_demo_learning_sets(community)
    event = events.get("upcoming_big_room")
    if event is None or plans.plans_of(event) or not plans.people_to_seat(event, "confirmed"):
        return None
    layout = event.venue.table_layout if event.venue and event.venue.table_layout else [10] * 20
    facilitator = db.session.execute(select(Person).where(Person.email == SET_FACILITATORS[0])).scalar_one_or_none()
    choices = plans.SeatingChoices(tables=list(layout), rounds=3, accessible_table=1, seed=2026)
    plan = plans.generate(event, choices, facilitator, DEMO_BUDGET)
    db.session.flush()
    return plan
