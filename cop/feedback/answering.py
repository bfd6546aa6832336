"""Answering from a personal link: one answer per person, and the anonymity that holds for it
(see cop/feedback/__init__.py)."""
import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from cop.communities.members import Member, as_members
from cop.events.models import Event
from cop.extensions import db
from cop.feedback.models import (
    AnsweredMark,
    FeedbackLink,
    FeedbackRequest,
    Question,
    Response,
    Survey,
    random_response_id,
)
from cop.feedback.surveys import AlreadyAnswered, FeedbackClosed, PromiseChanged, is_closed
from cop.people.models import Person
from cop.seating import plans
from cop.tokens import hash_token


def request_for_token(token: str) -> FeedbackRequest | None:
    return db.session.execute(
        select(FeedbackRequest).join(FeedbackLink, FeedbackLink.request_id == FeedbackRequest.id)
        .where(FeedbackLink.token_hash == hash_token(token))
    ).scalar_one_or_none()


@dataclass
class FollowUpChoices:
    table_mates: list[Member]
    others: list[Member]


def follow_up_choices(event: Event, person_id: int) -> FollowUpChoices:
    """The people at the person's tables in the seating plan in use (any round), and everyone else who came."""

    present = [person for person in plans.people_to_seat(event, "checked_in") if person.id != person_id]
    plan = plans.plan_in_use(event)
    mates: set[int] = set()
    if plan is not None:
        mine = {(seat.round, seat.table) for seat in plan.seats if seat.person_id == person_id}
        mates = {seat.person_id for seat in plan.seats if (seat.round, seat.table) in mine} - {person_id}
    seated_mates = [person for person in present if person.id in mates]
    # Someone at the table but not checked in (left early, checked in late) still counts as met.
    missing = mates - {person.id for person in present}
    if missing:
        seated_mates += as_members(event.community_id, db.session.execute(
            select(Person).where(Person.id.in_(missing)).order_by(func.lower(Person.name))
        ).scalars())
    return FollowUpChoices(table_mates=seated_mates, others=[person for person in present if person.id not in mates])


def _reshuffle(survey_id: int, new_answers: dict) -> None:
    """Rewrite the survey's anonymous responses, the new one among them, in random order with new ids."""
    kept = list(db.session.execute(
        select(Response.answers).where(Response.survey_id == survey_id)
    ).scalars())
    rows = kept + [new_answers]
    random.SystemRandom().shuffle(rows)
    db.session.execute(delete(Response).where(Response.survey_id == survey_id))
    db.session.execute(insert(Response), [
        {"id": random_response_id(), "survey_id": survey_id, "person_id": None, "answers": answers}
        for answers in rows
    ])


def answered_mark(survey_id: int, person_id: int) -> str:
    """The keyed hash that records one answer to an anonymous form: only the server can recompute it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"feedback-answered:{survey_id}:{person_id}".encode(), hashlib.sha256).hexdigest()


def has_answered(request: FeedbackRequest) -> bool:
    """Whether this request's person has answered: their named response, or their anonymous form's mark."""
    found: Select[Any]
    if request.survey.anonymous:
        mark = answered_mark(request.survey_id, request.person_id)
        found = select(AnsweredMark.mark).where(AnsweredMark.survey_id == request.survey_id, AnsweredMark.mark == mark)
    else:
        found = select(Response.id).where(Response.survey_id == request.survey_id,
                                          Response.person_id == request.person_id)
    return db.session.execute(found.limit(1)).first() is not None


def record_response(request: FeedbackRequest, answers: dict, promised_anonymous: bool | None = None) -> None:
    """Store one person's answers, once, under the promise their page showed. The caller commits.

    `promised_anonymous` is what the page said (None: no page, e.g. the demo). The survey row is
    locked first, so anonymity is read as it is now and a second, concurrent submit waits and then
    finds the first answer (its mark, or its named response; both are also unique in the database).
    """
    survey = db.session.execute(
        select(Survey).where(Survey.id == request.survey_id).with_for_update()
        .execution_options(populate_existing=True)  # read anonymous as it is now, under the lock
    ).scalar_one()
    if promised_anonymous is not None and promised_anonymous != survey.anonymous:
        db.session.rollback()
        raise PromiseChanged()
    if has_answered(request):
        db.session.rollback()
        raise AlreadyAnswered()
    if survey.anonymous:
        db.session.add(AnsweredMark(survey_id=survey.id, mark=answered_mark(survey.id, request.person_id)))
        db.session.flush()
        _reshuffle(survey.id, answers)
    else:
        db.session.add(Response(survey_id=survey.id, person_id=request.person_id, answers=answers))
        db.session.flush()


def submit_feedback(token: str, answers: dict, now: datetime | None = None,
                    promised_anonymous: bool | None = None) -> None:
    """Record the answer given from a personal link. Commits: the survey's row lock (taken for the reshuffle
    that hides which answer is new) is held only until then, and a second answer fails on the database's
    unique mark, which only a commit can tell."""
    request = request_for_token(token)
    if request is None:
        raise LookupError("no such feedback link")
    if is_closed(request.survey, now):
        raise FeedbackClosed()
    try:
        record_response(request, answers, promised_anonymous)
        db.session.commit()
    except IntegrityError:  # a mark or a named response already there
        db.session.rollback()
        raise AlreadyAnswered() from None


def answers_from_form(questions: list[Question], data: dict) -> dict:
    """Form data ({"q<id>": value}) as stored answers ({"<id>": value}), leaving out what was not answered."""
    answers: dict[str, object] = {}
    for question in questions:
        value = data.get(f"q{question.id}")
        if question.kind in ("rating", "count"):
            if value is not None and value != "":
                answers[str(question.id)] = int(value)
        elif question.kind == "people":
            chosen = sorted({int(item) for item in value or []})
            if chosen:
                answers[str(question.id)] = chosen
        elif question.kind == "multiple":
            if value:
                answers[str(question.id)] = list(value)
        elif value and str(value).strip():
            answers[str(question.id)] = str(value).strip()
    return answers
