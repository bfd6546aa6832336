"""Invitations and RSVP: answers, capacity, the waitlist, offers, deadlines, revoking, inviting."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from cop.clock import utcnow
from cop.communities.members import membership_of
from cop.extensions import db
from cop.invitations import inviting, reminders
from cop.invitations.guests import guest_list
from cop.invitations.models import Invitation, InvitationReminder
from cop.invitations.rsvp import AnswersClosed, answer_invitation, promote_from_waitlist
from cop.mail.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in
from tests.invitation_helpers import make_event, make_invitation


def mails_to(person, subject_start=""):
    return list(db.session.execute(
        select(OutboxMessage).where(OutboxMessage.recipient == person.email,
                                    OutboxMessage.subject.startswith(subject_start)).order_by(OutboxMessage.id)
    ).scalars())


def token_in(message) -> str:
    return re.search(r"/rsvp/([A-Za-z0-9_\-]+)", message.text_body).group(1)


@pytest.fixture
def room(app):
    group = factories.community(slug="big-room")
    organiser = factories.member(group, "organiser")
    db.session.commit()
    return group, organiser


def guests(group, n, event):
    out = []
    for _ in range(n):
        person = factories.member(group)
        db.session.flush()
        out.append((person, make_invitation(event, person)[1]))
    db.session.commit()
    return out


def test_a_yes_with_room_is_confirmed_and_mailed_with_a_qr_code(room):
    group, organiser = room
    event = make_event(group, capacity=2)
    [(person, token)] = guests(group, 1, event)
    invitation = answer_invitation(token, "yes", dietary_needs=" vegan ")
    assert (invitation.answer, invitation.place, invitation.dietary_needs) == ("yes", "confirmed", "vegan")
    [mail] = mails_to(person, "Your place is confirmed")
    assert mail.reply_to == organiser.email and mail.community_id == group.id
    assert mail.html_body and token_in(mail)
    [ics] = [a for a in mail.attachments if a["filename"] == "invite.ics"]
    assert ics["content_type"] == 'text/calendar; method=REQUEST; charset="UTF-8"'
    assert "METHOD:REQUEST" in ics["data"] and "ATTENDEE" in ics["data"] and "ORGANIZER" in ics["data"]
    assert person.email in ics["data"].replace("\r\n ", "")
    [qr] = [a for a in mail.attachments if a["filename"] == "check-in.png"]
    assert qr["content_type"] == "image/png" and qr["encoding"] == "base64"
    import base64
    assert base64.b64decode(qr["data"]).startswith(b"\x89PNG")


def test_the_check_in_qr_code_is_a_png_of_its_modules():
    import png  # pypng, an independent decoder
    import qrcode

    from cop.invitations.mails import qr_png

    code = qrcode.QRCode(border=4, mask_pattern=0)
    code.add_data("https://cop.example/events/12/check-in/345")
    code.make(fit=True)
    modules = code.get_matrix()
    width, height, rows, info = png.Reader(bytes=qr_png(modules, scale=6)).read()
    pixels = [list(row) for row in rows]
    assert width == height == len(modules) * 6 and width % 8  # rows that end part-way through a byte
    assert info["bitdepth"] == 1 and info["greyscale"]
    assert all(pixels[y][x] == (0 if modules[y // 6][x // 6] else 1) for y in range(height) for x in range(width))


def test_a_confirmation_built_before_the_lock_is_built_again_if_the_event_changed_meanwhile(room):
    from sqlalchemy import update

    from cop.events.models import Event
    from cop.invitations import mails
    from cop.invitations.rsvp import invitation_for_token, lock_event

    group, _ = room
    event = make_event(group, capacity=2)
    [(person, token)] = guests(group, 1, event)
    invitation = invitation_for_token(token)
    prepared = mails.prepare_answer_mail(invitation, "yes", "in_person", None)
    assert prepared.confirmation["subject"] == f"Your place is confirmed: {event.title}"
    # The organiser renames the event after the mail was built, before the answer takes the lock.
    db.session.execute(update(Event).where(Event.id == event.id).values(title="Renamed Big Room"))
    lock_event(event.id)
    invitation.answer, invitation.place = "yes", "confirmed"
    mails.queue_answer_confirmation(invitation, prepared)
    db.session.commit()
    [mail] = mails_to(person, "Your place is confirmed")
    assert mail.subject == "Your place is confirmed: Renamed Big Room" and "Renamed Big Room" in mail.text_body
    assert answer_invitation(token_in(mail), "yes").place == "confirmed"  # its new personal link was stored


def test_a_full_event_waitlists_in_order_and_a_decline_offers_the_place(room, app):
    group, _ = room
    event = make_event(group, capacity=2)
    people = guests(group, 5, event)
    for _person, token in people:
        answer_invitation(token, "yes")
    places = [db.session.execute(select(Invitation).where(Invitation.person_id == p.id)).scalar_one()
              for p, _ in people]
    assert [i.place for i in places] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [i.waitlist_position for i in places[2:]] == [1, 2, 3]
    assert "position 1" in mails_to(people[2][0], "You are on the waitlist")[0].text_body

    # The fourth person leaves the queue: the fifth moves up, no gap.
    answer_invitation(people[3][1], "no")
    db.session.expire_all()
    assert (places[3].place, places[3].waitlist_position, places[4].waitlist_position) == ("none", None, 2)

    # A confirmed guest declines: the first in the queue is offered the place, with time to take it.
    answer_invitation(people[0][1], "no")
    db.session.expire_all()
    assert places[2].place == "offered" and places[2].waitlist_position is None
    hours = (places[2].offer_expires_at - utcnow()).total_seconds() / 3600
    assert app.config["OFFER_HOURS"] - 0.1 < hours <= app.config["OFFER_HOURS"]
    assert places[4].waitlist_position == 1
    [offer] = mails_to(people[2][0], "A place is free")
    # The offer carries a link of its own, and the first link still works too.
    answer_invitation(token_in(offer), "yes")
    db.session.expire_all()
    assert places[2].place == "confirmed"
    assert mails_to(people[2][0], "Your place is confirmed")


def test_raising_the_capacity_offers_places_in_queue_order(room):
    group, _ = room
    event = make_event(group, capacity=1)
    people = guests(group, 4, event)
    for _person, token in people:
        answer_invitation(token, "yes")
    event.capacity = 3
    offered = promote_from_waitlist(event)
    db.session.commit()
    assert [i.person_id for i in offered] == [people[1][0].id, people[2][0].id]
    assert db.session.execute(select(Invitation.waitlist_position).where(
        Invitation.person_id == people[3][0].id)).scalar_one() == 1


def test_an_offer_not_taken_in_time_passes_on(room):
    group, _ = room
    event = make_event(group, capacity=1)
    people = guests(group, 3, event)
    for _person, token in people:
        answer_invitation(token, "yes")
    answer_invitation(people[0][1], "no")
    later = utcnow() + timedelta(hours=49)
    report = reminders.send_due_reminders(now=later)
    assert report.offers_passed_on == 1
    db.session.expire_all()
    first, second = (db.session.execute(select(Invitation).where(Invitation.person_id == p.id)).scalar_one()
                     for p, _ in people[1:])
    assert first.place == "lapsed" and second.place == "offered"
    assert mails_to(people[1][0], "The place we offered has passed on")
    assert reminders.send_due_reminders(now=later).offers_passed_on == 0


def test_taking_an_expired_offer_joins_the_end_of_the_queue(room):
    group, _ = room
    event = make_event(group, capacity=1)
    people = guests(group, 3, event)
    for _person, token in people:
        answer_invitation(token, "yes")
    answer_invitation(people[0][1], "no")
    invitation = answer_invitation(people[1][1], "yes", now=utcnow() + timedelta(hours=49))
    assert (invitation.place, invitation.waitlist_position) == ("waitlisted", 1)
    db.session.expire_all()
    assert db.session.execute(select(Invitation.place).where(
        Invitation.person_id == people[2][0].id)).scalar_one() == "offered"


def test_online_guests_of_a_hybrid_event_take_no_room_place(room):
    group, _ = room
    event = make_event(group, capacity=1, attendance_mode="hybrid")
    people = guests(group, 3, event)
    answer_invitation(people[0][1], "yes", attendance_mode="in_person")
    assert answer_invitation(people[1][1], "yes", attendance_mode="online").place == "confirmed"
    assert answer_invitation(people[2][1], "yes", attendance_mode="in_person").place == "waitlisted"
    # Moving from online to the room needs a room place: the queue, not an overbooking.
    assert answer_invitation(people[1][1], "yes", attendance_mode="in_person").place == "waitlisted"


def test_answers_are_read_only_after_the_deadline(room, client):
    group, _ = room
    event = make_event(group, capacity=10, rsvp_deadline=utcnow() + timedelta(days=1))
    [(person, token)] = guests(group, 1, event)
    assert client.post(f"/rsvp/{token}", data={"answer": "yes", "dietary_needs": "vegan"}).status_code == 302
    event.rsvp_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/rsvp/{token}")
    assert page.status_code == 200 and b"Answers closed" in page.data and b'name="answer"' not in page.data
    assert b"vegan" in page.data and b"Your place is confirmed" in page.data
    response = client.post(f"/rsvp/{token}", data={"answer": "no"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.execute(select(Invitation.answer)).scalar_one() == "yes"
    with pytest.raises(AnswersClosed):
        answer_invitation(token, "no")


def test_the_rsvp_page_answers_and_shows_the_waitlist_position(room, client):
    group, _ = room
    event = make_event(group, capacity=1, attendance_mode="hybrid")
    (first, first_token), (second, second_token) = guests(group, 2, event)
    second.dietary_needs = "halal"
    db.session.commit()
    page = client.get(f"/rsvp/{second_token}")
    assert page.status_code == 200 and b"halal" in page.data and b"How will you join?" in page.data
    client.post(f"/rsvp/{first_token}", data={"answer": "yes", "attendance_mode": "in_person"})
    response = client.post(f"/rsvp/{second_token}", data={"answer": "yes", "attendance_mode": "in_person"},
                           follow_redirects=True)
    assert b"on the waitlist (position 1)" in response.data


def test_bad_rsvp_input_shows_field_errors_and_saves_nothing(room, client):
    group, _ = room
    event = make_event(group, capacity=1)
    [(person, token)] = guests(group, 1, event)
    for data in ({}, {"answer": "perhaps"}, {"answer": "yes", "dietary_needs": "x" * 2001}):
        response = client.post(f"/rsvp/{token}", data=data)
        assert response.status_code == 400 and b"nhsuk-error-summary" in response.data
    db.session.expire_all()
    assert db.session.execute(select(Invitation.answer)).scalar_one() == "pending"
    assert mails_to(person) == []


def test_a_revoked_invitation_link_is_not_found_and_a_resend_issues_a_new_link(room, client):
    group, organiser = room
    event = make_event(group, capacity=1)
    (holder, holder_token), (waiting, waiting_token) = guests(group, 2, event)
    answer_invitation(holder_token, "yes")
    answer_invitation(waiting_token, "yes")
    invitation = db.session.execute(select(Invitation).where(Invitation.person_id == holder.id)).scalar_one()
    sign_in(client, factories.account(organiser))
    assert client.post(f"/invitations/{invitation.id}/revoke").status_code == 302
    assert client.get(f"/rsvp/{holder_token}").status_code == 404
    db.session.expire_all()
    assert invitation.place == "none"
    assert db.session.execute(select(Invitation.place).where(
        Invitation.person_id == waiting.id)).scalar_one() == "offered"

    assert client.post(f"/invitations/{invitation.id}/resend").status_code == 302
    new_token = token_in(mails_to(holder, "You are invited")[-1])
    assert client.get(f"/rsvp/{holder_token}").status_code == 404
    assert client.get(f"/rsvp/{new_token}").status_code == 200


def test_the_organiser_invites_a_filtered_part_of_the_community(room, client):
    group, organiser = room
    event = make_event(group, capacity=100)
    acute, vcse = factories.organisation(sector="acute"), factories.organisation(sector="vcse")
    nurses = [factories.member(group, someone=factories.person(org=acute)) for _ in range(3)]
    factories.member(group, someone=factories.person(org=vcse))
    outsider = factories.person(name="Known Elsewhere")
    db.session.commit()
    sign_in(client, factories.account(organiser))
    # Not in this community: a name is needed, as for anyone new; the person cop knows keeps theirs.
    form = {"who": "matching", "sector": "acute",
            "addresses": f"Another Name <{outsider.email}>\nNew Person <new.person@example.org>\n"}
    preview = client.post(f"/events/{event.id}/invite", data={**form, "action": "preview"})
    assert preview.status_code == 200 and b"5 people will be invited" in preview.data
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 0
    response = client.post(f"/events/{event.id}/invite", data={**form, "action": "send"})
    assert response.status_code == 302
    invited = set(db.session.execute(select(Invitation.person_id)).scalars())
    new_person = db.session.execute(select(factories.Person).where(
        factories.Person.email == "new.person@example.org")).scalar_one()
    assert invited == {p.id for p in nurses} | {outsider.id, new_person.id}
    db.session.refresh(outsider)
    assert outsider.name == "Known Elsewhere"
    [mail] = mails_to(new_person, "You are invited")
    assert client.get(f"/rsvp/{token_in(mail)}").status_code == 200
    # A second round skips those already invited.
    again = client.post(f"/events/{event.id}/invite", data={**form, "action": "send"})
    assert again.status_code == 400 and b"Nobody new to invite" in again.data


@pytest.mark.parametrize("addresses, message", [
    ("not-an-address", b"Line 1: \xe2\x80\x9cnot-an-address\xe2\x80\x9d is not an email address"),
    ("good@example.org\nstranger@example.org", b"Line 2: stranger@example.org is not in this community yet"),
])
def test_bad_pasted_addresses_are_reported_by_line_and_nothing_is_saved(room, client, addresses, message):
    group, organiser = room
    event = make_event(group, capacity=10)
    factories.member(group, someone=factories.person(email="good@example.org"))
    db.session.commit()
    sign_in(client, factories.account(organiser))
    people_before = db.session.execute(select(func.count(factories.Person.id))).scalar_one()
    response = client.post(f"/events/{event.id}/invite",
                           data={"who": "nobody", "addresses": addresses, "action": "send"})
    assert response.status_code == 400 and message in response.data
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 0
    assert db.session.execute(select(func.count(factories.Person.id))).scalar_one() == people_before
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0


def test_the_invite_form_rejects_a_bad_choice_and_a_draft_event(room, client):
    group, organiser = room
    draft = make_event(group, status="draft")
    db.session.commit()
    sign_in(client, factories.account(organiser))
    assert client.post(f"/events/{draft.id}/invite", data={"who": "sideways"}).status_code == 400
    response = client.post(f"/events/{draft.id}/invite", data={"who": "everyone", "action": "send"})
    assert response.status_code == 400 and b"Publish the event before inviting people" in response.data
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 0


def test_an_influencer_invites_up_to_the_quota_and_the_chain_is_recorded(room, client):
    group, organiser = room
    event = make_event(group, capacity=100)
    influencer = factories.member(group)
    db.session.flush()
    membership_of(group, influencer.id).invite_quota = 2
    db.session.commit()
    sign_in(client, factories.account(influencer))
    url = f"/events/{event.id}/invite-my-network"
    three = "A One <a1@example.org>\nB Two <b2@example.org>\nC Three <c3@example.org>"
    response = client.post(url, data={"addresses": three, "action": "send"})
    assert response.status_code == 400
    assert b"you can invite 2 more people to this event; this list has 3" in response.data
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 0
    assert client.post(url, data={"addresses": "", "action": "send"}).status_code == 400
    assert client.post(url, data={"addresses": "A One <a1@example.org>\nB Two <b2@example.org>",
                                  "action": "send"}).status_code == 302
    invitations = db.session.execute(select(Invitation)).scalars().all()
    assert {i.invited_by_id for i in invitations} == {influencer.id}
    assert client.post(url, data={"addresses": "C Three <c3@example.org>", "action": "send"}).status_code == 400
    assert inviting.network_quota_left(event, influencer) == 0

    [(inviter, invited)] = guest_list(event).chain
    assert inviter.id == influencer.id and sorted(i.person.name for i in invited) == ["A One", "B Two"]


def test_the_guests_page_shows_who_invited_whom(room, client):
    group, organiser = room
    event = make_event(group, capacity=10)
    influencer = factories.member(group, someone=factories.person(name="Ida Influencer"))
    friend = factories.member(group, someone=factories.person(name="Fred Friend"))
    db.session.flush()
    make_invitation(event, friend, invited_by=influencer)
    db.session.commit()
    sign_in(client, factories.account(organiser))
    page = client.get(f"/events/{event.id}/guests")
    assert b"Ida Influencer invited 1: Fred Friend" in page.data


def test_the_guests_page_and_needs_export(room, client):
    group, organiser = room
    event = make_event(group, capacity=1)
    (first, first_token), (second, second_token), (third, _) = guests(group, 3, event)
    answer_invitation(first_token, "yes", dietary_needs="=HYPERLINK(\"http://evil\")", access_needs="Wheelchair user")
    answer_invitation(second_token, "yes", dietary_needs="vegan")
    sign_in(client, factories.account(organiser))
    page = client.get(f"/events/{event.id}/guests")
    assert page.status_code == 200
    assert b"Waitlist (1)" in page.data and b"Confirmed (1)" in page.data and b"Not answered yet (1)" in page.data
    assert b"Wheelchair user" in page.data
    csv_text = client.get(f"/events/{event.id}/needs.csv").get_data(as_text=True)
    assert first.name in csv_text and second.name not in csv_text
    assert "'=HYPERLINK" in csv_text


def test_reminders_and_chases_are_each_sent_once(room, app):
    group, _ = room
    event = make_event(group, capacity=10, days_ahead=10, rsvp_deadline=utcnow() + timedelta(days=6))
    (confirmed, token), (silent, _) = guests(group, 2, event)
    answer_invitation(token, "yes")
    db.session.execute(Invitation.__table__.update().values(created_at=utcnow() - timedelta(days=3)))
    db.session.commit()
    start = event.starts_at

    nothing_yet = reminders.send_due_reminders(now=start - timedelta(days=9))
    assert (nothing_yet.reminders, nothing_yet.chases) == (0, 0)
    report = reminders.send_due_reminders(now=start - timedelta(days=6))
    assert (report.reminders, report.chases) == (1, 1)
    rerun = reminders.send_due_reminders(now=start - timedelta(days=6))
    assert (rerun.reminders, rerun.chases) == (0, 0)
    assert reminders.send_due_reminders(now=start - timedelta(hours=12)).reminders == 1
    assert reminders.send_due_reminders(now=start - timedelta(hours=11)).reminders == 0
    assert len(mails_to(confirmed, "Reminder:")) == 2 and len(mails_to(silent, "Will you come?")) == 1
    assert sorted(db.session.execute(select(InvitationReminder.kind)).scalars()) == \
        ["chase", "reminder-1d", "reminder-7d"]
    [reminder] = mails_to(confirmed, "Reminder:")[-1:]
    assert "tomorrow" in reminder.text_body and token_in(reminder)


def test_a_late_first_run_sends_only_the_nearest_reminder(room):
    group, _ = room
    event = make_event(group, capacity=10, days_ahead=2)
    [(person, token)] = guests(group, 1, event)
    answer_invitation(token, "yes")
    assert reminders.send_due_reminders(now=event.starts_at - timedelta(hours=6)).reminders == 1
    assert db.session.execute(select(InvitationReminder.kind)).scalar_one() == "reminder-1d"


def test_the_reminders_command(room, app):
    group, _ = room
    result = app.test_cli_runner().invoke(args=["cop", "reminders"])
    assert result.exit_code == 0 and "reminders=0 chases=0 offers_passed_on=0" in result.output


def test_the_community_outbox_shows_failed_mail_and_resends_it(room, client):
    group, organiser = room
    from cop.mail.outbox import queue_mail

    failed = queue_mail("bounced@example.org", "Hello", "Hello", community_id=group.id)
    other = queue_mail("elsewhere@example.org", "Hello", "Hello", community_id=None)
    failed.state, failed.tries, failed.last_error = "failed", 12, "SMTPRecipientsRefused: 550"
    db.session.commit()
    sign_in(client, factories.account(organiser))
    page = client.get("/communities/big-room/outbox")
    assert b"bounced@example.org" in page.data and b"550" in page.data and b"elsewhere@" not in page.data
    assert client.post(f"/communities/big-room/outbox/{other.id}/resend").status_code == 404
    assert client.post(f"/communities/big-room/outbox/{failed.id}/resend").status_code == 302
    db.session.expire_all()
    assert (failed.state, failed.tries) == ("pending", 0)


def test_raising_the_capacity_in_the_event_form_offers_waitlisted_people_a_place(room):
    from cop.events.scheduling import EventDetails, update_event

    group, _ = room
    event = make_event(group, capacity=1)
    people = guests(group, 3, event)
    for _person, token in people:
        answer_invitation(token, "yes")
    update_event(event, EventDetails(title=event.title, starts_at=event.starts_at, ends_at=event.ends_at,
                                     capacity=2, attendance_mode="in_person"))
    db.session.commit()
    db.session.expire_all()
    places = [db.session.execute(select(Invitation.place).where(Invitation.person_id == p.id)).scalar_one()
              for p, _ in people]
    assert places == ["confirmed", "offered", "waitlisted"]
    assert mails_to(people[1][0], "A place is free")


def test_the_invite_preview_names_who_will_be_invited_a_page_at_a_time(room, client):
    """Issue 17, item 5: names and organisations (this community's record), paged, not only a count."""
    import re

    group, organiser = room
    event = make_event(group, capacity=200)
    basildon = factories.organisation(name="Basildon Hospital", sector="acute")
    members = [factories.member(group, someone=factories.person(name=f"Nurse {n:02d}"), organisation=basildon)
               for n in range(55)]
    outsider = factories.person(name="Known Elsewhere")  # another community's: shown under the name pasted
    db.session.commit()
    sign_in(client, factories.account(organiser))
    form = {"who": "matching", "organisation": str(basildon.id),
            "addresses": f"Pasted Name <{outsider.email}>\n"}
    first = client.post(f"/events/{event.id}/invite", data={**form, "action": "preview"})
    assert first.status_code == 200 and "56 people will be invited" in first.text
    table = first.text[first.text.index('id="invite-preview"'):]
    names = re.findall(r"<tr><td>([^<]+)<br>", table)
    assert names == [f"Nurse {n:02d}" for n in range(50)]
    assert "Basildon Hospital" in table and "1 to 50 of 56" in table and "Page 1 of 2" in table
    second = client.post(f"/events/{event.id}/invite", data={**form, "preview_page": "2"})
    table = second.text[second.text.index('id="invite-preview"'):]
    assert re.findall(r"<tr><td>([^<]+)<br>", table) == [f"Nurse {n:02d}" for n in range(50, 55)] + ["Pasted Name"]
    assert "Known Elsewhere" not in second.text and "New guest" in table
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 0  # a preview writes nothing
    assert len(members) == 55


def test_the_invitation_names_the_event_and_the_community_once_each(room):
    """Issue 17, item 7: it said "You are invited to Big Room of Mid and South Essex Big Room"."""
    from cop.invitations import inviting

    group, organiser = room
    group.name = "Mid and South Essex Big Room"
    event = make_event(group, title="December Big Room")
    guest = factories.member(group)
    db.session.commit()
    plan = inviting.plan_invitations(event, None, guest.email)
    inviting.send_invitations(event, plan)
    db.session.commit()
    [mail] = mails_to(guest, "You are invited")
    assert "You are invited to December Big Room, from Mid and South Essex Big Room:" in mail.text_body
    assert "Big Room of" not in mail.text_body and "Big Room of" not in mail.html_body


def test_mail_and_pages_say_dates_the_one_way_the_site_does(room, client):
    """Issue 17, item 7: "Tuesday 8 December 2026, 6pm to 9pm", not "Tuesday 8 December 2026, 18:00 to ..."."""
    from cop.invitations import inviting

    group, organiser = room
    event = factories.event(group, title="December Big Room", rsvp_deadline=datetime(2026, 12, 1, 17, 0))
    guest = factories.member(group)
    db.session.commit()
    inviting.send_invitations(event, inviting.plan_invitations(event, None, guest.email))
    db.session.commit()
    [mail] = mails_to(guest, "You are invited")
    assert "When: Tuesday 8 December 2026, 6pm to 9pm (UK time)" in mail.text_body
    assert "18:00" not in mail.text_body and "18:00" not in mail.html_body
    page = client.get(f"/rsvp/{token_in(mail)}").text
    assert "Tuesday 8 December 2026, 6pm to 9pm (UK time)" in page and "Tuesday 1 December 2026, 5pm" in page
