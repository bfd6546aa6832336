"""The event, series and venue pages: good input saves, bad input shows field errors and saves nothing."""
from datetime import datetime

import pytest
from flask import g
from sqlalchemy import func, select

from cop.events.models import Event, Series, SeriesMember, Venue
from cop.extensions import db
from cop.mail.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def organiser_client(app):
    group = factories.community(slug="big-room")
    organiser = factories.member(group, "organiser")
    hall = factories.venue(group, name="Civic Centre", capacity=150)
    db.session.commit()
    client = app.test_client()
    sign_in(client, factories.account(organiser))
    return client, group, hall


GOOD_BIG_ROOM = {
    "format": "big_room", "title": "Big Room: frailty", "description": "An evening on frailty.",
    "day": "2026-12-08", "starts": "18:00", "ends": "21:00", "attendance_mode": "in_person",
    "capacity": "120", "speakers": "Dr A Speaker", "has_meal": "y", "rsvp_day": "2026-12-01", "rsvp_time": "17:00",
}


def _form(hall, **changes):
    data = {**GOOD_BIG_ROOM, "venue": str(hall.id)}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_choosing_a_format_shows_its_defaults(organiser_client):
    client, _, _ = organiser_client
    page = client.get("/communities/big-room/events/new")
    assert page.status_code == 200 and "What kind of event is it?" in page.text
    big_room = client.get("/communities/big-room/events/new?format=big_room").text
    assert 'value="18:00"' in big_room and 'value="21:00"' in big_room and "Speakers" in big_room
    assembly = client.get("/communities/big-room/events/new?format=assembly").text
    assert 'value="10:00"' in assembly and "Agenda" in assembly and "Speakers" not in assembly
    assert client.get("/communities/big-room/events/new?format=party").status_code == 400


def test_creating_a_big_room(organiser_client):
    client, group, hall = organiser_client
    response = client.post("/communities/big-room/events/new", data=_form(hall, publish="y"))
    assert response.status_code == 302
    event = db.session.execute(select(Event)).scalar_one()
    assert (event.title, event.starts_at, event.ends_at) == (
        "Big Room: frailty", datetime(2026, 12, 8, 18), datetime(2026, 12, 8, 21))
    assert event.rsvp_deadline == datetime(2026, 12, 1, 17)
    assert (event.status, event.sequence, event.has_meal, event.venue_id, event.is_public) == (
        "published", 0, True, hall.id, True)
    page = client.get(response.headers["Location"]).text
    assert "Tuesday 8 December 2026, 6pm to 9pm" in page
    assert "5pm on Tuesday 1 December 2026" in page
    assert "20 tables of 10 (200 seats)" in page


def test_a_summer_event_is_stored_in_utc(organiser_client):
    client, _, hall = organiser_client
    client.post("/communities/big-room/events/new", data=_form(hall, day="2026-07-14", rsvp_day=None, rsvp_time=None))
    assert db.session.execute(select(Event.starts_at)).scalar_one() == datetime(2026, 7, 14, 17)


@pytest.mark.parametrize("changes, field, message", [
    ({"title": ""}, "title", "Enter a title"),
    ({"day": "31/02/2026"}, "day", "Enter a real date"),
    ({"starts": "6pm"}, "starts", "Enter a time, like 18:00"),
    ({"ends": "17:00"}, "ends", "The end time must be after the start time"),
    ({"day": "2026-03-29", "starts": "01:30", "ends": "03:00", "rsvp_day": None, "rsvp_time": None},
     "starts", "does not exist in the UK"),
    ({"capacity": "0"}, "capacity", "Enter a capacity from 1 to 5,000"),
    ({"capacity": "lots"}, "capacity", "Enter a capacity from 1 to 5,000"),
    ({"capacity": "500"}, "capacity", "more than the venue holds (150)"),
    ({"venue": ""}, "venue", "Choose the venue"),
    ({"venue": "99999"}, "venue", "Not a valid choice"),
    ({"attendance_mode": "online"}, "attendance_mode", "Not a valid choice"),  # Big Rooms meet in person
    ({"rsvp_day": "2026-12-09"}, "rsvp_day", "People must answer before the event starts"),
    ({"rsvp_time": None}, "rsvp_time", "Enter both the date and the time"),
])
def test_bad_event_input_shows_a_field_error_and_saves_nothing(organiser_client, changes, field, message):
    client, _, hall = organiser_client
    events_before, mail_before = _count(Event), _count(OutboxMessage)
    response = client.post("/communities/big-room/events/new", data=_form(hall, **changes))
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert (_count(Event), _count(OutboxMessage)) == (events_before, mail_before)


