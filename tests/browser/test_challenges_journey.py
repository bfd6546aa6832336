"""Challenges in a real browser (issue 21), with axe on every page: a guest takes part from the link in their
invitation mail (shares an idea, comments, supports, sees its progress); the organiser moves ideas through the
pipeline, merges a duplicate and hides a comment and an idea."""
import re

import pytest
from sqlalchemy import select

from cop.challenges import ideas as idea_logic
from cop.challenges import pipeline
from cop.extensions import db
from cop.invitations import mails
from cop.mail.models import OutboxMessage
from tests import factories
from tests.challenge_helpers import open_challenge
from tests.invitation_helpers import make_invitation


def _world():
    group = factories.community(slug="cynulliad", name="Cynulliad Iechyd")
    orgs = [factories.organisation(name=n) for n in ("Ysbyty Glan Clwyd", "Cyngor Conwy", "Mind Aberconwy")]
    organiser = factories.member(group, "organiser", factories.person(name="Siân Ellis", email="sian@example.org",
                                                                       org=orgs[0]))
    factories.account(organiser, password="correct horse battery")
    people = [factories.member(group, "member", factories.person(name=n, org=orgs[i % 3]))
              for i, n in enumerate(("Eluned Morgan", "Zoë Brontë", "José Álvarez"))]
    guest = factories.member(group, "guest", factories.person(name="Rhiannon Wyn", org=orgs[2]))
    event = factories.event(group, title="Cynulliad 2027", format="assembly")
    challenge, idea, _comment = open_challenge(group, people[0], event=event, audience="link")
    db.session.commit()
    return {"group": group, "organiser": organiser, "people": people, "guest": guest, "event": event,
            "challenge": challenge, "idea": idea}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_guest_takes_part_from_the_invitation_mail(journey):
    world = _world()
    invitation, _ = make_invitation(world["event"], world["guest"])
    mails.mail_invitation(invitation)  # BASE_URL is the live server's now
    db.session.commit()
    body = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().first().text_body
    link = re.search(r"(http://127\.0\.0\.1:\d+/take-part/\S+)", body).group(1)
    page = journey.page

    journey.open_from_mail(link)
    assert world["challenge"].title in page.content()
    journey.follow("Share an idea")
    page.click("button:has-text('Share my idea')")  # empty: refused, with the NHS error summary
    journey.check()
    assert page.locator(".nhsuk-error-summary").is_visible()
    page.fill("#title", "Clinigau yn y llyfrgell")
    page.fill("#description", "Health checks in the library, with the PCN nurse.")
    page.click("button:has-text('Share my idea')")
    journey.check()
    assert "your idea has been shared" in page.content()
    journey.follow("Back to " + world["challenge"].title)
    journey.follow("Café conversations about frailty")
    page.fill("#body", "Byddwn i'n helpu: I would help in Conwy.")
    page.click("button:has-text('Add my comment')")
    journey.check()
    assert "Byddwn i'n helpu" in page.content()
    page.click("button:has-text('Support this idea')")
    journey.check()
    assert "You support this idea." in page.content()

    # The idea the guest supports moves: they see its progress on the challenge page.
    pipeline.move_idea(world["idea"], "shortlisted", "Backed across three organisations", world["organiser"])
    db.session.commit()
    journey.follow("Back to " + world["challenge"].title)
    yours = page.locator("h2:has-text('Your ideas') + p + ul").inner_text()
    assert "Café conversations about frailty" in yours and "Shortlisted" in yours and "step 3 of 5" in yours
    assert "Clinigau yn y llyfrgell" in yours and "Submitted" in yours
    journey.follow("Café conversations about frailty")
    assert "Backed across three organisations" in page.content()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_organiser_moves_merges_and_hides(journey):
    world = _world()
    people, challenge = world["people"], world["challenge"]
    duplicate = idea_logic.submit_idea(challenge, people[1], "Sgyrsiau caffi", "Cafés again", False)
    idea_logic.support(duplicate, people[2])
    idea_logic.add_comment(duplicate, people[2], "Rhywbeth amhriodol: something off topic")
    db.session.commit()
    page = journey.page

    journey.sign_in("sian@example.org", "correct horse battery")
    journey.to_community("Cynulliad Iechyd")
    journey.follow("Challenges")
    journey.follow(challenge.title)
    journey.follow("Sgyrsiau caffi")
    page.click("summary:has-text('Hide this comment')")
    page.fill("#hide-reason-" + str(_comment_id(duplicate)), "Off topic")
    page.click("button:has-text('Hide the comment')")
    journey.check()
    assert "The comment is hidden" in page.content()
    page.select_option("#into", str(world["idea"].id))
    page.fill("#merge_reason", "The same idea as the café conversations")
    page.click("button:has-text('Merge into that idea')")
    journey.check()
    assert "has been merged into" in page.content() and "1" in page.locator("dd").nth(3).inner_text()
    page.select_option("#stage", "shortlisted")
    page.fill("#move_reason", "Widely supported: to the assembly")
    page.click("button:has-text('Move the idea')")
    journey.check()
    assert "is now “Shortlisted”" in page.content()
    page.fill("#hide_reason", "Names a patient")
    page.click("button:has-text('Hide the idea')")
    journey.check()
    assert "Hidden by the moderators" in page.content()
    journey.follow("Back to " + challenge.title)
    journey.follow("Moderation log")
    log = page.content()
    assert "Names a patient" in log and "Off topic" in log and "The same idea as the café conversations" in log
    journey.follow("Back to " + challenge.title)
    journey.follow("Who is speaking: the challenge report")
    assert page.locator("svg.cop-chart").count() == 5


def _comment_id(idea) -> int:
    from cop.challenges.models import IdeaComment

    return db.session.execute(select(IdeaComment.id).where(IdeaComment.idea_id == idea.id)).scalar_one()
