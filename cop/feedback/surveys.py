"""Feedback forms: the default form per event format, the organiser's edits, requests and
reminders through the outbox, answering from a personal link, and the results.

Anonymity. For an anonymous form nothing stored, sent or logged links a response to its person,
and nothing per person says whether they answered (only counts do). Who can look: organisers (the
results, the exports, the outbox), and anyone who can read the database, at two moments too.

* The response row holds the survey and the answers only: no person, no token or its hash,
  no request id, and no time (a time could be matched with the access log's time of the
  POST to the person's link).
* Nothing on the person's side changes when they answer: their request row and their links
  stay as they were. One answer per person is held by an `AnsweredMark`, a row with the survey
  and HMAC(SECRET_KEY, "feedback-answered", survey id, person id) only (`answered_mark`). The
  server recomputes it from the link it is given; the database holds neither the key nor the
  links' tokens (only their hashes), so a reader of the database, at one moment or at two, sees
  that *someone* answered and not who. A mark of the link's own token would not do: the outbox
  keeps each mail's body, so its tokens, and a mark that anyone can compute from those names the
  person. The link stops working for answering once used: it opens "thank you, already answered"
  (to its holder, who knows). The reminder's link shares the request's mark, so a person answers
  once whichever link they use.
* Reminders go to *everyone* asked (not erased), answered or not, saying "if you have answered,
  thank you": a reminder to non-responders only would name, by omission in the outbox, those who
  answered. (Named forms remind only those who have not answered: their answers carry names.)
* The personal data export lists no anonymous request: a count of anonymous forms sent, no more.
* Order is a link too: the access log lists links (so people) in the order they answered.
  So response ids are random, and every anonymous answer rewrites all of the survey's
  responses in a fresh random order with fresh ids (`_reshuffle`, with the survey row locked),
  so neither ids, row order (SQLite's rowid, PostgreSQL's ctid) nor PostgreSQL's transaction
  stamp (xmin: every response then carries the latest one) tells which response is new. The
  marks' order follows the answers', but a mark names nobody.
* Nothing in this package logs answers, and no mail is sent on answering.
* The promise cannot change under people: a form's anonymity is fixed (`anonymity_locked`) in the
  transaction that sends its first request, as the mails already say anonymous or named; the
  editor shows the choice as fixed and `update_settings` refuses a change. The answer page carries
  the promise it showed (a hidden field), and `record_response` compares it with the survey's,
  under the survey row's lock: if they differ nothing is stored (`PromiseChanged`) and the page
  is shown again under the current promise.
What is left: whoever holds SECRET_KEY as well as the database (the site's operators) can
recompute every person's mark, so can tell who answered (not what); changing SECRET_KEY while a
form is open lets those who answered answer once more. Someone watching the database between two
answers sees which answer is new (the multiset of answers grows by one) and, with the access log's
POSTs to personal links, whose it is; reading PostgreSQL's dead row versions and write-ahead log
as a superuser is such watching; a statement log (PostgreSQL's log_statement = 'mod' or 'all', or
SQLALCHEMY_ECHO) would record both of an answer's statements together, so keep those off in
production; whoever holds a person's link (their mailbox, or the outbox's copy of the mail, so a
reader of the database who also opens links as that person) can see whether it still opens the form,
as with any one-time link; and the answers themselves (a free-text remark, the people chosen to follow
up) may identify someone. The form editor tells organisers so.
"""
import hashlib
import hmac
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import mean, median

from flask import current_app, render_template
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from cop.clock import utcnow
from cop.communities.members import Member, as_members, member_records, members_by_id
from cop.csv_safety import write_csv
from cop.door import check_in
from cop.events.models import Event
from cop.events.times import format_moment
from cop.extensions import db
from cop.feedback.models import (
    ADDABLE_KINDS,
    AnsweredMark,
    FeedbackLink,
    FeedbackRequest,
    Question,
    Response,
    Survey,
    random_response_id,
)
from cop.invitations.mails import organiser_address
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.people.models import Person, erased_clause
from cop.tokens import hash_token, new_token

RATING_LABELS = {1: "1 Very poor", 2: "2 Poor", 3: "3 OK", 4: "4 Good", 5: "5 Very good"}
# The built-in "how many people from other organisations" answers are shown in these bands.
COUNT_BANDS = ((0, 0, "None"), (1, 2, "1 or 2"), (3, 5, "3 to 5"), (6, 10, "6 to 10"), (11, None, "11 or more"))
OTHER_ORGANISATIONS = "How many people from other organisations did you talk to?"
FOLLOW_UP = "Who will you follow up with?"


