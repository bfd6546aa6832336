"""What subscribers and invitees see stays current: validators change with everything the calendar text
quotes (a venue's address, a series' title, the community's name), a venue's new address is a revision
that is mailed, the repeated autumn hour reads alike in every parser, and no organiser's own address is
published."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from cop.calendars import feeds
from cop.events import scheduling
from cop.events.times import to_london
from cop.events.venues import VenueDetails, save_venue
from cop.extensions import db
from cop.mail.models import OutboxMessage
from tests import calendar_factories as make
from tests import factories
from tests.calendar_parsers import both_parsers, with_icaljs
from tests.conftest import sign_in

YEAR = datetime.now().year + 1
ORGANISER_ADDRESSES = ("llyr.dafydd@nhs.net", "olu.organiser@nhs.net")


@pytest.fixture
def group(app):
    group = factories.community(slug="gogledd", name="Cymuned Ymarfer")
    for name, email in zip(("Llŷr ap Dafydd", "Olu Organiser"), ORGANISER_ADDRESSES):
        factories.member(group, "organiser", factories.person(name=name, email=email))
    db.session.commit()
    return group


def _paths(event, person) -> dict[str, str]:
    return {
        "community feed": f"/communities/{event.community.slug}/calendar.ics",
        "event file": f"/events/{event.id}.ics",
        "personal feed": feeds.feed_url_for_person(person).removeprefix("http://cop.test"),
    }


def _validators(client, paths) -> dict[str, str]:
    out = {}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, name
        out[name] = response.headers["ETag"]
    return out


def _all_fresh(client, paths, etags) -> dict[str, str]:
    """Each path, asked with the old ETag, answers 200 with new text (never 304)."""
    texts = {}
    for name, path in paths.items():
        response = client.get(path, headers={"If-None-Match": etags[name]})
        assert response.status_code == 200, f"{name} answered {response.status_code}: the old copy would stay"
        texts[name] = response.get_data(as_text=True)
    return texts


def test_a_venue_address_change_reaches_feeds_files_and_invitees(client, group):
    venue = make.venue(group, name="Canolfan Ŵyl", address="Hen Heol 1\nBangor LL57 1AA")
    event = make.event(group, datetime(YEAR, 3, 3, 18), datetime(YEAR, 3, 3, 21), title="Noson Fawr", venue=venue)
    siân = factories.member(group, someone=factories.person(name="Siân Ellis"))
    zoë = factories.member(group, someone=factories.person(name="Zoë Brown"))
    make.invitation(event, siân, answer="yes", place="confirmed")
    make.invitation(event, zoë)
    db.session.commit()
    paths = _paths(event, siân)
    etags = _validators(client, paths)
    save_venue(group, VenueDetails(name="Canolfan Ŵyl", address="Ffordd Newydd 9\nBangor LL57 2BB"), venue)
    db.session.commit()

    for name, text in _all_fresh(client, paths, etags).items():
        [parsed] = [e for e in with_icaljs(text)["events"] if e["uid"] == event.uid]
        assert parsed["location"] == "Canolfan Ŵyl, Ffordd Newydd 9, Bangor LL57 2BB", name
        assert parsed["sequence"] == 1, name
    # Those invited hear of it as of a move: a REQUEST with the higher SEQUENCE and the new place.
    mails = list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
    assert sorted(m.recipient for m in mails) == sorted([siân.email, zoë.email])
    for mail in mails:
        assert mail.subject.startswith("Changed: Noson Fawr")
        assert "Ffordd Newydd 9" in mail.text_body and "Hen Heol 1" in mail.text_body
        [attachment] = mail.attachments
        assert "method=REQUEST" in attachment["content_type"]
        [parsed] = both_parsers(attachment["data"])
        assert parsed["sequence"] == 1
    # A change the calendars do not show (the capacity) is not a revision.
    save_venue(group, VenueDetails(name="Canolfan Ŵyl", address="Ffordd Newydd 9\nBangor LL57 2BB", capacity=80),
               venue)
    db.session.commit()
    assert event.sequence == 1 and len(list(db.session.execute(select(OutboxMessage)).scalars())) == 2


def test_a_new_series_title_refreshes_the_earlier_sessions_that_quote_it(client, group):
    series = factories.series(group, title="Cyfres y Gaeaf", count=3)
    db.session.commit()
    first, second, _ = series.events
    db.session.commit()
    paths = {"first session": f"/events/{first.id}.ics", "community feed": "/communities/gogledd/calendar.ics"}
    etags = _validators(client, paths)
    start, end = to_london(second.starts_at), to_london(second.ends_at)
    scheduling.edit_occurrences(second, scheduling.OccurrenceChanges(
        title="Cyfres y Gwanwyn", day=start.date(), starts=start.time(), ends=end.time(), venue=second.venue,
        capacity=second.capacity), "following")
    db.session.commit()
    texts = _all_fresh(client, paths, etags)
    assert "Part of the series: Cyfres y Gwanwyn" in texts["first session"].replace("\r\n ", "")


def test_a_renamed_community_refreshes_the_personal_feed_and_the_event_file(client, group):
    event = make.event(group, datetime(YEAR, 3, 3, 18), datetime(YEAR, 3, 3, 21))
    guest = factories.member(group)
    make.invitation(event, guest, answer="yes", place="confirmed")
    db.session.commit()
    paths = _paths(event, guest)
    etags = _validators(client, paths)
    group.name = "Cymuned Ymarfer Gogledd Cymru"
    db.session.commit()
    for text in _all_fresh(client, paths, etags).values():
        assert 'CN="Cymuned Ymarfer Gogledd Cymru"' in text.replace("\r\n ", "") or \
            "CN=Cymuned Ymarfer Gogledd Cymru" in text.replace("\r\n ", "")


def test_no_organisers_personal_address_is_published(client, group):
    venue = make.venue(group)
    event = make.event(group, datetime(YEAR, 3, 3, 18), datetime(YEAR, 3, 3, 21), venue=venue)
    guest = factories.member(group)
    make.invitation(event, guest, answer="yes", place="confirmed")
    db.session.commit()
    for name, path in _paths(event, guest).items():
        text = client.get(path).get_data(as_text=True).replace("\r\n ", "").lower()
        for address in ORGANISER_ADDRESSES:
            assert address not in text, f"{address} in the {name}"
        assert 'organizer;cn="cymuned ymarfer":mailto:no-reply@cop.localhost' in text \
            or "organizer;cn=cymuned ymarfer:mailto:no-reply@cop.localhost" in text, name


@pytest.mark.parametrize("utc_start, label", [(datetime(2026, 10, 25, 0, 30), "01:30 BST"),
                                              (datetime(2026, 10, 25, 1, 30), "01:30 GMT")])
def test_the_repeated_autumn_hour_reads_alike_in_feeds_and_files(client, group, utc_start, label):
    """01:30 happens twice on 25 October 2026 in London; each event is read at its own instant by both parsers."""
    event = make.Event(community=group, format="big_room", title=f"Night shift huddle ({label})",
                       starts_at=utc_start, ends_at=utc_start + timedelta(minutes=45), status="published")
    db.session.add(event)
    guest = factories.member(group)
    make.invitation(event, guest, answer="yes", place="confirmed")
    db.session.commit()
    expected = (utc_start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                (utc_start + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    for name, path in _paths(event, guest).items():
        [parsed] = both_parsers(client.get(path).get_data(as_text=True))
        assert (parsed["start"], parsed["end"]) == expected, name


# --- "Add to calendar" links -----------------------------------------------------------------

def test_a_cancelled_event_offers_no_add_to_calendar(client, group):
    event = make.event(group, datetime(YEAR, 3, 3, 18), datetime(YEAR, 3, 3, 21), title="Noson Fawr")
    organiser = db.session.execute(
        select(factories.Person).where(factories.Person.email == ORGANISER_ADDRESSES[0])).scalar_one()
    sign_in(client, factories.account(organiser))  # staff still see a cancelled event's page
    assert "Add to calendar" in client.get(f"/events/{event.id}").get_data(as_text=True)
    event.status = "cancelled"
    db.session.commit()
    response = client.get(f"/events/{event.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "has been cancelled" in page
    assert "Add to calendar" not in page and "deeplink/compose" not in page and "calendar/render" not in page


def test_add_links_cap_the_description_link_the_page_and_offer_outlook_com(app, group):
    from flask import render_template

    long_text = "Croeso — a long description of the evening, café and talks. " * 60  # about 3,700 characters
    event = make.event(group, datetime(YEAR, 3, 3, 18), datetime(YEAR, 3, 3, 21), title="Noson Fawr",
                       description=long_text)
    db.session.commit()
    with app.test_request_context():
        links = feeds.add_to_calendar_links(event)
        html = render_template("calendars/_add_to_calendar.html", event=event)
    assert links["outlook_personal"].startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    assert links["outlook"].startswith("https://outlook.office.com/calendar/0/deeplink/compose?")
    assert "Outlook.com" in html and links["outlook_personal"].replace("&", "&amp;") in html
    for name in ("outlook", "outlook_personal", "google"):
        assert len(links[name]) < 2000, name  # Outlook's deeplink and some gateways fail past about 2,000
        assert f"events%2F{event.id}" in links[name]  # the page has the whole description
        assert "%E2%80%A6" in links[name]  # the cut is shown with an ellipsis
