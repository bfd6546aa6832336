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


def test_the_demo_cohort_is_formed_into_sets_with_sessions_and_exchange_pairs_are_introduced(app):
    from cop.communities.members import members_by_id
    from cop.events.models import Series
    from cop.exchange import pairing as exchange
    from cop.exchange.demo import EXCHANGE_PAIRS
    from cop.exchange.models import ExchangePair
    from cop.mail.models import OutboxMessage
    from cop.seating import sets
    from cop.seating.demo import COHORT
    from cop.seating.models import SetFormation

    load_demo()
    [formation] = db.session.execute(select(SetFormation)).scalars().all()
    assert formation.title == COHORT and formation.status == "created" and sets.problems_of(formation) == []
    assert len(formation.settings["apart"]) >= 2 and formation.score["hard_violations"] == 0
    for view, series in zip(sets.sets_view(formation), sets.series_of(formation)):
        assert 5 <= len(view.members) <= 8 and len(view.facilitators) == 1
        assert series.format == "action_learning_set" and len(series.events) == 4
        assert {m.person_id for m in series.members} == {p.id for p in view.members + view.facilitators}
    pairs = db.session.execute(select(ExchangePair)).scalars().all()
    assert len(pairs) == EXCHANGE_PAIRS
    members = members_by_id(formation.community_id, [pid for p in pairs for pid in (p.first_id, p.second_id)])
    assert all(exchange.can_pair(members[p.first_id], members[p.second_id]) for p in pairs)
    introductions = db.session.execute(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.subject.like("An introduction from%"))).scalar_one()
    assert introductions == 2 * EXCHANGE_PAIRS

    series_before = db.session.execute(select(func.count()).select_from(Series)).scalar_one()
    load_demo()  # a second run changes nothing
    assert db.session.execute(select(func.count()).select_from(SetFormation)).scalar_one() == 1
    assert db.session.execute(select(func.count()).select_from(Series)).scalar_one() == series_before
    assert db.session.execute(select(func.count()).select_from(ExchangePair)).scalar_one() == EXCHANGE_PAIRS
