"""Challenges and ideas (issue 21): posting, ideas, comments, supports, the pipeline and its mail, merging,
hiding, who is speaking, the CSV contract, personal links, the event page and invitation mail, personal data."""
import csv
import io
import re
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from cop.challenges import ideas as idea_logic
from cop.challenges import pipeline, voices
from cop.challenges.models import (
    Challenge,
    Idea,
    IdeaComment,
    IdeaMove,
    IdeaSupport,
    ModerationEntry,
    ParticipationLink,
)
from cop.clock import utcnow
from cop.extensions import db
from cop.mail.models import OutboxMessage
from tests import factories
from tests.challenge_helpers import open_challenge
from tests.conftest import sign_in


@pytest.fixture
def world(app):
    group = factories.community(slug="assembly-cymru", name="Cynulliad Iechyd")
    orgs = [factories.organisation(name=n, sector=s) for n, s in (
        ("Ysbyty Gwynedd", "acute"), ("Cyngor Sir Ddinbych", "local_authority"), ("Mind Aberconwy", "vcse"),
        ("Zürich Care Trust", "community"))]
    organiser = factories.member(group, "organiser", factories.person(name="Siân Ellis-Jones", org=orgs[0]))
    facilitator = factories.member(group, "facilitator", factories.person(name="Dafydd ap Gwilym", org=orgs[1]))
    people = [factories.member(group, "member", factories.person(name=name, org=orgs[i % 4], profession=prof))
              for i, (name, prof) in enumerate((("Eluned Morgan", "nursing"), ("Zoë Brontë", "medicine"),
                                                 ("Николай Петров", "social_work"), ("李小龍", "pharmacy"),
                                                 ("Gwenllian Ŵyn", "nursing"), ("José Álvarez", "management")))]
    guest = factories.member(group, "guest", factories.person(name="Rhiannon Guest", org=orgs[2]))
    event = factories.event(group, title="Cynulliad 2027", format="assembly")
    challenge, idea, comment = open_challenge(group, people[0], event=event, audience="link")
    db.session.commit()
    accounts = {"organiser": factories.account(organiser), "facilitator": factories.account(facilitator),
                "member": factories.account(people[1]), "author": factories.account(people[0])}
    db.session.commit()
    return {"group": group, "organiser": organiser, "facilitator": facilitator, "people": people, "guest": guest,
            "event": event, "challenge": challenge, "idea": idea, "comment": comment, "accounts": accounts,
            "orgs": orgs}


class _Visitor:
    """A signed-in test client; the test's app context outlives requests, so each request forgets the last
    visitor (flask_login keeps them on `g`)."""

    def __init__(self, client):
        self.client = client

    def get(self, *args, **kwargs):
        g.pop("_login_user", None)
        return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        g.pop("_login_user", None)
        return self.client.post(*args, **kwargs)


def _client(app, account):
    client = app.test_client()
    sign_in(client, account)
    return _Visitor(client)


def test_the_community_lists_its_challenges_and_organisers_post_one(app, world):
    client = _client(app, world["accounts"]["organiser"])
    page = client.get("/communities/assembly-cymru/challenges")
    assert page.status_code == 200 and world["challenge"].title in page.text
    answer = client.post("/communities/assembly-cymru/challenges/new", data={
        "title": "Sut allwn ni leihau amseroedd aros?", "question": "How do we cut waits?", "background": "",
        "audience": "members", "opens_on": "1/12/2026", "opens_at": "09:00", "closes_on": "30/11/2026",
        "closes_at": "17:00", "event_id": str(world["event"].id)})
    assert answer.status_code == 400 and "must close after it opens" in answer.text
    answer = client.post("/communities/assembly-cymru/challenges/new", data={
        "title": "Sut allwn ni leihau amseroedd aros?", "question": "How do we cut waits?", "background": "<b>x</b>",
        "audience": "members", "opens_on": "1/12/2026", "opens_at": "09:00", "closes_on": "31/1/2027",
        "closes_at": "17:00", "event_id": str(world["event"].id)})
    assert answer.status_code == 302
    made = db.session.execute(select(Challenge).where(Challenge.title.like("Sut%"))).scalar_one()
    assert made.event_id == world["event"].id and made.audience == "members"
    shown = client.get(f"/challenges/{made.id}")
    assert "&lt;b&gt;x&lt;/b&gt;" in shown.text  # no HTML in user text


