"""Moving, cancelling and publishing events, and who hears of it, on the real databases."""
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from cop.events import scheduling
from cop.events.models import Event
from cop.extensions import db
from cop.mail.models import OutboxMessage
from tests import factories
from tests.calendar_parsers import both_parsers


def _details(event: Event, **changes) -> scheduling.EventDetails:
    values = dict(
        title=event.title, starts_at=event.starts_at, ends_at=event.ends_at, description=event.description,
        venue=event.venue, online_url=event.online_url, attendance_mode=event.attendance_mode,
        capacity=event.capacity, rsvp_deadline=event.rsvp_deadline, speakers=event.speakers,
        agenda=event.agenda, has_meal=event.has_meal,
    )
    values.update(changes)
    return scheduling.EventDetails(**values)


def _outbox() -> list[OutboxMessage]:
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


@pytest.fixture
def room(app):
    group = factories.community()
    organiser = factories.member(group, "organiser")
    hall = factories.venue(group, name="Civic Centre")
    event = factories.event(group, title="Big Room: frailty", venue=hall, capacity=100)
    db.session.commit()
    return {"community": group, "organiser": organiser, "venue": hall, "event": event}


def test_a_title_only_edit_is_mailed_with_a_higher_sequence(room):
    """Every calendar shows the title: a new one reaches the invited like a move (it used to be never mailed)."""
    from tests.invitation_helpers import make_invitation

    event = room["event"]
    guest = factories.member(room["community"], someone=factories.person(name="Siân Ellis"))
    make_invitation(event, guest, answer="yes", place="confirmed")
    db.session.commit()
    changed = scheduling.update_event(event, _details(event, title="Big Room: frailty and falls"), room["organiser"])
    db.session.commit()
    assert changed == {"title"}
    assert event.sequence == 1
    [mail] = _outbox()
    assert mail.recipient == guest.email and mail.subject.startswith("Changed: Big Room: frailty and falls")
    assert "It was called: Big Room: frailty" in mail.text_body
    [parsed] = both_parsers(mail.attachments[0]["data"])
    assert (parsed["summary"], parsed["sequence"]) == ("Big Room: frailty and falls", 1)
    # Saving the same title again changes nothing.
    assert scheduling.update_event(event, _details(event)) == set()


def test_a_new_time_raises_the_sequence_and_updated_at(room):
    event = room["event"]
    before = event.updated_at
    scheduling.update_event(event, _details(event, starts_at=datetime(2026, 12, 9, 18),
                                            ends_at=datetime(2026, 12, 9, 21)))
    db.session.commit()
    assert event.sequence == 1
    assert event.updated_at >= before


def test_a_new_place_raises_the_sequence(room, app):
    event = room["event"]
    other = factories.venue(room["community"], name="Riverside Hall")
    db.session.commit()
    assert scheduling.update_event(event, _details(event, venue=other)) == {"place"}
    assert scheduling.update_event(event, _details(event, venue=other, attendance_mode="hybrid",
                                                   online_url="https://meet.example.org/x")) == {"place"}
    db.session.commit()
    assert event.sequence == 2


def test_publishing_and_cancelling_raise_the_sequence(room):
    draft = factories.event(room["community"], status="draft")
    db.session.commit()
    assert scheduling.publish_event(draft) is True
    assert scheduling.publish_event(draft) is False  # already published: nothing changes
    assert draft.sequence == 1
    assert scheduling.cancel_event(draft) is True
    assert scheduling.cancel_event(draft) is False
    db.session.commit()
    assert (draft.status, draft.sequence) == ("cancelled", 2)


def test_a_cancelled_event_cannot_be_moved_or_published(room):
    event = room["event"]
    scheduling.cancel_event(event)
    with pytest.raises(scheduling.EventCancelled):
        scheduling.update_event(event, _details(event, title="Back on"))
    with pytest.raises(scheduling.EventCancelled):
        scheduling.publish_event(event)


def _invited(event):
    group = event.community
    people = {
        "yes": factories.member(group), "maybe": factories.member(group), "pending": factories.member(group),
        "no": factories.member(group), "revoked": factories.member(group),
    }
    for answer, someone in people.items():
        factories.invitation(event, someone, answer="yes" if answer == "revoked" else answer,
                             place="confirmed" if answer in ("yes", "revoked") else "none",
                             revoked=answer == "revoked")
    db.session.commit()
    return people


