"""The demo's year of Big Rooms, so the community report shows a trend.

Eleven monthly Big Rooms before the demo's past Big Room (which is the twelfth), each with
invitations and check-ins from the demo community, reaching more organisations as the year
goes on, and a seating plan made with the engine from the people checked in, each with the
history of the plans before it (met_before). Deterministic (fixed seeds and a fixed number
of engine moves, small so `cop demo` stays quick) and idempotent: events are found by title,
and an event with invitations or a plan is left alone.
"""
import math
import random
from datetime import date

from sqlalchemy import func, select

from cop.communities.members import Member, as_members
from cop.communities.models import Community, Membership
from cop.events.demo import SET_FACILITATORS, TUESDAY, _big_room, _event_titled
from cop.events.models import Event
from cop.events.scheduling import nth_weekday
from cop.events.times import to_london
from cop.extensions import db
from cop.invitations.demo import add_past_attendance
from cop.people.models import Person
from cop.seating import plans

# Oldest first; the demo's past Big Room follows the last.
TOPICS = [
    ("Big Room: who we are and why we meet", "Why a Big Room: meeting the people our work depends on."),
    ("Big Room: hospital discharge on a Friday", "What gets a person home on a Friday afternoon, and what stops it."),
    ("Big Room: carers we do not see", "The carers who hold the system together, and how we could notice them."),
    ("Big Room: winter pressures together",
     "Planning for winter across the ambulance service, wards, councils and charities."),
    ("Big Room: loneliness and social prescribing",
     "Link workers, walking groups and what a GP can prescribe instead of a pill."),
    ("Big Room: mental health crisis at 3am", "Who answers the phone in a crisis, and what happens next."),
    ("Big Room: housing is health", "Damp homes, evictions and hospital admissions: the same story told three ways."),
    ("Big Room: digital front doors", "Apps, portals and the people they leave out."),
    ("Big Room: children's health in our towns", "Schools, health visitors and youth projects on what children need."),
    ("Big Room: end of life in the right place", "Hospices, district nurses and families on dying well at home."),
    ("Big Room: our workforce, our wellbeing", "Burnout, retention and what keeps people in health and care work."),
]
SPEAKERS = "Speakers from across Mid and South Essex"
SEED = 12
ENGINE_MOVES = 6000  # per plan: enough for mixed tables, small enough for a quick demo
FIRST_ORGANISATIONS, MORE_EACH_MONTH = 12, 2
FIRST_INVITED, MORE_INVITED_EACH_MONTH = 110, 8


def _month_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    return date(day.year + month // 12, month % 12 + 1, 1)


def _organisations_by_size(community: Community) -> list[int]:
    """Organisation ids, the most members first: the big NHS bodies came first, smaller groups joined later."""
    rows = db.session.execute(
        select(Membership.organisation_id, func.count(Membership.id))
        .where(Membership.community_id == community.id, Membership.organisation_id.is_not(None))
        .group_by(Membership.organisation_id)
    ).all()
    return [organisation for organisation, _ in sorted(rows, key=lambda row: (-row[1], row[0]))]


def _members_of(community: Community, organisation_ids: set[int]) -> list[Member]:
    return as_members(community.id, db.session.execute(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.community_id == community.id, Membership.organisation_id.in_(organisation_ids))
        .order_by(Person.id)
    ).scalars())


def add_demo_year(community: Community, events: dict[str, Event]) -> list[Event]:
    """The year of Big Rooms, oldest first, ending with the demo's past Big Room."""
    past = events.get("past_big_room")
    if past is None:
        return []
    past_day = to_london(past.starts_at).date()
    # Monthly, on the same Tuesday of the month as the past Big Room (a fifth Tuesday: the last one).
    week_of_month = (past_day.day - 1) // 7 + 1 if past_day.day <= 28 else -1
    organisations = _organisations_by_size(community)
    year = []
    for number, (title, description) in enumerate(TOPICS):
        months_before = len(TOPICS) - number
        event = _event_titled(community, title)
        if event is None:
            month = _month_before(past_day, months_before)
            day = nth_weekday(month.year, month.month, TUESDAY, week_of_month)
            event = _big_room(community, title, day, past.venue, SPEAKERS, description)
            db.session.flush()
        reached = set(organisations[: FIRST_ORGANISATIONS + MORE_EACH_MONTH * number])
        people = _members_of(community, reached)
        random.Random(SEED + number).shuffle(people)
        add_past_attendance(event, people[: FIRST_INVITED + MORE_INVITED_EACH_MONTH * number], SEED + number)
        year.append(event)
    year.append(past)
    db.session.flush()
    _seat(community, year)
    db.session.commit()
    return year


def _seat(community: Community, year: list[Event]) -> None:
    """A plan per event from those checked in, oldest first, so each has the history before it."""
    facilitator = db.session.execute(select(Person).where(Person.email == SET_FACILITATORS[0])).scalar_one_or_none()
    for number, event in enumerate(year):
        here = len(plans.people_to_seat(event, "checked_in"))
        if plans.plans_of(event) or not here:
            continue
        # As a facilitator would: only as many tables of ten as the people checked in need.
        layout = [10] * math.ceil(here / 10)
        choices = plans.SeatingChoices(source="checked_in", tables=layout, rounds=2 if number % 3 else 3,
                                       accessible_table=1, seed=2026 + number)
        plans.generate(event, choices, facilitator, plans.Budget(iterations=ENGINE_MOVES))
        db.session.flush()