def test_a_member_submits_comments_replies_and_supports_once(app, world):
    client = _client(app, world["accounts"]["member"])
    challenge, idea = world["challenge"], world["idea"]
    answer = client.post(f"/challenges/{challenge.id}/ideas/new", data={
        "title": "Clinigau Cymraeg <script>alert(1)</script>", "description": "Welsh-language clinics.",
        "anonymous": "y"})
    assert answer.status_code == 302
    mine = db.session.execute(select(Idea).where(Idea.title.like("Clinigau%"))).scalar_one()
    assert mine.anonymous and mine.author_id == world["people"][1].id
    page = client.get(f"/ideas/{mine.id}")
    assert "&lt;script&gt;" in page.text and "<script>alert" not in page.text
    assert client.post(f"/ideas/{idea.id}/comments", data={"body": "Da iawn!"}).status_code == 302
    top = db.session.execute(select(IdeaComment).where(IdeaComment.body == "Da iawn!")).scalar_one()
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Reply one", "parent_id": str(top.id)})
    reply = db.session.execute(select(IdeaComment).where(IdeaComment.body == "Reply one")).scalar_one()
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Reply two", "parent_id": str(reply.id)})
    second = db.session.execute(select(IdeaComment).where(IdeaComment.body == "Reply two")).scalar_one()
    assert reply.parent_id == top.id and second.parent_id == top.id  # one level only
    for _ in range(2):
        assert client.post(f"/ideas/{idea.id}/support").status_code == 302
    assert idea_logic.support_count(idea) == 1
    client.post(f"/ideas/{idea.id}/support", data={"withdraw": "yes"})
    assert idea_logic.support_count(idea) == 0


def test_anonymous_ideas_name_nobody_to_participants_but_staff_see_who(app, world):
    author = world["people"][0]
    idea = idea_logic.submit_idea(world["challenge"], author, "Dienw", "Anonymous idea", anonymous=True)
    db.session.commit()
    other = _client(app, world["accounts"]["member"]).get(f"/ideas/{idea.id}").text
    assert author.name not in other and "Anonymous" in other
    staff = _client(app, world["accounts"]["facilitator"]).get(f"/ideas/{idea.id}").text
    assert f"{author.name} (anonymous to participants)" in staff


def test_search_sort_and_filter(app, world):
    challenge, people = world["challenge"], world["people"]
    a = idea_logic.submit_idea(challenge, people[1], "Bws am ddim", "Free buses to clinics", False)
    b = idea_logic.submit_idea(challenge, people[2], "Tai cynnes", "Warm homes", False)
    for person in people[2:5]:
        idea_logic.support(b, person)
    for n in range(3):
        idea_logic.add_comment(a, people[n], f"Sylw {n}")
    pipeline.move_idea(b, "shortlisted", "Backed across the system", world["organiser"])
    db.session.commit()
    find = idea_logic.find_ideas
    assert [r.idea.id for r in find(challenge, idea_logic.IdeaFilter(sort="supported"))][0] == b.id
    assert [r.idea.id for r in find(challenge, idea_logic.IdeaFilter(sort="discussed"))][0] == a.id
    assert [r.idea.id for r in find(challenge, idea_logic.IdeaFilter(search="BUSES"))] == [a.id]
    assert [r.idea.id for r in find(challenge, idea_logic.IdeaFilter(stage="shortlisted"))] == [b.id]
    page = _client(app, world["accounts"]["member"]).get(f"/challenges/{challenge.id}?stage=shortlisted&sort=supported")
    listed = page.text.split('id="ideas"')[1]  # above it, "Your ideas" lists the member's own
    assert "Tai cynnes" in listed and "Bws am ddim" not in listed