def test_moving_a_published_event_mails_the_invited_but_not_decliners_or_the_revoked(room):
    event = room["event"]
    people = _invited(event)
    scheduling.update_event(event, _details(event, starts_at=datetime(2026, 12, 15, 18),
                                            ends_at=datetime(2026, 12, 15, 21)),
                            changed_by=room["organiser"])
    db.session.commit()
    mails = _outbox()
    assert sorted(m.recipient for m in mails) == sorted(people[a].email for a in ("yes", "maybe", "pending"))
    mail = mails[0]
    assert mail.subject == "Changed: Big Room: frailty, Tuesday 15 December 2026, 6pm to 9pm"
    assert "It was: Tuesday 8 December 2026, 6pm to 9pm" in mail.text_body
    assert mail.reply_to == room["organiser"].email
    assert mail.community_id == room["community"].id
    [attachment] = mail.attachments
    assert attachment["content_type"] == 'text/calendar; method=REQUEST; charset="UTF-8"'
    assert "METHOD:REQUEST" in attachment["data"]
    [vevent] = both_parsers(attachment["data"])
    assert (vevent["uid"], vevent["sequence"], vevent["status"]) == (event.uid, 1, "CONFIRMED")
    assert (vevent["start"], vevent["end"]) == ("2026-12-15T18:00:00.000Z", "2026-12-15T21:00:00.000Z")


def test_cancelling_a_published_event_mails_the_invited(room):
    event = room["event"]
    people = _invited(event)
    scheduling.cancel_event(event, changed_by=room["organiser"], note="The venue has flooded.")
    db.session.commit()
    mails = _outbox()
    assert sorted(m.recipient for m in mails) == sorted(people[a].email for a in ("yes", "maybe", "pending"))
    assert mails[0].subject.startswith("Cancelled: Big Room: frailty")
    assert "The venue has flooded." in mails[0].text_body
    [attachment] = mails[0].attachments
    assert attachment["content_type"] == 'text/calendar; method=CANCEL; charset="UTF-8"'
    assert "METHOD:CANCEL" in attachment["data"]
    [vevent] = both_parsers(attachment["data"])
    assert (vevent["uid"], vevent["sequence"], vevent["status"]) == (event.uid, 1, "CANCELLED")


def test_the_mail_is_in_the_same_transaction_as_the_move(room):
    event = room["event"]
    _invited(event)
    scheduling.update_event(event, _details(event, starts_at=datetime(2026, 12, 15, 18),
                                            ends_at=datetime(2026, 12, 15, 21)))
    db.session.rollback()  # the move fails to commit: no mail may leave for it
    assert _outbox() == []
    assert db.session.get(Event, event.id).starts_at == datetime(2026, 12, 8, 18)


def test_drafts_are_changed_quietly(room):
    draft = factories.event(room["community"], status="draft")
    db.session.commit()
    _invited(draft)
    scheduling.update_event(draft, _details(draft, starts_at=datetime(2026, 12, 15, 18),
                                            ends_at=datetime(2026, 12, 15, 21)))
    scheduling.cancel_event(draft)
    db.session.commit()
    assert _outbox() == []


# --- series -----------------------------------------------------------------------------------


def _monthly(room, count=4):
    series = factories.series(room["community"], title="Big Room", count=count, venue=room["venue"])
    db.session.commit()
    return series


def test_a_series_generates_one_event_per_occurrence(room):
    series = _monthly(room)
    assert [e.starts_at for e in series.events] == [
        datetime(2026, 12, 8, 18), datetime(2027, 1, 12, 18), datetime(2027, 2, 9, 18), datetime(2027, 3, 9, 18),
    ]
    assert len({e.uid for e in series.events}) == 4
    assert all(e.status == "published" and e.venue_id == room["venue"].id for e in series.events)


def test_a_summer_session_is_stored_an_hour_earlier_in_utc(room):
    series = scheduling.create_series(
        room["community"], "assembly", "Assembly",
        scheduling.SeriesRule("dates", dates=[date(2027, 3, 23), date(2027, 4, 13)]),
        time(18), time(21), scheduling.OccurrenceTemplate(attendance_mode="online", online_url="https://x.example"),
    )
    db.session.commit()
    assert [e.starts_at for e in series.events] == [datetime(2027, 3, 23, 18), datetime(2027, 4, 13, 17)]


