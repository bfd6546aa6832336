"""Open registration (issue 23): the public page, confirmation by a mailed link read from a real SMTP
server's capture, the same answer as an invited guest's, tenancy, hostile input, abuse limits, shared
links and their channels in the reports. Through the real forms with CSRF on, on SQLite and PostgreSQL."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cop.clock import utcnow
from cop.communities.models import Membership
from cop.extensions import db
from cop.invitations.models import Invitation
from cop.mail.models import OutboxMessage
from cop.mail.outbox import deliver_due
from cop.people.models import Person
from cop.registration.models import Registration, SharedLink
from tests import factories
from tests.invitation_helpers import make_event
from tests.smtp import smtp_server  # noqa: F401  (the fixture)
from tests.test_tenancy import PASSWORD, Visitor


@pytest.fixture
def world(app_factory, smtp_server):  # noqa: F811
    app = app_factory(WTF_CSRF_ENABLED=True, **smtp_server.settings())
    with app.app_context():
        a = factories.community(slug="cymuned-a", name="Cymuned A")
        b = factories.community(slug="community-b", name="Community B")
        acute = factories.organisation(name="Ysbyty Glan Clwyd", sector="acute", place="Bodelwyddan")
        factories.member(a, "organiser", factories.person(name="Siân ap Rhys", email="sian@a.example"))
        zoe = factories.member(a, "member", factories.person(
            name="Zoë Ó Súilleabháin", email="zoe@a.example", org=acute, profession="nursing",
            dietary_needs="Halal", access_needs="Wheelchair user"))
        mallory = factories.person(name="Mallory Mischief", email="mallory@b.example")
        organiser_b = factories.member(b, "organiser", mallory)
        factories.account(organiser_b, PASSWORD)
        factories.organisation(name="Thurrock Council", sector="local_authority", place="Grays")
        db.session.flush()
        event = make_event(b, capacity=1, title="Big Room: frailty")
        factories.member(b, "member", factories.person(name="Already Here", email="here@b.example", org=acute))
        db.session.add(SharedLink(event=event, channel="linkedin", created_by=organiser_b))
        db.session.commit()
        yield {"app": app, "smtp": smtp_server, "event": event, "a": a, "b": b, "zoe": zoe, "event_id": event.id}


def form(**changes) -> dict:
    values = {"name": "Jo Bloggs", "email": "jo@new.example", "organisation": "Grays Community Pharmacy",
              "sector": "primary_care", "place": "Grays", "profession": "pharmacy",
              "dietary_needs": "Vegan", "access_needs": "", "website": ""}
    return {**values, **changes}


def register(visitor, event_id, via=None, **changes):
    url = f"/events/{event_id}/register" + (f"?via={via}" if via else "")
    page = visitor.get(url)
    assert page.status_code == 200
    hidden_via = re.search(r'name="via"[^>]*value="([^"]*)"', page.text)
    data = {**form(**changes), "via": hidden_via.group(1) if hidden_via else ""}
    return visitor.send(url, {**data, "csrf_token": Visitor.token(page)})


def captured(world, to, subject_start):
    deliver_due()
    return [m for m in world["smtp"].handler.messages()
            if m["To"] == to and m["Subject"].startswith(subject_start)]


def confirm_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://cop\.test(/register/confirm/[A-Za-z0-9_\-]+)", text).group(1)


def written() -> tuple[int, int, int, int]:
    return tuple(db.session.execute(select(func.count()).select_from(model)).scalar_one()
                 for model in (Registration, OutboxMessage, Invitation, Person))


def test_the_public_page_answers_anyone_without_signing_in_with_card_meta_tags(world):
    page = Visitor(world["app"]).get(f"/events/{world['event_id']}/register?via=linkedin")
    assert page.status_code == 200
    assert '<meta property="og:title" content="Big Room: frailty">' in page.text
    assert 'og:site_name" content="Community B"' in page.text and 'name="twitter:card"' in page.text
    assert 'name="via"' in page.text and 'value="linkedin"' in page.text
    assert "Ysbyty Glan Clwyd" not in page.text or '<datalist id="organisations">' in page.text
    # Nothing is shown about who is registered or invited.
    assert "Already Here" not in page.text and "here@b.example" not in page.text


def test_register_confirm_from_the_captured_mail_and_get_the_invited_guest_s_answer_and_ics(world):
    visitor = Visitor(world["app"])
    answer = register(visitor, world["event_id"], via="linkedin")
    assert answer.status_code == 302 and "check-your-email" in answer.headers["Location"]
    assert "Check your email" in visitor.get(answer.headers["Location"]).text
    # Nothing held before the address is confirmed.
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 0
    assert db.session.execute(select(Person).where(Person.email == "jo@new.example")).first() is None
    [mail] = captured(world, "jo@new.example", "Confirm your place")
    link = confirm_link(mail)
    page = visitor.get(link)
    assert page.status_code == 200 and "Confirm my place" in page.text
    done = visitor.send(link, {"csrf_token": Visitor.token(page)})
    assert done.status_code == 302 and "/rsvp/" in done.headers["Location"]
    rsvp = visitor.get(done.headers["Location"])
    assert "Your place is confirmed" in rsvp.text
    [confirmation] = captured(world, "jo@new.example", "Your place is confirmed")
    [ics] = [part for part in confirmation.iter_attachments() if part.get_filename() == "invite.ics"]
    content = ics.get_content()
    assert (b"METHOD:REQUEST" if isinstance(content, bytes) else "METHOD:REQUEST") in content
    ics_url = re.search(r'href="(/rsvp/[^"]+/calendar\.ics)"', rsvp.text).group(1)
    calendar = visitor.get(ics_url)
    assert calendar.status_code == 200 and b"BEGIN:VEVENT" in calendar.data
    invitation = db.session.execute(select(Invitation)).scalar_one()
    assert (invitation.channel, invitation.answer, invitation.place, invitation.dietary_needs) == (
        "linkedin", "yes", "confirmed", "Vegan")
    record = db.session.execute(select(Membership).where(Membership.person_id == invitation.person_id)).scalar_one()
    assert (record.community_id, record.role, record.organisation.name, record.profession) == (
        world["b"].id, "guest", "Grays Community Pharmacy", "pharmacy")
    # The link is spent.
    assert visitor.get(link).status_code == 404
    # What anonymous visitors see does not change: the registrant's organisation is not offered as people type.
    page = Visitor(world["app"]).get(f"/events/{world['event_id']}/register")
    assert "Ysbyty Glan Clwyd" in page.text and "Grays Community Pharmacy" not in page.text


def test_a_full_event_waitlists_a_registrant_as_it_would_an_invited_guest(world):
    for number in (1, 2):
        visitor = Visitor(world["app"])
        register(visitor, world["event_id"], email=f"person{number}@new.example")
        [mail] = captured(world, f"person{number}@new.example", "Confirm")
        link = confirm_link(mail)
        visitor.send(link, {"csrf_token": Visitor.token(visitor.get(link))})
    places = dict(db.session.execute(
        select(Person.email, Invitation.place).join(Invitation, Invitation.person_id == Person.id)).all())
    assert places == {"person1@new.example": "confirmed", "person2@new.example": "waitlisted"}
    assert captured(world, "person2@new.example", "You are on the waitlist")


def test_the_page_reads_the_same_for_a_known_address_and_changes_only_this_community_s_record(world):
    visitor = Visitor(world["app"])
    known = register(visitor, world["event_id"], name="Mallory Renamed", email="zoe@a.example",
                     organisation="Thurrock Council", dietary_needs="None")
    unknown = register(Visitor(world["app"]), world["event_id"], email="fresh@new.example")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    [mail_known] = captured(world, "zoe@a.example", "Confirm")
    [mail_unknown] = captured(world, "fresh@new.example", "Confirm")
    assert mail_known["Subject"] == mail_unknown["Subject"]
    link = confirm_link(mail_known)
    visitor.send(link, {"csrf_token": Visitor.token(visitor.get(link))})
    zoe = db.session.get(Person, world["zoe"].id)
    assert zoe.name == "Zoë Ó Súilleabháin"  # identity is the person's: never renamed
    records = {m.community_id: m for m in db.session.execute(
        select(Membership).where(Membership.person_id == zoe.id)).scalars()}
    in_a, in_b = records[world["a"].id], records[world["b"].id]
    assert (in_a.organisation.name, in_a.dietary_needs) == ("Ysbyty Glan Clwyd", "Halal")
    assert (in_b.organisation.name, in_b.dietary_needs) == ("Thurrock Council", "None")


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "Enter your full name"),
    ({"email": "not-an-address"}, "Enter an email address in the correct format"),
    ({"organisation": ""}, "Enter your organisation"),
    ({"organisation": "x" * 201}, "Organisation must be 200 characters or fewer"),
    ({"profession": "astrologer"}, "Not a valid choice"),
    ({"dietary_needs": "y" * 2001}, "Dietary needs must be 2000 characters or fewer"),
])
def test_bad_input_gets_a_clear_error_and_writes_nothing(world, changes, message):
    before = written()
    answer = register(Visitor(world["app"]), world["event_id"], **changes)
    assert answer.status_code == 400 and message in answer.text and "There is a problem" in answer.text
    assert written() == before


def test_without_the_csrf_token_nothing_is_written(world):
    before = written()
    answer = Visitor(world["app"]).send(f"/events/{world['event_id']}/register", form())
    assert answer.status_code == 400 and written() == before


def test_the_honeypot_reads_as_success_and_writes_nothing(world):
    before = written()
    answer = register(Visitor(world["app"]), world["event_id"], website="http://spam.example")
    assert answer.status_code == 302 and written() == before


def test_drafts_and_private_events_have_no_public_page(world):
    visitor = Visitor(world["app"])
    event = db.session.get(type(world["event"]), world["event_id"])
    for change in ({"status": "draft"}, {"is_public": False}):
        for key, value in change.items():
            setattr(event, key, value)
        db.session.commit()
        assert visitor.get(f"/events/{event.id}/register").status_code == 404
        event.status, event.is_public = "published", True
        db.session.commit()


def test_a_cancelled_or_past_event_takes_no_registration(world):
    event = db.session.get(type(world["event"]), world["event_id"])
    event.status = "cancelled"
    db.session.commit()
    assert Visitor(world["app"]).get(f"/events/{event.id}/register").status_code == 404
    event.status = "published"
    event.rsvp_deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = Visitor(world["app"]).get(f"/events/{event.id}/register")
    assert page.status_code == 200 and "Registration for this event is closed" in page.text and "<form" not in page.text


def test_one_mail_a_day_to_an_address_from_this_page(world):
    for _ in range(3):
        assert register(Visitor(world["app"]), world["event_id"], email="Jo@New.example").status_code == 302
    assert len(captured(world, "jo@new.example", "Confirm")) == 1


def test_unconfirmed_registrations_are_capped_per_event(app_factory, world):
    world["app"].config["REGISTRATION_UNCONFIRMED_CAP"] = 2
    for number in range(2):
        assert register(Visitor(world["app"]), world["event_id"], email=f"p{number}@new.example").status_code == 302
    before = written()
    refused = register(Visitor(world["app"]), world["event_id"], email="third@new.example")
    assert refused.status_code == 400 and "Too many people are registering" in refused.text
    assert written() == before


def test_confirmation_links_expire(world):
    visitor = Visitor(world["app"])
    register(visitor, world["event_id"])
    [mail] = captured(world, "jo@new.example", "Confirm")
    db.session.execute(Registration.__table__.update().values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert visitor.get(confirm_link(mail)).status_code == 404
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 0


def test_registration_posts_are_rate_limited_per_client(app_factory, smtp_server):  # noqa: F811
    app = app_factory(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="2 per minute", **smtp_server.settings())
    with app.app_context():
        group = factories.community()
        event = make_event(group)
        db.session.commit()
        client = app.test_client()
        codes = [client.post(f"/events/{event.id}/register", data=form(email=f"r{n}@new.example")).status_code
                 for n in range(3)]
        assert codes == [302, 302, 429]


def test_the_organiser_adds_a_shared_link_and_prints_its_poster(world):
    organiser = Visitor(world["app"], "mallory@b.example")
    event_id = world["event_id"]
    page = organiser.get(f"/events/{event_id}/share")
    assert page.status_code == 200 and f"/events/{event_id}/register?via=linkedin" in page.text
    bad = organiser.post(f"/events/{event_id}/share", {"channel": "Linked In!"})
    assert bad.status_code == 400 and "lower-case letters" in bad.text
    assert organiser.post(f"/events/{event_id}/share", {"channel": "newsletter"}).status_code == 302
    assert db.session.execute(select(SharedLink.channel).where(SharedLink.event_id == event_id)
                              .order_by(SharedLink.channel)).scalars().all() == ["linkedin", "newsletter"]
    poster = organiser.get(f"/events/{event_id}/share/poster.pdf?via=newsletter")
    assert poster.status_code == 200 and poster.data.startswith(b"%PDF") and "newsletter" in poster.headers[
        "Content-Disposition"]


def test_an_unknown_channel_tag_counts_as_the_public_page(world):
    visitor = Visitor(world["app"])
    register(visitor, world["event_id"], via="made-up")
    assert db.session.execute(select(Registration.channel)).scalar_one() == "public"


def test_reports_show_reach_attendance_and_new_organisations_by_channel(world):
    """Two past events: the second brings a new organisation through linkedin, a known one by invitation;
    a trusted member's guest and a walk-in are counted as such."""
    from cop.events.models import Attendance

    b = db.session.get(type(world["b"]), world["b"].id)
    old_org, new_org, other_new = (factories.organisation(name=n)
                                   for n in ("Old Trust", "New Charity", "Walk-in Hospice"))
    inviter = factories.member(b, "member")
    people = {name: factories.member(b, "member", factories.person(name=name, org=org))
              for name, org in (("Olive", old_org), ("Oscar", old_org), ("Nina", new_org), ("Tess", old_org),
                                ("Walt", other_new))}
    first = make_event(b, starts_at=utcnow() - timedelta(days=60), title="First")
    second = make_event(b, starts_at=utcnow() - timedelta(days=30), title="Second")
    db.session.flush()
    db.session.add_all([
        Invitation(event=first, person=people["Olive"], answer="yes", place="confirmed"),
        Attendance(event=first, person=people["Olive"]),
        Invitation(event=second, person=people["Oscar"], answer="yes", place="confirmed"),
        Invitation(event=second, person=people["Nina"], answer="yes", place="confirmed", channel="linkedin"),
        Invitation(event=second, person=people["Tess"], answer="no", invited_by=inviter),
        Attendance(event=second, person=people["Oscar"]), Attendance(event=second, person=people["Nina"]),
        Attendance(event=second, person=people["Walt"], walk_in=True),
    ])
    db.session.commit()
    organiser = Visitor(world["app"], "mallory@b.example")
    report = organiser.get(f"/events/{second.id}/report").text
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th>((?:\s*<td[^>]*>\d+</td>){5})', report))
    numbers = {channel: [int(n) for n in re.findall(r">(\d+)<", cells)] for channel, cells in rows.items()}
    assert numbers == {
        "linkedin": [1, 1, 1, 1, 1],
        "invitation": [1, 1, 1, 0, 0],
        "trusted member": [1, 0, 0, 0, 0],
        "walk-in (not invited)": [0, 0, 1, 1, 1],
    }
    community = organiser.get(f"/communities/{b.slug}/report").text
    assert 'id="channels-table"' in community and "linkedin" in community
    exported = organiser.get(f"/events/{second.id}/report.csv").text
    assert "by channel,,,new organisations,linkedin,1" in exported.replace("\r", "")
    assert "by channel,,,came,walk-in (not invited),1" in exported.replace("\r", "")