# The default form of each format: (kind, text, hint, options, built_in, required), and `fits`: what the
# event must have for the question to make sense (a key of _FITS), or None for every event of the format.
def _q(kind, text, hint="", options=(), built_in=None, required=False, fits=None):
    return {"kind": kind, "text": text, "hint": hint, "options": list(options), "built_in": built_in,
            "required": required, "fits": fits}


_FITS = {
    "speakers": lambda event: bool((event.speakers or "").strip()),
    "hybrid": lambda event: event.attendance_mode == "hybrid",
}


_BUILT_INS = [
    _q("count", OTHER_ORGANISATIONS, "Count everyone you spoke with properly, not just said hello to.",
       built_in="other_organisations"),
    _q("people", FOLLOW_UP, "Choose anyone you mean to get back in touch with.", built_in="follow_up"),
]
DEFAULT_FORMS = {
    "big_room": [
        _q("rating", "Overall, how would you rate the evening?", required=True),
        _q("rating", "How useful was the speakers' session?", fits="speakers"),
        _q("rating", "How well did your tables mix people from different organisations?"),
        *_BUILT_INS,
        _q("single", "Would you come to another Big Room?", options=("Yes", "Maybe", "No")),
        _q("multiple", "Which topics would you like at a future Big Room?", "Choose all that apply.",
           options=("Frailty", "Health inequalities", "Mental health", "Workforce wellbeing",
                    "Digital inclusion", "Children and young people")),
        _q("text", "What will you do differently after this evening?"),
        _q("text", "Anything else you would like to tell the organisers?"),
    ],
    "action_learning_set": [
        _q("rating", "How useful was this session for the problem you brought?", required=True),
        _q("rating", "How safe did you feel to speak openly?"),
        _q("rating", "How well did the facilitator hold the set?"),
        *_BUILT_INS,
        _q("single", "Is the time between sessions right?", options=("About right", "Too short", "Too long")),
        _q("text", "What will you try before the next session?"),
    ],
    "assembly": [
        _q("rating", "Overall, how would you rate the assembly?", required=True),
        _q("single", "How did you take part?", options=("In person", "Online"), fits="hybrid"),
        _q("multiple", "Which parts were most useful?", "Choose all that apply.",
           options=("The talks", "The workshops", "Conversations in the breaks", "The online chat")),
        *_BUILT_INS,
        _q("rating", "How clear is what the system will do next?"),
        _q("text", "What should we do differently at the next assembly?"),
    ],
}


class EditRefused(ValueError):
    """An edit that would lose or misrepresent answers already given."""


class FeedbackClosed(Exception):
    pass


class AlreadyAnswered(Exception):
    pass


class PromiseChanged(Exception):
    """The form changed between anonymous and named after the person's page was shown: nothing stored."""


def options_from_labels(labels, existing: list[dict] | None = None, answered: bool = False) -> list[dict]:
    """Options for these labels, reusing the keys of labels kept; a dropped option with answers stays, removed."""
    existing = existing or []
    by_label = {option["label"]: option for option in existing}
    used = {option["key"] for option in existing}
    options, seen = [], set()
    for label in (label.strip() for label in labels):
        if not label or label in seen:
            continue
        seen.add(label)
        if label in by_label:
            options.append({**by_label[label], "removed": False})
        else:
            number = len(used) + 1
            while f"o{number}" in used:
                number += 1
            used.add(f"o{number}")
            options.append({"key": f"o{number}", "label": label, "removed": False})
    if answered:
        options += [{**option, "removed": True} for option in existing if option["label"] not in seen]
    return options


def default_closes_at(event: Event) -> datetime:
    return event.ends_at + timedelta(days=current_app.config["FEEDBACK_OPEN_DAYS"])


def survey_of(event: Event) -> Survey | None:
    return db.session.execute(select(Survey).where(Survey.event_id == event.id)).scalar_one_or_none()