def test_an_online_assembly_needs_its_link(organiser_client):
    client, _, hall = organiser_client
    data = _form(hall, format="assembly", attendance_mode="hybrid", online_url=None, agenda="10am welcome")
    response = client.post("/communities/big-room/events/new", data=data)
    assert response.status_code == 400 and "Enter the online joining link" in response.text
    data["online_url"] = "not a link"
    assert "Enter the full joining link" in client.post("/communities/big-room/events/new", data=data).text
    data["online_url"] = "https://meet.example.org/assembly"
    assert client.post("/communities/big-room/events/new", data=data).status_code == 302
    event = db.session.execute(select(Event)).scalar_one()
    assert (event.attendance_mode, event.agenda, event.speakers, event.has_meal) == (
        "hybrid", "10am welcome", "", False)


def test_editing_the_time_of_a_published_event_tells_the_invited(organiser_client):
    client, group, hall = organiser_client
    event = factories.event(group, title="Big Room", venue=hall, capacity=100)
    guest = factories.member(group)
    factories.invitation(event, guest, answer="yes", place="confirmed")
    db.session.commit()
    form = client.get(f"/events/{event.id}/edit").text
    assert 'value="2026-12-08"' in form and 'value="18:00"' in form
    response = client.post(f"/events/{event.id}/edit", data=_form(
        hall, title="Big Room", capacity="100", starts="18:30", rsvp_day=None, rsvp_time=None, has_meal=None,
        speakers=None))
    assert response.status_code == 302
    db.session.refresh(event)
    assert (event.starts_at, event.sequence) == (datetime(2026, 12, 8, 18, 30), 1)
    assert db.session.execute(select(OutboxMessage.recipient)).scalars().all() == [guest.email]


def test_bad_edit_changes_nothing(organiser_client):
    client, group, hall = organiser_client
    event = factories.event(group, title="Big Room", venue=hall)
    db.session.commit()
    response = client.post(f"/events/{event.id}/edit", data=_form(hall, title="", ends="10:00"))
    assert response.status_code == 400 and "Enter a title" in response.text and "after the start time" in response.text
    db.session.refresh(event)
    assert (event.title, event.sequence) == ("Big Room", 0)


def test_cancel_asks_first_then_cancels_once(organiser_client):
    client, group, hall = organiser_client
    event = factories.event(group, title="Big Room", venue=hall)
    factories.invitation(event, factories.member(group), answer="yes", place="confirmed")
    db.session.commit()
    assert "Cancel Big Room?" in client.get(f"/events/{event.id}/cancel").text
    too_long = client.post(f"/events/{event.id}/cancel", data={"note": "x" * 2001})
    assert too_long.status_code == 400 and "2,000 characters or fewer" in too_long.text
    db.session.refresh(event)
    assert event.status == "published" and _count(OutboxMessage) == 0
    assert client.post(f"/events/{event.id}/cancel", data={"note": "Sorry"}).status_code == 302
    client.post(f"/events/{event.id}/cancel", data={"note": "Sorry again"})
    db.session.refresh(event)
    assert (event.status, event.sequence, _count(OutboxMessage)) == ("cancelled", 1, 1)
    assert client.get(f"/events/{event.id}/edit").status_code == 302  # a cancelled event is not edited


def test_publish_a_draft(organiser_client):
    client, group, hall = organiser_client
    draft = factories.event(group, status="draft", venue=hall)
    db.session.commit()
    assert client.post(f"/events/{draft.id}/publish").status_code == 302
    db.session.refresh(draft)
    assert (draft.status, draft.sequence) == ("published", 1)


