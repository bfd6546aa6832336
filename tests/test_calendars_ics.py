"""The iCalendar builder: times across clock changes, UIDs, sequences, statuses, answers, line form."""
import calendar as month_calendar
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from cop.calendars.timezones import transitions_in, vtimezone
from cop.extensions import db
from cop.ical import calendar_feed, event_ics
from tests import calendar_factories as make
from tests import factories
from tests.calendar_parsers import both_parsers, with_icaljs

THIS_YEAR = date.today().year
LONDON = ZoneInfo("Europe/London")


def last_sunday(year: int, month: int) -> date:
    days = month_calendar.monthrange(year, month)[1]
    last = date(year, month, days)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def cases(year: int) -> list[tuple[datetime, datetime, str, str]]:
    """(local start, local end, expected UTC start, expected UTC end) for a year's hard days.

    The expectations are written out from the UK rule (GMT in winter, BST = UTC+1 from 01:00 UTC
    on the last Sunday of March to 01:00 UTC on the last Sunday of October), not from zoneinfo.
    """
    march, october = last_sunday(year, 3), last_sunday(year, 10)
    january, july, december = date(year, 1, 15), date(year, 7, 15), date(year, 12, 10)
    at = lambda day, hour, minute=0: datetime(day.year, day.month, day.day, hour, minute)  # noqa: E731
    return [
        # Winter and summer evenings (BST is an hour ahead of UTC), and a December day.
        (at(january, 18), at(january, 21), z(at(january, 18)), z(at(january, 21))),
        (at(july, 18), at(july, 21), z(at(july, 17)), z(at(july, 20))),
        (at(december, 9), at(december, 17), z(at(december, 9)), z(at(december, 17))),
        # Across the change: 00:30 GMT to 03:30 BST is two hours in March...
        (at(march, 0, 30), at(march, 3, 30), z(at(march, 0, 30)), z(at(march, 2, 30))),
        # ...and 00:30 BST to 03:30 GMT is four hours in October.
        (at(october, 0, 30), at(october, 3, 30), z(at(october, 0, 30) - timedelta(hours=1)), z(at(october, 3, 30))),
        # Mornings of the change days.
        (at(march, 10), at(march, 12), z(at(march, 9)), z(at(march, 11))),
        (at(october, 10), at(october, 12), z(at(october, 10)), z(at(october, 12))),
    ]


ALL_CASES = cases(THIS_YEAR) + cases(THIS_YEAR + 1)


@pytest.fixture
def group(app):
    group = factories.community(slug="big-room", name="Big Room")
    factories.member(group, "organiser", factories.person(name="Olu Organiser", email="olu@example.org"))
    db.session.commit()
    return group