def default_survey(event: Event) -> Survey:
    """The form the event's format starts from, without the questions the event does not fit (no speakers' question
    when it has no speakers); not stored (what a GET of the editor shows: a GET changes nothing)."""
    survey = Survey(event=event, anonymous=True, closes_at=default_closes_at(event),
                    reminder_days=current_app.config["FEEDBACK_REMINDER_DAYS"])
    specs = [spec for spec in DEFAULT_FORMS[event.format] if spec["fits"] is None or _FITS[spec["fits"]](event)]
    for position, spec in enumerate(specs, start=1):
        survey.questions.append(Question(
            position=position, kind=spec["kind"], text=spec["text"], hint=spec["hint"], required=spec["required"],
            options=options_from_labels(spec["options"]), built_in=spec["built_in"],
        ))
    return survey


def ensure_survey(event: Event) -> Survey:
    """The event's form, stored from its format's default the first time it is needed (by a POST or a job)."""
    survey = survey_of(event)
    if survey is not None:
        return survey
    survey = default_survey(event)
    try:
        with db.session.begin_nested():
            db.session.add(survey)
    except IntegrityError:  # another request made it first
        return survey_of(event)
    return survey


def has_responses(survey: Survey) -> bool:
    return db.session.execute(
        select(func.count()).select_from(Response).where(Response.survey_id == survey.id)
    ).scalar_one() > 0


