"""The demo's feedback: the past Big Room's form (anonymous, the Big Room default), requests sent to
everyone checked in, the one reminder to everyone (the form is anonymous), and answers from about 60% of them.

Deterministic (a fixed seed) and idempotent: a form that already has requests is left alone.
Answers go through answering.record_response, the path a real answer takes.
"""
import random
from datetime import timedelta

from sqlalchemy import select

from cop.communities.members import Member, as_members
from cop.communities.models import Community
from cop.door import check_in
from cop.events.models import Event
from cop.extensions import db
from cop.feedback import answering, surveys
from cop.feedback.models import FeedbackLink, FeedbackRequest
from cop.people.models import Person
from cop.tokens import new_token

SEED = 7
ANSWER_SHARE = 0.6
RATING_WEIGHTS = (1, 2, 6, 14, 10)  # 1 to 5: most evenings go well
DIFFERENTLY = [
    "Call the frailty team before I refer, not after.",
    "Invite the social prescriber from our PCN to our MDT meetings.",
    "Share our discharge checklist with the hospice and the council's reablement team.",
    "Stop assuming the ambulance crew knows what community services exist at night.",
    "Visit the foodbank with our health visitors so we know what they offer.",
    "Ask carers what the front door looked like from their side.",
    "Set up a monthly call with the VCSE groups in Thurrock.",
    "Use the shared care record before phoning round.",
]
ANYTHING_ELSE = [
    "The table mixing worked: I sat with people I would never otherwise meet.",
    "More time for the table conversations, please; the talks ran over.",
    "Great speaker. Could we have the slides?",
    "The room was noisy: a hearing loop at every table would help.",
    "Please keep the vegetarian option; it was very good.",
    "Would love a session on housing and health.",
]


def _answers_for(survey, person: Member, present: list[Member], rng: random.Random) -> dict:
    answers: dict[str, object] = {}
    for question in survey.live_questions:
        key = str(question.id)
        if question.kind == "rating":
            answers[key] = rng.choices(range(1, 6), weights=RATING_WEIGHTS)[0]
        elif question.kind == "count":
            answers[key] = rng.choices(range(0, 13), weights=(1, 3, 5, 7, 8, 8, 6, 5, 3, 2, 2, 1, 1))[0]
        elif question.kind == "people":
            others = [p for p in present if p.id != person.id and p.organisation_id != person.organisation_id]
            chosen = rng.sample(others, k=min(len(others), rng.choice((0, 1, 1, 2, 2, 3))))
            if chosen:
                answers[key] = sorted(p.id for p in chosen)
        elif question.kind == "single":
            options = [o["key"] for o in question.live_options]
            answers[key] = rng.choices(options, weights=[8, 3, 1][: len(options)] + [1] * (len(options) - 3))[0]
        elif question.kind == "multiple":
            options = [o["key"] for o in question.live_options]
            answers[key] = sorted(rng.sample(options, k=rng.randint(1, 3)))
        elif rng.random() < 0.45:
            texts = DIFFERENTLY if "differently" in question.text else ANYTHING_ELSE
            answers[key] = rng.choice(texts)
    return answers


def add_demo_feedback(community: Community, events: dict[str, Event]) -> None:
    event = events.get("past_big_room")
    if event is None:
        return
    survey = surveys.ensure_survey(event)
    db.session.flush()
    if db.session.execute(select(FeedbackRequest.id).where(FeedbackRequest.survey_id == survey.id).limit(1)).first():
        return
    came = check_in.checked_in_ids(event)
    present = as_members(event.community_id, db.session.execute(
        select(Person).where(Person.id.in_(came)).order_by(Person.id)).scalars())
    rng = random.Random(SEED)
    sent_at = event.ends_at + timedelta(minutes=5)
    requests = []
    survey.anonymity_locked = True  # the requests below have gone
    for person in present:
        _token, token_hash = new_token()  # the mail went out long ago; only the hash is kept
        request = FeedbackRequest(survey=survey, person=person.person, sent_at=sent_at,
                                  links=[FeedbackLink(token_hash=token_hash)])
        db.session.add(request)
        requests.append(request)
    db.session.flush()
    for request, person in zip(requests, present):
        if rng.random() < ANSWER_SHARE:
            answering.record_response(request, _answers_for(survey, person, present, rng))
        if survey.anonymous or not answering.has_answered(request):  # anonymous forms remind everyone
            request.reminded_at = sent_at + timedelta(days=survey.reminder_days)
    db.session.commit()