def test_london_vtimezone_uses_yearly_rules_that_match_the_tz_database():
    component = vtimezone("Europe/London", THIS_YEAR, THIS_YEAR + 12)
    text = component.to_ical().decode()
    assert "RDATE" not in text
    observances = {sub.name: sub for sub in component.subcomponents}
    assert set(observances) == {"DAYLIGHT", "STANDARD"}
    assert observances["DAYLIGHT"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert observances["STANDARD"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    assert observances["DAYLIGHT"].decoded("TZOFFSETTO") == timedelta(hours=1)
    assert observances["STANDARD"].decoded("TZOFFSETTO") == timedelta(0)
    # The rule, checked year by year against zoneinfo: the offset changes at 01:00 UTC on the last Sundays.
    for year in range(THIS_YEAR - 1, THIS_YEAR + 13):
        for month, before, after in ((3, 0, 1), (10, 1, 0)):
            change = datetime.combine(last_sunday(year, month), datetime.min.time()) + timedelta(hours=1)
            offset = lambda moment: moment.replace(tzinfo=timezone.utc).astimezone(LONDON).utcoffset()  # noqa: E731
            assert offset(change - timedelta(minutes=1)) == timedelta(hours=before)
            assert offset(change) == timedelta(hours=after)
        assert [t.utc for t in transitions_in("Europe/London", year)] == [
            datetime.combine(last_sunday(year, m), datetime.min.time()) + timedelta(hours=1) for m in (3, 10)
        ]


def test_a_rule_change_in_the_tz_database_starts_a_new_observance():
    # Until 1995 the UK ended summer time on the day after the fourth Saturday of October.
    text = vtimezone("Europe/London", 1994, 1997).to_ical().decode()
    assert "RRULE:FREQ=YEARLY;UNTIL=19951022T010000Z;BYDAY=4SU;BYMONTH=10" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text


def test_a_zone_without_summer_time_gets_one_standard_observance():
    component = vtimezone("UTC", THIS_YEAR, THIS_YEAR)
    assert [sub.name for sub in component.subcomponents] == ["STANDARD"]


def test_times_come_out_right_in_both_parsers_across_clock_changes(group):
    events = [make.event(group, start, end, title=f"Case {n}") for n, (start, end, _, _) in enumerate(ALL_CASES)]
    db.session.commit()
    feed = calendar_feed(events, "Big Room")
    parsed = {event["summary"]: event for event in both_parsers(feed)}
    for n, (_, _, start, end) in enumerate(ALL_CASES):
        assert (parsed[f"Case {n}"]["start"], parsed[f"Case {n}"]["end"]) == (start, end), f"case {n}"
    # And each event alone, as a download.
    for event, (_, _, start, end) in zip(events, ALL_CASES):
        [alone] = both_parsers(event_ics(event))
        assert (alone["start"], alone["end"]) == (start, end)


def test_the_calendar_says_what_clients_need(group):
    venue = make.venue(group)
    run = make.series(group, "Monthly Big Room")
    event = make.event(
        group, datetime(THIS_YEAR + 1, 2, 11, 18), datetime(THIS_YEAR + 1, 2, 11, 21), title="Big Room: frailty",
        venue=venue, series=run, online_url="https://meet.example/frailty", attendance_mode="hybrid",
        description="Speakers from the frailty team.",
    )
    db.session.commit()
    text = event_ics(event)
    parsed = icalendar.Calendar.from_ical(text)
    assert parsed["VERSION"] == "2.0" and parsed["CALSCALE"] == "GREGORIAN" and parsed["METHOD"] == "PUBLISH"
    assert parsed["PRODID"].startswith("-//cop//")
    [vevent] = parsed.walk("VEVENT")
    assert vevent["UID"] == event.uid
    # UTC, as Google writes it: no wall-clock time for a parser to place in the wrong hour.
    assert "DTSTART:20" in text and "DTEND:20" in text and "TZID" not in text and "VTIMEZONE" not in text
    assert vevent["LOCATION"] == "Chelmsford Civic Centre, Duke Street, Chelmsford CM1 1JE"
    assert vevent["URL"] == f"http://cop.test/events/{event.id}"
    assert "https://meet.example/frailty" in vevent["DESCRIPTION"]
    assert "Monthly Big Room" in vevent["DESCRIPTION"]
    assert vevent["CONFERENCE"] == "https://meet.example/frailty"
    assert vevent["CONFERENCE"].params["VALUE"] == "URI"
    # cop's own address with the community's name: never the organiser's personal mailbox.
    assert vevent["ORGANIZER"] == "mailto:no-reply@cop.localhost" and vevent["ORGANIZER"].params["CN"] == "Big Room"
    assert "olu@example.org" not in text
    assert vevent.decoded("LAST-MODIFIED") == event.updated_at.replace(microsecond=0, tzinfo=timezone.utc)
    assert "DTSTAMP" in vevent and vevent["STATUS"] == "CONFIRMED"
    js = with_icaljs(text)
    assert js["method"] == "PUBLISH"
    assert js["events"][0]["conference"] == "https://meet.example/frailty"
    assert js["events"][0]["location"] == "Chelmsford Civic Centre, Duke Street, Chelmsford CM1 1JE"


def test_without_the_online_link_the_file_says_where_to_find_it(group):
    event = make.event(group, datetime(THIS_YEAR + 1, 2, 11, 18), datetime(THIS_YEAR + 1, 2, 11, 21),
                       online_url="https://meet.example/secret", attendance_mode="online")
    db.session.commit()
    text = event_ics(event, include_online_link=False)
    assert "meet.example" not in text and "CONFERENCE" not in text
    assert "LOCATION:Online" in text


def test_without_an_organiser_the_sender_organises(app):
    group = factories.community()
    event = make.event(group, datetime(THIS_YEAR + 1, 2, 11, 18), datetime(THIS_YEAR + 1, 2, 11, 21))
    db.session.commit()
    [vevent] = icalendar.Calendar.from_ical(event_ics(event)).walk("VEVENT")
    assert vevent["ORGANIZER"] == "mailto:no-reply@cop.localhost"


@pytest.mark.parametrize("answer, place, partstat, rsvp", [
    ("yes", "confirmed", "ACCEPTED", "FALSE"), ("no", "none", "DECLINED", "FALSE"),
    ("maybe", "none", "TENTATIVE", "FALSE"), ("pending", "none", "NEEDS-ACTION", "TRUE"),
    # A "yes" is ACCEPTED only with a place: waitlisted is TENTATIVE, an offered place asks to be taken.
    ("yes", "waitlisted", "TENTATIVE", "FALSE"), ("yes", "offered", "NEEDS-ACTION", "TRUE"),
])
def test_an_invitation_makes_the_person_an_attendee_with_their_answer(group, answer, place, partstat, rsvp):
    event = make.event(group, datetime(THIS_YEAR + 1, 2, 11, 18), datetime(THIS_YEAR + 1, 2, 11, 21))
    guest = factories.person(name="Gita Guest", email="gita@example.org")
    invitation = make.invitation(event, guest, answer=answer, place=place,
                                 waitlist_position=1 if place == "waitlisted" else None)
    db.session.commit()
    text = event_ics(event, "REQUEST", invitation, reply_address="replies+x@cop.localhost")
    # Without a reply address cop would not hear an answer: nothing asks for one.
    assert "RSVP=TRUE" not in event_ics(event, "REQUEST", invitation)
    [vevent] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert vevent["ATTENDEE"] == "mailto:gita@example.org"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == partstat
    assert vevent["ATTENDEE"].params["RSVP"] == rsvp
    assert vevent["ATTENDEE"].params["CN"] == "Gita Guest"
    [parsed] = both_parsers(text)
    assert parsed["partstat"] == partstat
    assert with_icaljs(text)["method"] == "REQUEST"


def test_a_waitlisted_place_shows_in_the_title(group):
    event = make.event(group, datetime(THIS_YEAR + 1, 2, 11, 18), datetime(THIS_YEAR + 1, 2, 11, 21), title="Big Room")
    invitation = make.invitation(event, factories.person(), answer="yes", place="waitlisted", waitlist_position=3)
    db.session.commit()
    [parsed] = both_parsers(calendar_feed([event], "Mine", {event.id: invitation}))
    assert parsed["summary"] == "[Waitlist 3] Big Room"


def test_uid_stays_and_sequence_and_status_follow_the_event(group):
    event = make.event(group, datetime(THIS_YEAR + 1, 2, 11, 18), datetime(THIS_YEAR + 1, 2, 11, 21), title="Big Room")
    db.session.commit()
    [before] = both_parsers(event_ics(event))
    event.starts_at += timedelta(hours=1)
    event.sequence += 1
    event.status = "cancelled"
    db.session.commit()
    [after] = both_parsers(event_ics(event))
    assert after["uid"] == before["uid"] == event.uid
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert (before["status"], after["status"]) == ("CONFIRMED", "CANCELLED")
    assert after["summary"] == "Cancelled: Big Room"
    [cancel] = both_parsers(event_ics(event, "CANCEL"))
    assert cancel["status"] == "CANCELLED" and cancel["summary"] == "Big Room"
    assert "METHOD:CANCEL" in event_ics(event, "CANCEL")


def test_a_cancel_message_cancels_even_a_published_event(group):
    event = make.event(group, datetime(THIS_YEAR + 1, 2, 11, 18), datetime(THIS_YEAR + 1, 2, 11, 21))
    db.session.commit()
    [parsed] = both_parsers(event_ics(event, "CANCEL"))
    assert parsed["status"] == "CANCELLED"


def test_an_unknown_method_is_refused(group):
    event = make.event(group, datetime(THIS_YEAR + 1, 2, 11, 18), datetime(THIS_YEAR + 1, 2, 11, 21))
    db.session.commit()
    with pytest.raises(ValueError):
        event_ics(event, "REPLY")


def test_lines_are_folded_at_75_octets_and_end_with_crlf(group):
    event = make.event(
        group, datetime(THIS_YEAR + 1, 2, 11, 18), datetime(THIS_YEAR + 1, 2, 11, 21),
        title="Ünïcödé Big Room: " + "équipe de soins " * 8, description="Café " * 80,
        online_url="https://meet.example/" + "x" * 120,
    )
    db.session.commit()
    for text in (event_ics(event), calendar_feed([event], "Big Room")):
        raw = text.encode()
        assert raw.endswith(b"\r\n")
        assert b"\n" not in raw.replace(b"\r\n", b"")
        lines = raw.split(b"\r\n")
        assert max(len(line) for line in lines) <= 75
        assert any(line.startswith(b" ") for line in lines)  # something was long enough to fold
        for line in lines:
            line.decode()  # no line ends inside a multi-octet character
        [parsed] = both_parsers(text)
        assert parsed["summary"] == "Ünïcödé Big Room: " + "équipe de soins " * 8


def test_a_feed_says_how_often_to_refresh_and_has_no_method(group):
    events = [make.event(group, datetime(THIS_YEAR + 1, 2, d, 18), datetime(THIS_YEAR + 1, 2, d, 21)) for d in (3, 4)]
    db.session.commit()
    text = calendar_feed(events, "Big Room events")
    parsed = icalendar.Calendar.from_ical(text)
    assert "METHOD" not in parsed
    assert parsed["X-WR-CALNAME"] == "Big Room events"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text and "X-PUBLISHED-TTL:PT1H" in text
    assert [e["uid"] for e in both_parsers(text)] == [e.uid for e in events]
    assert "X-WR-TIMEZONE:Europe/London" in text and "TZID" not in text
    assert calendar_feed(events, "Big Room events") == text  # the same data gives the same text


def test_an_empty_feed_is_still_a_calendar(app):
    text = calendar_feed([], "Nothing yet")
    assert both_parsers(text) == []
    assert "BEGIN:VCALENDAR" in text and "VTIMEZONE" not in text
