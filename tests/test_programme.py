"""The year of themes (issue 22): themes by month, events carrying them, CATEGORIES in the community feed."""
from datetime import date, datetime

from sqlalchemy import select

from cop.events.models import Event, Theme
from cop.extensions import db
from cop.programme import year
from tests import factories
from tests.conftest import sign_in


def _world():
    group = factories.community(slug="big-room", name="Rhwydwaith Caerdydd")
    organiser = factories.account(factories.member(group, "organiser"))
    event = factories.event(group, title="Big Room: eiddilwch", starts_at=datetime(2027, 3, 9, 18))
    db.session.commit()
    return group, organiser, event


def test_an_organiser_plans_a_theme_and_the_community_feed_carries_it(app, client):
    group, organiser, event = _world()
    sign_in(client, organiser)
    response = client.post("/communities/big-room/year/plan", data={
        "name": "Eiddilwch – frailty", "month": "2027-03-01", "description": "Cyn y drws ffrynt"})
    assert response.status_code == 302
    again = client.post("/communities/big-room/year/plan", data={"name": "Eiddilwch – frailty", "month": ""})
    assert again.status_code == 400 and "already has a theme" in again.text
    theme = db.session.execute(select(Theme)).scalar_one()
    before = event.updated_at
    assert client.post("/communities/big-room/year/event-theme",
                       data={"event": str(event.id), "theme": str(theme.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).theme_id == theme.id and db.session.get(Event, event.id).updated_at > before
    feed = app.test_client().get("/communities/big-room/calendar.ics").get_data(as_text=True)
    assert "CATEGORIES:Eiddilwch – frailty" in feed


def test_the_year_page_and_pdf_show_each_month_s_theme_to_anyone(app):
    group, _organiser, event = _world()
    theme = year.add_theme(group, "Eiddilwch", date(2027, 3, 1))
    year.give_event_theme(event, theme)
    db.session.commit()
    months = year.the_year(group, date(2027, 1, 1))
    assert [m.label for m in months][:3] == ["January 2027", "February 2027", "March 2027"]
    assert months[2].themes == [theme] and months[2].events == [event]
    page = app.test_client().get("/communities/big-room/year")
    assert page.status_code == 200
    pdf = app.test_client().get("/communities/big-room/year.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_member_cannot_plan_and_another_community_s_theme_is_refused(app, client):
    group, _organiser, event = _world()
    member = factories.account(factories.member(group))
    other = factories.community()
    db.session.flush()
    foreign = year.add_theme(other, "Elsewhere", None)
    db.session.commit()
    sign_in(client, member)
    assert client.get("/communities/big-room/year/plan").status_code == 403
    try:
        year.give_event_theme(event, foreign)
    except year.ThemeRefused:
        pass
    else:
        raise AssertionError("another community's theme was given")