def test_the_demo_has_shared_links_with_registrations_from_two_channels_and_its_report_shows_them(app):
    from cop.accounts.models import Account
    from cop.demo import COMMUNITY_SLUG, load_demo
    from tests.conftest import sign_in

    load_demo()
    load_demo()  # idempotent
    channels = dict(db.session.execute(
        select(Registration.channel, func.count(Registration.id)).where(Registration.state == "confirmed")
        .group_by(Registration.channel)).all())
    assert set(channels) == {"linkedin", "newsletter"} and min(channels.values()) >= 5
    assert db.session.execute(select(func.count(Invitation.id)).where(Invitation.channel != "")).scalar_one() == sum(
        channels.values())
    organiser = db.session.execute(
        select(Account).join(Membership, Membership.person_id == Account.person_id)
        .where(Membership.role == "organiser")).scalars().first()
    client = app.test_client()
    sign_in(client, organiser)
    report = client.get(f"/communities/{COMMUNITY_SLUG}/report").get_data(as_text=True)
    channels = report[report.index("channels-table"):]
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th>\s*<td[^>]*>(\d+)</td>', channels))
    assert {"linkedin", "newsletter", "invitation"} <= set(rows)
    new_by = dict(re.findall(r'<tr><th scope="row">([^<]+)</th>(?:\s*<td[^>]*>\d+</td>){3}\s*<td[^>]*>(\d+)</td>',
                             report[report.index("channels-table"):]))
    assert int(new_by["linkedin"]) > 0 and int(new_by["newsletter"]) > 0