def test_a_move_tells_author_supporters_and_commenters_once_each_and_many_followers_get_a_digest(app, world):
    challenge, people = world["challenge"], world["people"]
    idea = world["idea"]  # by people[0], commented on by people[0]
    idea_logic.support(idea, people[1])
    idea_logic.add_comment(idea, people[2], "Byddwn i'n helpu")
    # people[3] follows many ideas: its moves come in a digest.
    many = [idea_logic.submit_idea(challenge, people[4], f"Syniad {n}", "x", False) for n in range(7)]
    for other in [idea, *many]:
        idea_logic.support(other, people[3])
    db.session.commit()
    before = db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()
    pipeline.move_idea(idea, "under_review", "Darllen: the design group is reading it", world["organiser"])
    db.session.commit()
    messages = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()[before:]
    recipients = sorted(m.recipient for m in messages)
    assert recipients == sorted(p.email for p in people[:3])
    assert all("Darllen: the design group is reading it" in m.text_body for m in messages)
    assert pipeline.send_idea_digests() == 1
    digest = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().first()
    assert digest.recipient == people[3].email and "Café conversations about frailty" in digest.text_body
    assert pipeline.send_idea_digests() == 0
    # Mail links are personal links (the challenge takes them): they open the idea without an account.
    link = re.search(r"http://cop\.test(/take-part/\S+)", digest.text_body).group(1)
    opened = _Visitor(app.test_client()).get(link, follow_redirects=True)
    assert opened.status_code == 200 and "Café conversations about frailty" in opened.text


def test_a_move_needs_a_reason_and_a_new_stage(app, world):
    with pytest.raises(pipeline.PipelineRefused):
        pipeline.move_idea(world["idea"], "shortlisted", "  ", world["organiser"])
    with pytest.raises(pipeline.PipelineRefused):
        pipeline.move_idea(world["idea"], "submitted", "why", world["organiser"])
    client = _client(app, world["accounts"]["facilitator"])
    answer = client.post(f"/ideas/{world['idea'].id}/move", data={"stage": "shortlisted", "move_reason": ""})
    assert answer.status_code == 400 and "Enter the reason for the move" in answer.text


def test_merging_carries_supports_and_comments_over_without_double_support(app, world):
    challenge, people = world["challenge"], world["people"]
    keep, duplicate = world["idea"], idea_logic.submit_idea(challenge, people[1], "Caffi sgwrs", "dup", False)
    idea_logic.support(keep, people[2])
    for person in people[2:5]:
        idea_logic.support(duplicate, person)
    idea_logic.add_comment(duplicate, people[5], "Same as the café idea")
    db.session.commit()
    client = _client(app, world["accounts"]["organiser"])
    answer = client.post(f"/ideas/{duplicate.id}/merge", data={"into": str(keep.id), "merge_reason": "Duplicate"})
    assert answer.status_code == 302
    assert idea_logic.support_count(keep) == 3  # people[2] counted once
    comments = select(func.count(IdeaComment.id)).where(IdeaComment.idea_id == keep.id)
    assert db.session.execute(comments).scalar_one() == 2
    assert db.session.get(Idea, duplicate.id).merged_into_id == keep.id
    assert duplicate.id not in [r.idea.id for r in idea_logic.find_ideas(challenge, idea_logic.IdeaFilter())]
    assert db.session.execute(select(ModerationEntry.action)).scalars().all() == ["merge"]


def test_hiding_keeps_a_log_and_hides_from_participants(app, world):
    idea, comment = world["idea"], world["comment"]
    staff = _client(app, world["accounts"]["facilitator"])
    assert staff.post(f"/ideas/{idea.id}/hide", data={"hide_reason": "Names a patient"}).status_code == 302
    assert staff.post(f"/idea-comments/{comment.id}/hide", data={"hide_reason": "Off topic"}).status_code == 302
    member = _client(app, world["accounts"]["member"])
    listing = member.get(f"/challenges/{world['challenge'].id}").text
    assert idea.title not in listing
    page = member.get(f"/ideas/{idea.id}").text
    assert "Names a patient" in page and "Meet in cafés, not clinics." not in page
    log = staff.get(f"/challenges/{world['challenge'].id}/moderation").text
    assert "Names a patient" in log and "Off topic" in log
    assert staff.post(f"/ideas/{idea.id}/show", data={"show_reason": "Edited"}).status_code == 302
    assert idea.title in member.get(f"/challenges/{world['challenge'].id}").text


def test_closed_challenges_take_nothing(app, world):
    challenge = world["challenge"]
    challenge.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client = _client(app, world["accounts"]["member"])
    posted = client.post(f"/challenges/{challenge.id}/ideas/new", data={"title": "x", "description": "y"})
    assert posted.status_code == 409
    client.post(f"/ideas/{world['idea'].id}/support")
    assert idea_logic.support_count(world["idea"]) == 0