def _changes(event, **values) -> scheduling.OccurrenceChanges:
    from cop.events.times import to_london

    local_start, local_end = to_london(event.starts_at), to_london(event.ends_at)
    fields = dict(title=event.title, day=local_start.date(), starts=local_start.time(), ends=local_end.time(),
                  venue=event.venue, capacity=event.capacity)
    fields.update(values)
    return scheduling.OccurrenceChanges(**fields)


def test_moving_one_occurrence_leaves_the_others_alone(room):
    series = _monthly(room)
    first, second, third, fourth = series.events
    scheduling.edit_occurrences(second, _changes(second, day=date(2027, 1, 13)), "this")
    db.session.commit()
    assert second.starts_at == datetime(2027, 1, 13, 18)
    assert [e.starts_at for e in (first, third, fourth)] == [
        datetime(2026, 12, 8, 18), datetime(2027, 2, 9, 18), datetime(2027, 3, 9, 18)]
    assert [e.sequence for e in series.events] == [0, 1, 0, 0]


def test_cancelling_one_occurrence_leaves_the_others_alone(room):
    series = _monthly(room)
    scheduling.cancel_event(series.events[1])
    db.session.commit()
    assert [e.status for e in series.events] == ["published", "cancelled", "published", "published"]


def test_this_and_following_changes_the_later_sessions_only(room):
    series = _monthly(room)
    first, second, third, fourth = series.events
    scheduling.cancel_event(fourth)
    scheduling.edit_occurrences(second, _changes(second, title="Big Room (new time)", starts=time(17, 30),
                                                 ends=time(20, 30)), "following")
    db.session.commit()
    assert (first.title, first.starts_at, first.sequence) == ("Big Room", datetime(2026, 12, 8, 18), 0)
    assert (second.title, second.starts_at) == ("Big Room (new time)", datetime(2027, 1, 12, 17, 30))
    assert (third.title, third.starts_at, third.ends_at) == (
        "Big Room (new time)", datetime(2027, 2, 9, 17, 30), datetime(2027, 2, 9, 20, 30))
    assert (fourth.status, fourth.starts_at) == ("cancelled", datetime(2027, 3, 9, 18))  # cancelled stays put
    assert series.start_time == time(17, 30)


def test_this_and_following_moves_each_by_the_same_days_and_keeps_the_wall_clock(room):
    series = scheduling.create_series(
        room["community"], "big_room", "Spring Big Rooms",
        scheduling.SeriesRule("monthly", starts_on=date(2027, 2, 1), weekday=1, week_of_month=2, count=3),
        time(18), time(21), scheduling.OccurrenceTemplate(venue=room["venue"]),
    )
    db.session.commit()
    first = series.events[0]  # Tuesday 9 February 2027, GMT
    scheduling.edit_occurrences(first, _changes(first, day=date(2027, 2, 10)), "following")
    db.session.commit()
    # Wednesdays now; the April one is in BST, so 6pm there is 17:00 UTC.
    assert [e.starts_at for e in series.events] == [
        datetime(2027, 2, 10, 18), datetime(2027, 3, 10, 18), datetime(2027, 4, 14, 17)]


def test_this_and_following_refuses_a_time_that_a_later_session_skips(room):
    series = scheduling.create_series(
        room["community"], "assembly", "Night shift forum",
        scheduling.SeriesRule("dates", dates=[date(2027, 3, 21), date(2027, 3, 28)]),
        time(0, 30), time(3, 0), scheduling.OccurrenceTemplate(attendance_mode="online", online_url="https://x.example"),
    )
    db.session.commit()
    first, second = series.events
    from cop.events.times import NonexistentLocalTime

    with pytest.raises(NonexistentLocalTime):
        scheduling.edit_occurrences(first, _changes(first, starts=time(1, 30), ends=time(3, 0)), "following")
    db.session.rollback()
    assert [e.sequence for e in series.events] == [0, 0]


def test_moving_following_sessions_mails_each_sessions_invited(room):
    series = _monthly(room, count=3)
    guest = factories.member(room["community"])
    for event in series.events:
        factories.invitation(event, guest, answer="yes", place="confirmed")
    db.session.commit()
    later = _changes(series.events[1], starts=time(19), ends=time(22))
    scheduling.edit_occurrences(series.events[1], later, "following")
    db.session.commit()
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 2