def _confirmed_awaiting(world, email, organisation):
    visitor = Visitor(world["app"])
    register(visitor, world["event_id"], email=email, organisation=organisation, name=email.split("@")[0].title())
    [mail] = captured(world, email, "Confirm")
    link = confirm_link(mail)
    return visitor.send(link, {"csrf_token": Visitor.token(visitor.get(link))})


def test_with_approval_nothing_is_held_until_the_organiser_approves_in_bulk_and_declined_people_are_told_kindly(world):
    organiser = Visitor(world["app"], "mallory@b.example")
    event_id = world["event_id"]
    assert organiser.post(f"/events/{event_id}/share", {"needs_approval": "y"},
                          action=f"/events/{event_id}/share/approval").status_code == 302
    waiting = _confirmed_awaiting(world, "ann@new.example", "Brand New Charity")
    assert waiting.status_code == 200 and "we will confirm your place" in waiting.text
    _confirmed_awaiting(world, "ben@new.example", "Ysbyty Glan Clwyd")  # the community knows this organisation
    _confirmed_awaiting(world, "cat@new.example", "Another New Group")
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 0
    assert db.session.execute(select(Person).where(Person.email == "ann@new.example")).first() is None
    page = organiser.get(f"/events/{event_id}/registrations")
    assert page.status_code == 200 and all(n in page.text for n in ("Ann", "Ben", "Cat", "Pharmacy"))
    new_only = organiser.get(f"/events/{event_id}/registrations?new=1").text
    assert "Ann" in new_only and "Cat" in new_only and "Ben" not in new_only
    ids = dict(db.session.execute(select(Registration.email, Registration.id)).all())
    nothing_ticked = organiser.post(f"/events/{event_id}/registrations", {"action": "approve"})
    assert nothing_ticked.status_code == 400 and "Tick at least one registration" in nothing_ticked.text
    approved = organiser.post(f"/events/{event_id}/registrations",
                              {"action": "approve", "registration": [ids["ann@new.example"], ids["ben@new.example"]]})
    assert approved.status_code == 302
    places = dict(db.session.execute(
        select(Person.email, Invitation.place).join(Invitation, Invitation.person_id == Person.id)).all())
    assert places == {"ann@new.example": "confirmed", "ben@new.example": "waitlisted"}  # capacity 1
    assert captured(world, "ann@new.example", "Your place is confirmed")
    assert organiser.post(f"/events/{event_id}/registrations",
                          {"action": "decline", "registration": [ids["cat@new.example"]]}).status_code == 302
    [kind] = captured(world, "cat@new.example", "About your registration")
    assert "sorry" in kind.get_body(("plain",)).get_content()
    assert db.session.execute(select(Person).where(Person.email == "cat@new.example")).first() is None
    # Deciding twice changes nothing.
    again = organiser.post(f"/events/{event_id}/registrations",
                           {"action": "approve", "registration": [ids["cat@new.example"]]})
    assert again.status_code == 302 and "0 registrations approved" in organiser.get(again.headers["Location"]).text


