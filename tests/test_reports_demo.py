"""The demo's year of Big Rooms: twelve past events with check-ins and plans, and a trend in the report."""
from sqlalchemy import func, select

from cop.communities.models import Community
from cop.demo import COMMUNITY_SLUG, load_demo
from cop.events.demo import add_demo_events
from cop.events.times import to_london
from cop.extensions import db
from cop.reports import queries
from cop.reports.demo import TOPICS, add_demo_year
from cop.seating import plans
from cop.seating.models import SeatingPlan


def test_the_demo_has_a_year_of_big_rooms_with_a_trend(app):
    load_demo()
    community = db.session.execute(select(Community).where(Community.slug == COMMUNITY_SLUG)).scalar_one()
    events = add_demo_events(community)
    report = queries.community_report(community)
    titles = [figure.record.title for figure in report.events]
    assert titles == [title for title, _ in TOPICS] + [events["past_big_room"].title]
    days = [to_london(figure.record.starts_at).date() for figure in report.events]
    # One a month for a year, whatever today's date: consecutive calendar months, four or five weeks apart.
    months = [day.year * 12 + day.month for day in days]
    assert months == list(range(months[0], months[0] + len(days)))
    assert all((later - earlier).days in (28, 35) for earlier, later in zip(days, days[1:]))
    # Every event was seated from its check-ins, with the history of the plans before it.
    assert all(figure.has_plan and figure.seated == figure.attendance > 40 for figure in report.events)
    assert all(0.5 < figure.reach_share <= 1 for figure in report.events)
    # Growth: more people and more organisations as the year goes on.
    attendance = [figure.attendance for figure in report.events]
    assert attendance[-1] > attendance[0] * 1.5
    reached = report.organisations_reached
    assert reached == sorted(reached) and reached[0] <= 15 and reached[-1] >= 30
    assert report.events[1].new_cross_pairs > 0.8 * report.events[1].cross_pairs  # met_before kept pairs apart

    # A second run changes nothing.
    plans_before = db.session.execute(select(func.count(SeatingPlan.id))).scalar_one()
    assert add_demo_year(community, events)
    load_demo()
    assert db.session.execute(select(func.count(SeatingPlan.id))).scalar_one() == plans_before
    assert [f.attendance for f in queries.community_report(community).events] == attendance
    # The upcoming Big Room's plan was made knowing who sat together during the year.
    upcoming = events["upcoming_big_room"]
    confirmed = [p.id for p in plans.people_to_seat(upcoming, "confirmed")]
    assert len(plans.met_before_pairs(upcoming, confirmed)) > 1000


def test_the_reports_show_the_demo_feedback_follow_ups(demo, client):
    from cop.accounts.models import Account
    from cop.feedback.results import follow_up_pairs
    from cop.people.models import Person
    from tests.conftest import sign_in

    community = demo
    past = add_demo_events(community)["past_big_room"]
    pairs = follow_up_pairs([past.id])
    assert pairs  # the demo's answers name people to follow up with
    organiser = db.session.execute(select(Account).join(Person).where(
        Person.email == "rachel.okoye@mse-icb.nhs.example")).scalar_one()
    sign_in(client, organiser)
    page = client.get(f"/events/{past.id}/report").get_data(as_text=True)
    people_chosen = len({chosen for _, chosen in pairs})
    assert f"{len(pairs)} intentions naming {people_chosen} people" in page
    csv_text = client.get(f"/communities/{COMMUNITY_SLUG}/report.csv").get_data(as_text=True)
    assert f"follow-up intentions from feedback,,,intentions,,{len(pairs)}" in csv_text


def test_anonymous_follow_ups_are_not_reported_as_none_across_organisations(app):
    """Issue 17, item 7: every answer anonymous, so no organisation is known: not "Across organisations 0"."""
    from flask import render_template

    from cop.reports.figures import FollowUps

    with app.test_request_context():
        anonymous = render_template("reports/_follow_ups.html", follow_ups=FollowUps(4, 0, 4, 3))
        named = render_template("reports/_follow_ups.html", follow_ups=FollowUps(4, 2, 1, 3))
    assert "Not known: the answers are anonymous" in anonymous and ">0<" not in anonymous
    assert "2 of the 3 whose two organisations are known" in named
