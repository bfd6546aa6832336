"""The demo's feedback: the past Big Room's form, answered by some of those checked in, requests sent."""
from sqlalchemy import func, select

from cop.communities.models import Community
from cop.demo import COMMUNITY_SLUG, load_demo
from cop.events.demo import add_demo_events
from cop.events.models import Attendance
from cop.extensions import db
from cop.feedback import answering, asking, results, surveys
from cop.feedback.models import FeedbackRequest, Response
from cop.mail.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in


def test_the_past_big_room_has_answers_from_those_checked_in_once(app, client):
    load_demo()
    community = db.session.execute(select(Community).where(Community.slug == COMMUNITY_SLUG)).scalar_one()
    past = add_demo_events(community)["past_big_room"]
    survey = surveys.survey_of(past)
    came = set(db.session.execute(select(Attendance.person_id).where(Attendance.event_id == past.id)).scalars())
    requests = db.session.execute(select(FeedbackRequest).where(FeedbackRequest.survey_id == survey.id)).scalars().all()
    assert {r.person_id for r in requests} == came and all(r.sent_at > past.ends_at for r in requests)
    answered = [r for r in requests if answering.has_answered(r)]
    assert 0.4 < len(answered) / len(requests) < 0.8
    assert survey.anonymity_locked and all(r.reminded_at for r in requests)  # anonymous: everyone is reminded
    responses = db.session.execute(select(Response).where(Response.survey_id == survey.id)).scalars().all()
    assert len(responses) == len(answered) and all(r.person_id is None for r in responses)
    assert results.follow_up_pairs([past.id])  # the reports have follow-ups to show
    mail_before = db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()

    load_demo()  # a second run changes nothing, and the scheduled job finds nothing to send
    assert db.session.execute(select(func.count()).select_from(Response)).scalar_one() == len(responses)
    report = asking.send_due_feedback()
    assert (report.requests, report.reminders) == (0, 0)
    assert db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == mail_before

    sign_in(client, factories.account(factories.member(community, "organiser")))
    page = client.get(f"/events/{past.id}/feedback/results").text
    assert f"{len(responses)} of {len(requests)} asked" in page and "<svg" in page
    assert client.get(f"/events/{past.id}/feedback/results.csv").status_code == 200