def test_another_community_s_organiser_cannot_decide_this_one_s_registrations(world):
    a_organiser = factories.account(db.session.execute(select(Person).where(Person.email == "sian@a.example"))
                                    .scalar_one(), PASSWORD)
    db.session.commit()
    organiser_b = Visitor(world["app"], "mallory@b.example")
    organiser_b.post(f"/events/{world['event_id']}/share", {"needs_approval": "y"},
                     action=f"/events/{world['event_id']}/share/approval")
    _confirmed_awaiting(world, "ann@new.example", "Brand New Charity")
    attacker = Visitor(world["app"], a_organiser.person.email)
    [registration_id] = db.session.execute(select(Registration.id)).scalars()
    token = Visitor.token(attacker.get("/account"))
    for url in (f"/events/{world['event_id']}/registrations", f"/events/{world['event_id']}/share"):
        assert attacker.get(url).status_code == 403
    answer = attacker.send(f"/events/{world['event_id']}/registrations",
                           {"action": "approve", "registration": registration_id, "csrf_token": token})
    assert answer.status_code == 403
    assert db.session.execute(select(Registration.state)).scalar_one() == "awaiting"


def test_join_this_network_confirms_the_address_shows_a_guest_until_approved_as_a_member(world):
    b_slug = "community-b"
    visitor = Visitor(world["app"])
    page = visitor.get(f"/communities/{b_slug}/join")
    assert page.status_code == 200 and "Join this network" in page.text and "Big Room: frailty" in page.text
    assert "Already Here" not in page.text and "here@b.example" not in page.text
    bad = visitor.send(f"/communities/{b_slug}/join", {"csrf_token": Visitor.token(page), "name": "", "email": "x"})
    assert bad.status_code == 400 and "Enter your full name" in bad.text
    before = written()
    joined = visitor.send(f"/communities/{b_slug}/join", {
        "csrf_token": Visitor.token(page), "name": "Dee New", "email": "dee@new.example",
        "organisation": "Tilbury Food Bank", "sector": "vcse", "place": "Tilbury", "profession": "other"})
    assert joined.status_code == 302 and "check-your-email" in joined.headers["Location"]
    assert written()[3] == before[3]  # nobody is created before the address is confirmed
    [mail] = captured(world, "dee@new.example", "Confirm you want to join Community B")
    link = confirm_link(mail)
    done = visitor.send(link, {"csrf_token": Visitor.token(visitor.get(link))})
    assert done.status_code == 200 and "we will confirm your membership" in done.text
    dee = db.session.execute(select(Person).where(Person.email == "dee@new.example")).scalar_one()
    record = db.session.execute(select(Membership).where(Membership.person_id == dee.id)).scalar_one()
    assert (record.community_id, record.role, record.organisation.name) == (world["b"].id, "guest", "Tilbury Food Bank")
    organiser = Visitor(world["app"], "mallory@b.example")
    listing = organiser.get(f"/communities/{b_slug}/join-requests?new=1")
    assert listing.status_code == 200 and "Dee New" in listing.text and "New to the network" in listing.text
    [request_id] = db.session.execute(select(Registration.id).where(Registration.event_id.is_(None))).scalars()
    assert organiser.post(f"/communities/{b_slug}/join-requests",
                          {"action": "approve", "registration": request_id}).status_code == 302
    assert db.session.execute(select(Membership.role).where(Membership.person_id == dee.id)).scalar_one() == "member"
    assert captured(world, "dee@new.example", "Welcome to Community B")


