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


def test_the_organiser_moves_a_theme_to_another_month_and_back_to_not_placed(app, client):
    """The select form that dragging a theme onto a month fills in (tests/browser/test_year_journey.py drags)."""
    group, organiser, _event = _world()
    first = year.this_month()
    theme = year.add_theme(group, "Eiddilwch / Frailty", first)
    other = factories.community(slug="arall")
    db.session.flush()
    foreign = year.add_theme(other, "Anghydraddoldebau iechyd", None)
    db.session.commit()
    sign_in(client, organiser)
    page = client.get("/communities/big-room/year/plan")
    assert 'id="place-form"' in page.text and f'data-theme="{theme.id}"' in page.text
    assert "js/year-drag.js" in page.text and "cop-drag-hint" in page.text
    later = year.add_months(first, 5)
    moved = client.post("/communities/big-room/year/theme-month",
                        data={"place-theme": str(theme.id), "place-month": later.isoformat()})
    assert moved.status_code == 302 and moved.location.endswith("/communities/big-room/year/plan#year-board")
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).month == later
    assert client.post("/communities/big-room/year/theme-month",
                       data={"place-theme": str(theme.id), "place-month": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).month is None
    # Another community's theme, or a month outside the year, is not a choice: refused, nothing moved.
    refused = client.post("/communities/big-room/year/theme-month",
                          data={"place-theme": str(foreign.id), "place-month": later.isoformat()})
    assert refused.status_code == 400 and "Not a valid choice" in refused.text
    outside = client.post("/communities/big-room/year/theme-month",
                          data={"place-theme": str(theme.id), "place-month": year.add_months(first, 12).isoformat()})
    assert outside.status_code == 400
    db.session.expire_all()
    assert db.session.get(Theme, foreign.id).month is None and db.session.get(Theme, theme.id).month is None


LONG = "Anghydraddoldebau iechyd yng Nghymoedd Gwent – Łódź, Ærøskøbing, 東京の健康格差 <script>alert(1)</script>"


def test_the_year_picture_names_every_month_and_never_overflows_a_card(app):
    """The picture (issue 22, part 1): a card a month with its themes and events, labels cut to their card."""
    import xml.etree.ElementTree as ET

    from cop.programme import picture
    from cop.text import text_width

    group, _organiser, event = _world()
    year.add_theme(group, LONG, date(2027, 3, 1), "Hir iawn")
    for n in range(4):
        year.add_theme(group, f"Thema {n} – Gofal", date(2027, 5, 1))
    db.session.commit()
    months = year.the_year(group, date(2027, 1, 1))
    svg = picture.year_picture(group.name, months)
    root = ET.fromstring(svg)  # well-formed, the name's markup escaped
    assert "<script>" not in svg
    ns = {"s": picture.SVG_NS}
    cards = root.findall("s:g", ns)
    assert len(cards) == 12
    titles = [card.find("s:title", ns).text for card in cards]
    assert titles[2] == f"March 2027: {LONG}; 1 event"  # the whole name in the card's title
    assert titles[0] == "January 2027: no theme; no events"
    assert "and 2 more" in "".join(t.text for t in cards[4].iter(f"{{{picture.SVG_NS}}}text"))
    for card in cards:
        rect = card.find("s:rect", ns)
        right = float(rect.get("x")) + float(rect.get("width"))
        for text in card.findall("s:text", ns):
            size = float(text.get("font-size", 14))
            assert float(text.get("x")) + text_width(text.text, size) <= right - picture.PADDING + 0.01, text.text


def test_the_year_page_shows_the_picture_and_it_downloads(app):
    group, _organiser, _event = _world()
    year.add_theme(group, "Eiddilwch", year.this_month())
    db.session.commit()
    client = app.test_client()
    page = client.get("/communities/big-room/year").get_data(as_text=True)
    assert 'svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert '/communities/big-room/year.svg' in page and "<caption" in page  # the table beside it
    download = client.get("/communities/big-room/year.svg")
    assert download.status_code == 200 and download.mimetype == "image/svg+xml"
    assert "attachment" in download.headers["Content-Disposition"] and "sandbox" in download.headers[
        "Content-Security-Policy"]
    assert "Eiddilwch" in download.get_data(as_text=True)