def is_closed(survey: Survey, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= survey.closes_at


# --- The organiser's edits ---------------------------------------------------------------

def _lock(survey: Survey) -> None:
    """Hold the survey row (as an answer does, see record_response) while deciding on "has anyone answered"."""
    db.session.execute(select(Survey.id).where(Survey.id == survey.id).with_for_update())


ANONYMITY_LOCKED = ("The form has been sent to people, so it can no longer change between anonymous and named: "
                    "their emails and the form already tell them which it is")


def update_settings(survey: Survey, anonymous: bool | None, closes_at: datetime, reminder_days: int) -> None:
    """Save the settings; `anonymous` None keeps it. Anonymity is refused once the first request went."""
    _lock(survey)
    db.session.refresh(survey, ["anonymous", "anonymity_locked"])  # as they are now, under the lock
    if anonymous is None:
        anonymous = survey.anonymous
    if anonymous != survey.anonymous and survey.anonymity_locked:
        raise EditRefused(ANONYMITY_LOCKED)
    if closes_at <= survey.event.ends_at:
        raise EditRefused("The closing date must be after the event")
    survey.anonymous, survey.closes_at, survey.reminder_days = anonymous, closes_at, reminder_days


def add_question(survey: Survey, kind: str, text: str, hint: str, required: bool, labels: list[str]) -> Question:
    if kind not in ADDABLE_KINDS:
        raise EditRefused("Choose what kind of question it is")
    _check_options(kind, labels)
    last = max((question.position for question in survey.questions), default=0)
    question = Question(kind=kind, text=text.strip(), hint=hint.strip(), required=required, position=last + 1,
                        options=options_from_labels(labels) if kind in ("single", "multiple") else [])
    survey.questions.append(question)
    return question


def _check_options(kind: str, labels: list[str]) -> None:
    if kind in ("single", "multiple") and len({label.strip() for label in labels if label.strip()}) < 2:
        raise EditRefused("Give at least two options, one on each line")


def update_question(question: Question, text: str, hint: str, required: bool, labels: list[str]) -> None:
    """Change the wording; options keep their keys, and options with answers are kept off the form, not lost."""
    _check_options(question.kind, labels)
    _lock(question.survey)
    question.text, question.hint, question.required = text.strip(), hint.strip(), required
    if question.kind in ("single", "multiple"):
        question.options = options_from_labels(labels, question.options, answered=has_responses(question.survey))


def move_question(question: Question, direction: str) -> None:
    questions = question.survey.live_questions
    index = questions.index(question)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(questions):
        questions[index].position, questions[other].position = questions[other].position, questions[index].position


def remove_question(question: Question) -> None:
    """Delete a question nobody has answered yet; one with answers leaves the form and keeps them."""
    if question.built_in:
        raise EditRefused("The two built-in questions feed the community's reports and cannot be removed")
    _lock(question.survey)
    if has_responses(question.survey):
        question.removed = True
    else:
        question.survey.questions.remove(question)
        db.session.delete(question)


# --- Requests and reminders --------------------------------------------------------------

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
    """Published events that have ended and whose form (made now if there is none) is still open."""
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
    made in the same transaction as its mail, so reruns (or two runs at once) never send one twice."""
    sent = 0
    for event in _events_wanting_feedback(now):
        survey = survey_of(event)
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
            _lock(survey)
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


def _not_answered_named():
    """SQL: the request is on a named form and has no response of its person."""
    return ~select(Response.id).where(
        Response.survey_id == FeedbackRequest.survey_id, Response.person_id == FeedbackRequest.person_id,
    ).correlate(FeedbackRequest).exists()


def _reminder_due():
    """SQL: the request is owed its reminder: everyone on an anonymous form (reminding non-responders
    only would show who answered, by omission in the outbox), those who have not answered on a named one."""
    return FeedbackRequest.survey_id.in_(select(Survey.id).where(Survey.anonymous.is_(True))) | _not_answered_named()


def send_feedback_reminders(now: datetime) -> int:
    """One reminder to each person asked `reminder_days` after their request (see _reminder_due)."""
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
        claimed = db.session.execute(
            update(FeedbackRequest)
            .where(FeedbackRequest.id == request_id, FeedbackRequest.reminded_at.is_(None), _reminder_due())
            .values(reminded_at=now)
        ).rowcount
        if not claimed:
            db.session.rollback()
            continue
        request = db.session.get(FeedbackRequest, request_id)
        _queue(request, "reminder", f"Reminder: how was {request.survey.event.title}?")
        db.session.commit()
        sent += 1
    return sent


def send_due_feedback(now: datetime | None = None) -> FeedbackMailReport:
    """Run by `cop reminders`: requests after each event, reminders after FEEDBACK_REMINDER_DAYS."""
    now = now or utcnow()
    return FeedbackMailReport(requests=send_feedback_requests(now), reminders=send_feedback_reminders(now))


# --- Answering ---------------------------------------------------------------------------

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
    from cop.seating import plans  # the seating feature's plan in use and its checked-in list

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
    answers = {}
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


# --- Results -----------------------------------------------------------------------------

@dataclass
class Bar:
    label: str
    count: int
    share: float  # of those who answered the question


@dataclass
class QuestionResult:
    question: Question
    answered: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    summary: str = ""


@dataclass
class Results:
    survey: Survey
    requested: int
    responses: int
    questions: list[QuestionResult]

    @property
    def response_rate(self) -> float:
        return self.responses / self.requested if self.requested else 0.0


def responses_of(survey: Survey) -> list[Response]:
    # Ordered by id, which is random: no order of answering shows through.
    return list(db.session.execute(
        select(Response).where(Response.survey_id == survey.id).order_by(Response.id)
    ).scalars())


def people_named(survey: Survey, ids) -> dict[int, Member]:
    """The people with these ids as the survey's community knows them."""
    return members_by_id(survey.event.community_id, ids)


def _bars(counts: Counter, labels: list[tuple], denominator: int) -> list[Bar]:
    return [Bar(label, counts.get(key, 0), counts.get(key, 0) / denominator if denominator else 0.0)
            for key, label in labels]


def _band(value: int) -> str:
    for low, high, label in COUNT_BANDS:
        if value >= low and (high is None or value <= high):
            return label
    return COUNT_BANDS[0][2]


def _question_result(survey: Survey, question: Question, values: list) -> QuestionResult:
    result = QuestionResult(question=question, answered=len(values))
    if question.kind == "rating":
        result.bars = _bars(Counter(values), list(RATING_LABELS.items()), len(values))
        if values:
            result.summary = f"Average {mean(values):.1f} out of 5 from {len(values)} answers"
    elif question.kind in ("single", "multiple"):
        chosen = Counter(v for value in values for v in (value if isinstance(value, list) else [value]))
        labels = [(option["key"], option["label"] + (" (removed from the form)" if option.get("removed") else ""))
                  for option in question.options or []]
        result.bars = _bars(chosen, labels, len(values))
    elif question.kind == "count":
        result.bars = _bars(Counter(_band(v) for v in values), [(label, label) for *_, label in COUNT_BANDS], len(values))
        if values:
            result.summary = (f"{sum(values)} conversations with people from other organisations in all; "
                              f"median {median(values):g}, average {mean(values):.1f} per person")
    elif question.kind == "people":
        people = people_named(survey, (v for value in values for v in value))
        organisations = Counter(
            people[v].organisation.name if v in people and people[v].organisation else "No organisation given"
            for value in values for v in value
        )
        total = sum(len(value) for value in values)
        result.bars = [Bar(name, count, count / total) for name, count in organisations.most_common(10)]
        if values:
            result.summary = (f"{total} {'follow-up' if total == 1 else 'follow-ups'} planned by {len(values)} "
                              f"{'person' if len(values) == 1 else 'people'}, with people from {len(organisations)} "
                              f"{'organisation' if len(organisations) == 1 else 'organisations'}")
    else:
        result.texts = [str(value) for value in values]
    return result


def results(survey: Survey) -> Results:
    responses = responses_of(survey)
    requested = db.session.execute(
        select(func.count()).select_from(FeedbackRequest).where(FeedbackRequest.survey_id == survey.id)
    ).scalar_one()
    question_results = []
    for question in survey.questions:
        values = [response.answers[str(question.id)] for response in responses
                  if str(question.id) in (response.answers or {})]
        question_results.append(_question_result(survey, question, values))
    return Results(survey=survey, requested=requested, responses=len(responses), questions=question_results)


def non_responders(survey: Survey) -> list[Member]:
    """Who was asked and has not answered: for named forms only (anonymous ones never show who)."""
    if survey.anonymous:
        return []
    return as_members(survey.event.community_id, db.session.execute(
        select(Person).join(FeedbackRequest, FeedbackRequest.person_id == Person.id)
        .where(FeedbackRequest.survey_id == survey.id, _not_answered_named())
        .order_by(func.lower(Person.name), Person.id)
    ).scalars())


def answer_text(question: Question, value, people: dict[int, Member]) -> str:
    """One stored answer as text: option labels, chosen people's names, or the value itself."""
    if value is None:
        return ""
    if question.kind in ("single", "multiple"):
        labels = {option["key"]: option["label"] for option in question.options or []}
        return "; ".join(labels.get(v, v) for v in (value if isinstance(value, list) else [value]))
    if question.kind == "people":
        return "; ".join(people[v].name if v in people else f"person {v}" for v in value)
    return str(value)


def results_csv(survey: Survey) -> str:
    """One row per response; named forms start with the person. Cells are made formula-safe by write_csv."""
    responses = responses_of(survey)
    questions = survey.questions
    people_question_ids = [str(q.id) for q in questions if q.kind == "people"]
    people = people_named(survey, (v for r in responses for key in people_question_ids
                                   for v in (r.answers or {}).get(key, [])))
    respondents = people_named(survey, (r.person_id for r in responses if r.person_id))
    header = ["response"] + ([] if survey.anonymous else ["name", "email", "organisation"]) + [q.text for q in questions]
    rows = []
    for number, response in enumerate(responses, start=1):
        row = [number]
        if not survey.anonymous:
            person = respondents.get(response.person_id)
            row += [person.name, person.email, person.organisation.name if person.organisation else ""] \
                if person else ["", "", ""]
        row += [answer_text(q, (response.answers or {}).get(str(q.id)), people) for q in questions]
        rows.append(row)
    return write_csv(header, rows)


# --- For the reports ---------------------------------------------------------------------

def _follow_up_rows(event_ids) -> list[tuple[int | None, list[int]]]:
    rows = db.session.execute(
        select(Response.person_id, Response.answers, Question.id)
        .join(Survey, Survey.id == Response.survey_id)
        .join(Question, (Question.survey_id == Survey.id) & (Question.built_in == "follow_up"))
        .where(Survey.event_id.in_(list(event_ids)))
    ).all()
    return [(person_id, list((answers or {}).get(str(question_id), []))) for person_id, answers, question_id in rows]


def follow_up_pairs(event_ids) -> list[tuple[int | None, int]]:
    """Every "Who will you follow up with?" choice at these events, as (answering person id, chosen person id).

    The answering person is None on anonymous forms. One tuple per person chosen, so a response
    naming three people gives three; sorted, for stable reports.
    """
    pairs = [(person_id, chosen) for person_id, chosen_ids in _follow_up_rows(event_ids) for chosen in chosen_ids]
    return sorted(pairs, key=lambda pair: (pair[0] is None, pair[0] or 0, pair[1]))


def follow_up_organisation_counts(community_id: int, event_ids) -> dict[tuple[int | None, int | None], int]:
    """Follow-up choices at these events of the community, counted by (answering person's organisation id,
    chosen person's organisation id), as the community records them.

    The first is None on anonymous forms (and for people without an organisation).
    """
    pairs = follow_up_pairs(event_ids)
    records = member_records(community_id, {p for pair in pairs for p in pair if p is not None})
    organisation_of = {pid: record.organisation_id for pid, record in records.items()}
    return dict(Counter(
        (organisation_of.get(answering) if answering else None, organisation_of.get(chosen)) for answering, chosen in pairs
    ))