def test_joining_never_demotes_or_renames_and_another_community_cannot_decide(world):
    visitor = Visitor(world["app"])
    page = visitor.get("/communities/community-b/join")
    visitor.send("/communities/community-b/join", {
        "csrf_token": Visitor.token(page), "name": "Not Mallory", "email": "mallory@b.example",
        "organisation": "Somewhere", "profession": "other"})
    [mail] = captured(world, "mallory@b.example", "Confirm you want to join")
    link = confirm_link(mail)
    visitor.send(link, {"csrf_token": Visitor.token(visitor.get(link))})
    mallory = db.session.execute(select(Person).where(Person.email == "mallory@b.example")).scalar_one()
    assert mallory.name == "Mallory Mischief"
    assert db.session.execute(
        select(Membership.role).where(Membership.person_id == mallory.id)).scalar_one() == "organiser"
    a_organiser = factories.account(db.session.execute(select(Person).where(Person.email == "sian@a.example"))
                                    .scalar_one(), PASSWORD)
    db.session.commit()
    attacker = Visitor(world["app"], a_organiser.person.email)
    [request_id] = db.session.execute(select(Registration.id)).scalars()
    assert attacker.get("/communities/community-b/join-requests").status_code == 403
    answer = attacker.send("/communities/community-b/join-requests", {
        "action": "decline", "registration": request_id, "csrf_token": Visitor.token(attacker.get("/account"))})
    assert answer.status_code == 403
    # Their own community's page cannot reach it either.
    assert attacker.post("/communities/cymuned-a/join-requests", {"action": "decline", "registration": request_id},
                         action=None).status_code in (200, 302, 400)
    assert db.session.execute(select(Registration.state)).scalar_one() == "awaiting"