def test_members_see_published_events_and_only_their_private_ones(app):
    group = factories.community(slug="big-room")
    member, other = factories.member(group), factories.member(group)
    published = factories.event(group, title="Published Big Room")
    draft = factories.event(group, title="Draft Big Room", status="draft")
    private = factories.event(group, title="Learning set session", format="action_learning_set", is_public=False)
    factories.invitation(private, member)
    db.session.commit()
    client = app.test_client()
    sign_in(client, factories.account(other))
    listing = client.get("/communities/big-room/events").text
    assert "Published Big Room" in listing and "Draft Big Room" not in listing and "Learning set session" not in listing
    assert client.get(f"/events/{draft.id}").status_code == 404
    assert client.get(f"/events/{private.id}").status_code == 404
    assert client.get(f"/events/{published.id}").status_code == 200
    g.pop("_login_user", None)  # the test's app context outlives requests: forget the first visitor
    sign_in(client, factories.account(member))
    assert "Learning set session" in client.get("/communities/big-room/events").text
    assert client.get(f"/events/{private.id}").status_code == 200


def test_unknown_event_is_not_found(organiser_client):
    client, _, _ = organiser_client
    assert client.get("/events/999999").status_code == 404
    assert client.get("/series/999999").status_code == 404


# --- series -----------------------------------------------------------------------------------


