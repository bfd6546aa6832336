"""Asking for feedback: the requests after an event and the reminders, through the outbox."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from cop.clock import utcnow
from cop.door import check_in
from cop.events.models import Event
from cop.events.times import format_moment
from cop.extensions import db, rows_changed
from cop.feedback.models import (
    FeedbackLink,
    FeedbackRequest,
    Response,
    Survey,
)
from cop.feedback.surveys import ensure_survey, lock_survey, survey_of
from cop.invitations.mails import organiser_address
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.people.models import Person, erased_clause
from cop.tokens import new_token


@dataclass
class FeedbackMailReport:
    requests: int = 0
    reminders: int = 0


def new_feedback_link(request: FeedbackRequest) -> str:
    token, token_hash = new_token()
    request.links.append(FeedbackLink(token_hash=token_hash))
    return external_url("feedback.answer", token=token)


def _queue(request: FeedbackRequest, template: str, subject: str) -> None:
    survey, event, person = request.survey, request.survey.event, request.person
    values = {"event": event, "person": person, "survey": survey, "link": new_feedback_link(request),
              "closes": format_moment(survey.closes_at)}
    queue_mail(
        recipient=person.email, subject=subject,
        text_body=render_template(f"feedback/mail/{template}.txt", **values),
        html_body=render_template(f"feedback/mail/{template}.html", **values),
        reply_to=organiser_address(event), community_id=event.community_id,
    )


def _events_wanting_feedback(now: datetime) -> list[Event]:
    """Published events that have ended and whose form (made now if there is none) is still open. Commits the
    new forms: the scheduled job's later steps lock them one by one."""
    earliest_end = now - timedelta(days=current_app.config["FEEDBACK_OPEN_DAYS"])
    without_form = select(Event).where(
        Event.status == "published", Event.ends_at <= now, Event.ends_at > earliest_end,
        ~select(Survey.id).where(Survey.event_id == Event.id).exists(),
    )
    for event in db.session.execute(without_form).scalars().all():
        ensure_survey(event)
    db.session.commit()
    return list(db.session.execute(
        select(Event).join(Survey, Survey.event_id == Event.id)
        .where(Event.status == "published", Event.ends_at <= now, Survey.closes_at > now)
        .order_by(Event.ends_at, Event.id)
    ).scalars())


def send_feedback_requests(now: datetime) -> int:
    """A request to everyone checked in who has none yet. The request row is unique per person and
    made in the same transaction as its mail, so reruns (or two runs at once) never send one twice. Commits each
    request with its mail, releasing the survey's lock (a scheduled job's unit)."""
    sent = 0
    for event in _events_wanting_feedback(now):
        survey = survey_of(event)
        assert survey is not None  # these events were found by joining their form
        asked = set(db.session.execute(
            select(FeedbackRequest.person_id).where(FeedbackRequest.survey_id == survey.id)
        ).scalars())
        present = check_in.checked_in_ids(event)
        # An erased person's check-in stays (it counts), but they are asked for nothing more.
        asked |= set(db.session.scalars(select(Person.id).where(Person.id.in_(present), erased_clause())))
        for person_id in present:
            if person_id in asked:
                continue
            # The first request fixes the form's anonymity, which its mail announces: with the
            # survey row held, so an organiser's change either comes before it or is refused.
            lock_survey(survey)
            db.session.refresh(survey, ["anonymous", "anonymity_locked"])
            survey.anonymity_locked = True
            request = FeedbackRequest(survey=survey, person_id=person_id, sent_at=now)
            db.session.add(request)
            try:
                db.session.flush()
            except IntegrityError:
                db.session.rollback()  # another run sent it first
                continue
            _queue(request, "request", f"How was it? {event.title}")
            db.session.commit()
            sent += 1
    return sent


def not_answered_named():
    """SQL: the request is on a named form and has no response of its person."""
    return ~select(Response.id).where(
        Response.survey_id == FeedbackRequest.survey_id, Response.person_id == FeedbackRequest.person_id,
    ).correlate(FeedbackRequest).exists()


def _reminder_due():
    """SQL: the request is owed its reminder: everyone on an anonymous form (reminding non-responders
    only would show who answered, by omission in the outbox), those who have not answered on a named one."""
    return FeedbackRequest.survey_id.in_(select(Survey.id).where(Survey.anonymous.is_(True))) | not_answered_named()


def send_feedback_reminders(now: datetime) -> int:
    """One reminder to each person asked `reminder_days` after their request (see _reminder_due). Commits each,
    as send_feedback_requests does."""
    rows = db.session.execute(
        select(FeedbackRequest.id, FeedbackRequest.sent_at, Survey.reminder_days)
        .join(Survey, Survey.id == FeedbackRequest.survey_id)
        .join(Person, Person.id == FeedbackRequest.person_id)
        .where(_reminder_due(), FeedbackRequest.reminded_at.is_(None), ~erased_clause(),
               Survey.reminder_days > 0, Survey.closes_at > now)
        .order_by(FeedbackRequest.id)
    ).all()
    sent = 0
    for request_id, sent_at, days in rows:
        if sent_at + timedelta(days=days) > now:
            continue
        # Whoever sets reminded_at first sends it; a second run finds it set and sends nothing.
        claimed = rows_changed(
            update(FeedbackRequest)
            .where(FeedbackRequest.id == request_id, FeedbackRequest.reminded_at.is_(None), _reminder_due())
            .values(reminded_at=now)
        )
        if not claimed:
            db.session.rollback()
            continue
        request = db.session.get_one(FeedbackRequest, request_id)
        _queue(request, "reminder", f"Reminder: how was {request.survey.event.title}?")
        db.session.commit()
        sent += 1
    return sent


def send_due_feedback(now: datetime | None = None) -> FeedbackMailReport:
    """Run by `cop reminders`: requests after each event, reminders after FEEDBACK_REMINDER_DAYS."""
    now = now or utcnow()
    return FeedbackMailReport(requests=send_feedback_requests(now), reminders=send_feedback_reminders(now))