def test_registrations_are_in_the_person_s_data_export_and_go_with_erasure(world):
    from cop import privacy

    register(Visitor(world["app"]), world["event_id"], email="zoe@a.example")
    zoe = db.session.get(Person, world["zoe"].id)
    exported = privacy.export_person(zoe)
    [kept] = exported["registrations"]
    assert kept["email"] == "zoe@a.example" and kept["state"] == "pending" and "token" not in str(kept)
    assert privacy.export_person(zoe, world["a"].id)["registrations"] == []  # B's, not A's
    privacy.erase_person(zoe)
    assert db.session.execute(select(func.count(Registration.id))).scalar_one() == 0


def test_unconfirmed_registrations_are_dropped_a_day_after_they_expire(world):
    register(Visitor(world["app"]), world["event_id"])
    db.session.execute(Registration.__table__.update().values(
        created_at=utcnow() - timedelta(days=3), expires_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    register(Visitor(world["app"]), world["event_id"], email="other@new.example")
    assert db.session.execute(select(Registration.email)).scalars().all() == ["other@new.example"]


def test_registering_for_every_session_of_a_series_at_once(world):
    series = factories.series(db.session.get(type(world["b"]), world["b"].id), title="Frailty learning", count=3)
    db.session.commit()
    first = series.events[0]
    visitor = Visitor(world["app"])
    page = visitor.get(f"/events/{first.id}/register")
    assert "Register for every session of the series" in page.text and 'id="series-sessions"' in page.text
    visitor.send(f"/events/{first.id}/register", {**form(whole_series="y"), "csrf_token": Visitor.token(page)})
    [mail] = captured(world, "jo@new.example", "Confirm")
    link = confirm_link(mail)
    done = visitor.send(link, {"csrf_token": Visitor.token(visitor.get(link))})
    assert done.status_code == 302
    answered = db.session.execute(select(Invitation.event_id, Invitation.answer, Invitation.place)
                                  .order_by(Invitation.event_id)).all()
    assert answered == [(event.id, "yes", "confirmed") for event in series.events]
    assert len(captured(world, "jo@new.example", "Your place is confirmed")) == 3


def test_someone_whose_invitation_was_revoked_gets_no_place_by_registering(world):
    from cop.invitations.models import Invitation as Inv

    zoe = db.session.get(Person, world["zoe"].id)
    factories.member(db.session.get(type(world["b"]), world["b"].id), "guest", zoe)
    db.session.add(Inv(event_id=world["event_id"], person=zoe, revoked_at=utcnow()))
    db.session.commit()
    visitor = Visitor(world["app"])
    register(visitor, world["event_id"], email="zoe@a.example")
    [mail] = captured(world, "zoe@a.example", "Confirm")
    link = confirm_link(mail)
    refused = visitor.send(link, {"csrf_token": Visitor.token(visitor.get(link))})
    assert refused.status_code == 409 and "closed" in refused.text
    assert db.session.execute(select(Inv.revoked_at, Inv.place)).one()[1] == "none"
    assert visitor.get(link).status_code == 404  # spent


def test_registration_posts_are_rate_limited_per_event_across_client_addresses(app_factory, smtp_server):  # noqa: F811
    app = app_factory(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="100 per minute",
                      REGISTRATION_EVENT_RATE_LIMIT="2 per minute", **smtp_server.settings())
    with app.app_context():
        group = factories.community()
        event, other = make_event(group), make_event(group, title="Another evening")
        db.session.commit()
        client = app.test_client()
        codes = [client.post(f"/events/{event.id}/register", data=form(email=f"r{n}@new.example"),
                             environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(3)]
        assert codes == [302, 302, 429]
        assert client.post(f"/events/{other.id}/register", data=form(email="s@new.example"),
                           environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 302
