"""The demo's events: a past and an upcoming Big Room, an action learning set series and an assembly.

Dates are relative to today (so the demo always has something past and something
to come); each is found by its title on a second run, so running the demo again
changes nothing. Invitations, answers and attendance come from cop.invitations.
"""
from datetime import date, time, timedelta

from sqlalchemy import select

from cop.communities.models import Community, Membership
from cop.events import scheduling
from cop.events.models import Event, Series, Venue
from cop.events.times import london_now, to_utc
from cop.extensions import db
from cop.people.models import Person

PAST_BIG_ROOM = "Big Room: frailty and the front door"
UPCOMING_BIG_ROOM = "Big Room: health inequalities in our neighbourhoods"
LEARNING_SET = "Action learning set: leading across boundaries"
ASSEMBLY = "Mid and South Essex Assembly"
TUESDAY, WEDNESDAY, THURSDAY = 1, 2, 3
SET_FACILITATORS = ("tom.ashby@essex-acute.nhs.example", "jo.mensah@thurrock-cvs.org.example")


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _venue(community: Community, name: str, **fields) -> Venue:
    venue = db.session.execute(
        select(Venue).where(Venue.community_id == community.id, Venue.name == name)
    ).scalar_one_or_none()
    if venue is None:
        venue = Venue(community=community, name=name, **fields)
        db.session.add(venue)
        db.session.flush()
    return venue


def _event_titled(community: Community, title: str) -> Event | None:
    return db.session.execute(
        select(Event).where(Event.community_id == community.id, Event.title == title).order_by(Event.starts_at).limit(1)
    ).scalar_one_or_none()


def _big_room(community: Community, title: str, day: date, venue: Venue | None, speakers: str,
              description: str) -> Event:
    starts_at = to_utc(day, time(18, 0))
    return scheduling.create_event(community, "big_room", scheduling.EventDetails(
        title=title, starts_at=starts_at, ends_at=to_utc(day, time(21, 0)), description=description,
        venue=venue, capacity=200, rsvp_deadline=scheduling.deadline_before(starts_at, 7),
        speakers=speakers, has_meal=True,
    ), publish=True)


def _set_members(community: Community) -> tuple[list[Person], list[Person]]:
    """Six members from six organisations, and the two demo facilitators."""

    facilitators = list(db.session.execute(select(Person).where(Person.email.in_(SET_FACILITATORS))).scalars())
    members, organisations = [], set()
    candidates = db.session.execute(
        select(Person, Membership.organisation_id).join(Membership, Membership.person_id == Person.id)
        .where(Membership.community_id == community.id, Membership.role == "member")
        .order_by(Person.id)
    ).all()
    for person, organisation_id in candidates:
        if organisation_id not in organisations:
            organisations.add(organisation_id)
            members.append(person)
        if len(members) == 6:
            break
    return members, facilitators


def add_demo_events(community: Community) -> dict[str, Event]:
    today = london_now().date()
    civic = _venue(
        community, "Chelmsford Civic Centre, Main Hall", address="Duke Street\nChelmsford\nCM1 1JE",
        capacity=220, access_information="Step-free entrance from Duke Street, lift to all floors, hearing loop, "
        "accessible toilets on the ground floor. Blue badge parking behind the building.",
        table_layout=[10] * 20,
    )
    events = {}
    events["past_big_room"] = _event_titled(community, PAST_BIG_ROOM) or _big_room(
        community, PAST_BIG_ROOM, _weekday_on_or_after(today - timedelta(days=33), TUESDAY), civic,
        "Dr Amina Rahman, consultant geriatrician\nSteve Cole, Age Well Essex",
        "What happens when a frail older person arrives at A&E, and what could have happened the week before.",
    )
    events["upcoming_big_room"] = _event_titled(community, UPCOMING_BIG_ROOM) or _big_room(
        community, UPCOMING_BIG_ROOM, _weekday_on_or_after(today + timedelta(days=19), TUESDAY), civic,
        "Professor Leila Ahmed, University of Essex\nMarcus Green, Basildon Foodbank",
        "Who falls through the gaps between our services, and what each of us can change on Monday.",
    )
    series = db.session.execute(
        select(Series).where(Series.community_id == community.id, Series.title == LEARNING_SET)
    ).scalar_one_or_none()
    if series is None:
        room = _venue(community, "Thurrock CVS, Meeting Room 2", address="Grays Town Centre\nGrays\nRM17 6SL",
                      capacity=12, access_information="Ground floor, step-free.", table_layout=[10])
        members, facilitators = _set_members(community)
        series = scheduling.create_series(
            community, "action_learning_set", LEARNING_SET,
            scheduling.SeriesRule("monthly", starts_on=today, weekday=WEDNESDAY, week_of_month=2, count=4),
            time(9, 30), time(12, 30),
            scheduling.OccurrenceTemplate(
                description="Six leaders from six organisations bring a live problem each session.",
                venue=room, capacity=8, rsvp_days_before=3,
            ),
            members=members, facilitators=facilitators, publish=True,
        )
        db.session.flush()
    events["learning_set_series"] = series.events[0]
    if (assembly := _event_titled(community, ASSEMBLY)) is None:
        arena = _venue(community, "Basildon Sporting Village, Arena", address="Cranes Farm Road\nBasildon\nSS14 3GF",
                       capacity=400, access_information="Step-free throughout, hearing loop, quiet room.")
        day = _weekday_on_or_after(today + timedelta(days=45), THURSDAY)
        starts_at = to_utc(day, time(10, 0))
        assembly = scheduling.create_event(community, "assembly", scheduling.EventDetails(
            title=ASSEMBLY, starts_at=starts_at, ends_at=to_utc(day, time(16, 0)),
            description="Our yearly gathering: what the system learned this year, and what we do next.",
            venue=arena, online_url="https://meet.example.org/mse-assembly", attendance_mode="hybrid",
            capacity=300, rsvp_deadline=scheduling.deadline_before(starts_at, 14),
            agenda="10am Welcome\n10:30am What we learned this year\n1pm Lunch\n2pm Workshops\n3:30pm What next",
        ), publish=True)
    events["assembly"] = assembly
    db.session.flush()
    return events