def test_the_csv_contract_counts_distinct_organisations_among_supporters(app, world):
    challenge, people, idea = world["challenge"], world["people"], world["idea"]
    for person in people[1:6]:  # organisations 1, 2, 3, 0, 1: four distinct
        idea_logic.support(idea, person)
    formula = idea_logic.submit_idea(challenge, people[1], "=HYPERLINK(\"http://evil\")", "@SUM(1)", False)
    db.session.commit()
    answer = _client(app, world["accounts"]["facilitator"]).get(f"/challenges/{challenge.id}/ideas.csv")
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert {"title", "stage", "supporters", "organisations"} <= set(rows[0])
    row = next(r for r in rows if r["id"] == str(idea.id))
    assert row["supporters"] == "5" and row["organisations"] == "4" and row["stage"] == "Submitted"
    assert row["spread"] == "across"
    bad = next(r for r in rows if r["id"] == str(formula.id))
    assert bad["title"].startswith("'=") and bad["description"].startswith("'@")


def test_support_within_one_organisation_is_flagged(app, world):
    people = world["people"]
    idea = idea_logic.submit_idea(world["challenge"], people[1], "Un sefydliad", "one org", False)
    idea_logic.support(idea, people[0])
    idea_logic.support(idea, people[4])  # both Ysbyty Gwynedd
    db.session.commit()
    assert voices.idea_voices(idea)[1] == "within"
    report = _client(app, world["accounts"]["facilitator"]).get(f"/challenges/{world['challenge'].id}/report")
    assert report.status_code == 200 and "Within one organisation" in report.text and "<svg" in report.text


def test_renamed_stages_show_in_pages(app, world):
    client = _client(app, world["accounts"]["organiser"])
    from cop.challenges.models import STAGES

    data = dict(STAGES)
    data["shortlisted"] = "Ar y rhestr fer"
    assert client.post("/communities/assembly-cymru/challenges/stages", data=data).status_code == 302
    pipeline.move_idea(world["idea"], "shortlisted", "Yes", world["organiser"])
    db.session.commit()
    assert "Ar y rhestr fer" in client.get(f"/ideas/{world['idea'].id}").text


def test_the_event_page_and_the_invitation_mail_link_to_the_challenge(app, world):
    from cop.invitations import mails
    from tests.invitation_helpers import make_invitation

    event, challenge = world["event"], world["challenge"]
    page = _client(app, world["accounts"]["member"]).get(f"/events/{event.id}")
    assert f"/challenges/{challenge.id}" in page.text
    invitation, _ = make_invitation(event, world["guest"])
    mails.mail_invitation(invitation)
    db.session.commit()
    message = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().first()
    assert challenge.title in message.text_body
    link = re.search(r"http://cop\.test(/take-part/\S+)", message.text_body).group(1)
    guest = _Visitor(app.test_client())  # no account
    assert guest.get(f"/challenges/{challenge.id}").status_code == 302  # sign in first
    landed = guest.get(link, follow_redirects=True)
    assert landed.status_code == 200 and challenge.title in landed.text
    posted = guest.post(f"/challenges/{challenge.id}/ideas/new",
                        data={"title": "Gan westai", "description": "A guest's idea"})
    assert posted.status_code == 302
    idea = db.session.execute(select(Idea).where(Idea.title == "Gan westai")).scalar_one()
    assert idea.author_id == world["guest"].id
    # Revoked: the link and the browser that opened it stop working at once.
    _client(app, world["accounts"]["organiser"]).post(f"/challenges/{challenge.id}/links/{world['guest'].id}/revoke")
    assert guest.get(f"/challenges/{challenge.id}").status_code == 302
    assert guest.get(link).status_code == 404
    assert all(len(row.token_hash) == 64 for row in db.session.execute(select(ParticipationLink)).scalars())


def test_a_members_only_challenge_refuses_guests_and_takes_no_links(app, world):
    challenge = world["challenge"]
    challenge.audience = "members"
    db.session.commit()
    guest_account = factories.account(world["guest"])
    db.session.commit()
    assert _client(app, guest_account).get(f"/challenges/{challenge.id}").status_code == 403
    assert challenge.title not in _client(app, guest_account).get("/communities/assembly-cymru/challenges").text