def _series_form(hall, **changes):
    data = {
        "format": "big_room", "title": "Monthly Big Room", "recurrence": "monthly", "week_of_month": "2",
        "weekday": "1", "starts_on": "2026-12-01", "count": "3", "starts": "18:00", "ends": "21:00",
        "attendance_mode": "in_person", "venue": str(hall.id), "capacity": "120", "rsvp_days_before": "7",
        "has_meal": "y", "publish": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_creating_a_second_tuesday_series(organiser_client):
    client, group, hall = organiser_client
    response = client.post("/communities/big-room/series/new", data=_series_form(hall))
    assert response.status_code == 302
    series = db.session.execute(select(Series)).scalar_one()
    assert [e.starts_at for e in series.events] == [
        datetime(2026, 12, 8, 18), datetime(2027, 1, 12, 18), datetime(2027, 2, 9, 18)]
    assert series.events[0].rsvp_deadline == datetime(2026, 12, 1, 18)
    page = client.get(response.headers["Location"]).text
    assert "Second Tuesday of every month, 6pm to 9pm" in " ".join(page.split())


def test_creating_a_series_on_chosen_dates(organiser_client):
    client, _, hall = organiser_client
    data = _series_form(hall, recurrence="dates", dates="8/12/2026\n2027-03-30\n", count=None, starts_on=None)
    assert client.post("/communities/big-room/series/new", data=data).status_code == 302
    assert db.session.execute(select(Event.starts_at).order_by(Event.starts_at)).scalars().all() == [
        datetime(2026, 12, 8, 18), datetime(2027, 3, 30, 17)]


@pytest.mark.parametrize("changes, field, message", [
    ({"title": ""}, "title", "Enter a title"),
    ({"count": None}, "count", "Enter the number of sessions, or the last possible date"),
    ({"count": "100"}, "count", "from 1 to 60"),
    ({"starts_on": None}, "starts_on", "Enter the first date the series may meet"),
    ({"recurrence": "dates", "dates": ""}, "dates", "Enter the dates of the sessions"),
    ({"recurrence": "dates", "dates": "next Tuesday"}, "dates", "Cannot read"),
    ({"recurrence": "weekly"}, "recurrence", "Not a valid choice"),
    ({"ends": "17:00"}, "ends", "The end time must be after the start time"),
    ({"week_of_month": "-1", "weekday": "6", "starts_on": "2027-03-01", "starts": "01:30", "ends": "03:00"},
     "starts", "does not exist in the UK"),
    ({"until": "2026-11-01", "count": None}, "until", "The last possible date must be after the first"),
    ({"rsvp_days_before": "-1"}, "rsvp_days_before", "from 0 to 90"),
])
def test_bad_series_input_saves_nothing(organiser_client, changes, field, message):
    client, _, hall = organiser_client
    before = (_count(Series), _count(Event))
    response = client.post("/communities/big-room/series/new", data=_series_form(hall, **changes))
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text and message in response.text
    assert (_count(Series), _count(Event)) == before


def test_an_action_learning_set_has_five_to_eight_members_and_one_or_two_facilitators(organiser_client):
    client, group, hall = organiser_client
    members = [factories.member(group) for _ in range(6)]
    facilitator = factories.member(group, "facilitator")
    outsider = factories.person()
    db.session.commit()
    data = _series_form(hall, format="action_learning_set", title="Leading across boundaries", has_meal=None,
                        capacity="8", count="4", members="\n".join(m.email for m in members[:4]),
                        facilitators=facilitator.email)
    too_few = client.post("/communities/big-room/series/new", data=data)
    assert too_few.status_code == 400 and "5 to 8 members (you entered 4)" in too_few.text
    data["members"] = "\n".join([m.email for m in members] + [outsider.email])
    not_in = client.post("/communities/big-room/series/new", data=data)
    assert not_in.status_code == 400 and f"{outsider.email} is not in this community" in not_in.text
    assert (_count(Series), _count(SeriesMember)) == (0, 0)
    data["members"] = "\n".join(m.email.upper() for m in members)
    assert client.post("/communities/big-room/series/new", data=data).status_code == 302
    series = db.session.execute(select(Series)).scalar_one()
    assert len(series.events) == 4 and all(not e.is_public for e in series.events)
    assert sorted(m.person_id for m in series.members if m.role == "member") == sorted(m.id for m in members)
    assert [m.person_id for m in series.members if m.role == "facilitator"] == [facilitator.id]


def test_series_edit_this_or_following(organiser_client):
    client, group, hall = organiser_client
    client.post("/communities/big-room/series/new", data=_series_form(hall))
    series = db.session.execute(select(Series)).scalar_one()
    first, second, third = series.events
    edit = {"scope": "following", "title": "Monthly Big Room", "day": "2027-01-12", "starts": "19:00", "ends": "21:30",
            "attendance_mode": "in_person", "venue": str(hall.id), "capacity": "120", "has_meal": "y"}
    page = client.get(f"/series/{series.id}/edit?event_id={second.id}")
    assert page.status_code == 200 and 'value="2027-01-12"' in page.text
    assert client.post(f"/series/{series.id}/edit?event_id={second.id}", data=edit).status_code == 302
    db.session.expire_all()
    assert [e.starts_at.hour for e in series.events] == [18, 19, 19]
    bad = client.post(f"/series/{series.id}/edit?event_id={first.id}", data={**edit, "scope": "this", "ends": "09:00"})
    assert bad.status_code == 400 and "after the start time" in bad.text
    db.session.expire_all()
    assert series.events[0].starts_at == datetime(2026, 12, 8, 18)


# --- venues -----------------------------------------------------------------------------------


def test_adding_a_venue_with_its_table_layout(organiser_client):
    client, group, _ = organiser_client
    response = client.post("/communities/big-room/venues/new", data={
        "name": "Riverside Hall", "address": "2 River Road", "capacity": "220",
        "access_information": "Step-free", "tables": "18 x 10, 2 x 8"})
    assert response.status_code == 302
    venue = db.session.execute(select(Venue).where(Venue.name == "Riverside Hall")).scalar_one()
    assert venue.table_layout == [10] * 18 + [8] * 2
    assert "18 tables of 10, 2 tables of 8 (196 seats)" in client.get("/communities/big-room/venues").text


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "Enter the venue&#39;s name"),
    ({"tables": "lots of tables"}, "Write tables like 20 x 10"),
    ({"tables": "3 x 50"}, "A table seats from 1 to 30 people"),
    ({"capacity": "50", "tables": "20 x 10"}, "The tables seat 200, more than the venue holds (50)"),
])
def test_bad_venue_input_saves_nothing(organiser_client, changes, message):
    client, _, hall = organiser_client
    before = _count(Venue)
    response = client.post("/communities/big-room/venues/new", data={"name": "Hall", "tables": "10, 10", **changes})
    assert response.status_code == 400 and message in response.text
    assert _count(Venue) == before
    edited = client.post(f"/communities/big-room/venues/{hall.id}/edit",
                         data={"name": "Hall", "tables": "10", **changes})
    assert edited.status_code == 400
    db.session.refresh(hall)
    assert hall.name == "Civic Centre"


def test_a_venue_of_another_community_is_not_found(organiser_client):
    client, _, _ = organiser_client
    elsewhere = factories.venue(factories.community())
    db.session.commit()
    assert client.get(f"/communities/big-room/venues/{elsewhere.id}/edit").status_code == 404