def test_my_ideas_shows_progress(app, world):
    pipeline.move_idea(world["idea"], "shortlisted", "Across the system", world["organiser"])
    db.session.commit()
    page = _client(app, world["accounts"]["author"]).get("/my-ideas")
    assert "Café conversations about frailty" in page.text and "Shortlisted" in page.text and "step 3 of 5" in page.text


def test_seating_by_idea_groups_supporters_mixed_by_organisation(app, world):
    from cop.communities.members import as_members

    idea, people = world["idea"], world["people"]
    for person in people:
        idea_logic.support(idea, person)
    pipeline.move_idea(idea, "shortlisted", "Shortlisted", world["organiser"])
    db.session.commit()
    groups = voices.seating_groups(world["challenge"], as_members(world["group"].id, people), size=3)
    assert sorted(len(g.people) for g in groups) == [3, 3]
    for group in groups:
        assert len({m.organisation_id for m in group.people}) == 3  # mixed


def test_personal_data_exports_and_erasure_keeps_ideas_and_counts(app, world):
    from cop.privacy import erase_person, export_person

    author, idea = world["people"][0], world["idea"]
    idea_logic.support(idea, world["people"][1])
    idea_logic.add_comment(idea, world["people"][1], f"Ask {author.name} about it")
    db.session.commit()
    exported = export_person(author)["challenges"]
    assert exported["ideas"][0]["title"] == idea.title and exported["comments"][0]["body"].startswith("Diolch")
    assert export_person(world["people"][1])["challenges"]["supports"][0]["idea"] == idea.title
    name = author.name
    erase_person(author)
    assert db.session.get(Idea, idea.id).author.name == "Erased person"
    assert idea_logic.support_count(idea) == 1
    assert name not in db.session.execute(select(IdeaComment.body).where(
        IdeaComment.author_id == world["people"][1].id)).scalar_one()
    assert db.session.execute(select(func.count(IdeaMove.id))).scalar_one() == 0
    assert db.session.execute(select(func.count(IdeaSupport.id))).scalar_one() == 1


def test_posting_is_rate_limited_per_person(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, CHALLENGE_POST_RATE_LIMIT="3 per minute")
    with app.app_context():
        group = factories.community()
        author = factories.member(group, "member")
        _challenge, idea, _comment = open_challenge(group, author)
        db.session.commit()
        client = _client(app, factories.account(author))
        answers = [client.post(f"/ideas/{idea.id}/comments", data={"body": f"Sylw {n}"}).status_code
                   for n in range(4)]
        assert answers == [302, 302, 302, 429]
        assert db.session.execute(select(func.count(IdeaComment.id))).scalar_one() == 4  # 1 + 3


def test_the_demo_has_a_challenge_for_its_assembly_linked_from_the_event_page(app):
    from cop.accounts.models import Account
    from cop.demo import load_demo
    from cop.events.models import Event
    from cop.people.models import Person

    load_demo()
    counts = [db.session.execute(select(func.count()).select_from(m)).scalar_one()
              for m in (Challenge, Idea, IdeaSupport, IdeaComment, IdeaMove)]
    load_demo()
    assert [db.session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Challenge, Idea, IdeaSupport, IdeaComment, IdeaMove)] == counts  # idempotent
    challenge = db.session.execute(select(Challenge)).scalar_one()
    ideas = db.session.execute(select(Idea)).scalars().all()
    assert len(ideas) >= 20 and len({i.stage for i in ideas}) >= 4 and counts[3] > 20
    found = voices.challenge_voices(challenge)
    assert found.participants.organisation_count >= 15
    assert {item.spread for item in found.ideas} >= {"across", "within"}
    assert challenge.event.title == db.session.get_one(Event, challenge.event_id).title
    assert challenge.event.format == "assembly"
    organiser = db.session.execute(select(Account).join(Person).where(
        Person.email == "rachel.okoye@mse-icb.nhs.example")).scalar_one()
    page = _client(app, organiser).get(f"/events/{challenge.event_id}")
    assert f'href="/challenges/{challenge.id}"' in page.text
