"""A feedback form: the default per event format, and the organiser's edits
(anonymity: see cop/feedback/__init__.py)."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cop.clock import utcnow
from cop.events.models import Event
from cop.extensions import db
from cop.feedback.models import (
    ADDABLE_KINDS,
    Question,
    Response,
    Survey,
)

RATING_LABELS = {1: "1 Very poor", 2: "2 Poor", 3: "3 OK", 4: "4 Good", 5: "5 Very good"}
# The built-in "how many people from other organisations" answers are shown in these bands.
COUNT_BANDS = ((0, 0, "None"), (1, 2, "1 or 2"), (3, 5, "3 to 5"), (6, 10, "6 to 10"), (11, None, "11 or more"))
OTHER_ORGANISATIONS = "How many people from other organisations did you talk to?"
FOLLOW_UP = "Who will you follow up with?"


# The default form of each format: (kind, text, hint, options, built_in, required), and `fits`: what the
# event must have for the question to make sense (a key of _FITS), or None for every event of the format.
# An option may be (label, fits) too: offered only where the event fits (no "online chat" at an event in person).
def _q(kind, text, hint="", options=(), built_in=None, required=False, fits=None):
    return {"kind": kind, "text": text, "hint": hint, "options": list(options), "built_in": built_in,
            "required": required, "fits": fits}


_FITS = {
    "speakers": lambda event: bool((event.speakers or "").strip()),
    "hybrid": lambda event: event.attendance_mode == "hybrid",
    "online": lambda event: event.attendance_mode in ("online", "hybrid"),
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
           options=("The talks", "The workshops", "Conversations in the breaks", ("The online chat", "online"))),
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


def _fitting_options(options, event: Event) -> list[str]:
    """The labels of the options that fit the event: a plain label always, a (label, fits) one where it fits."""
    return [option if isinstance(option, str) else option[0] for option in options
            if isinstance(option, str) or _FITS[option[1]](event)]


def default_survey(event: Event) -> Survey:
    """The form the event's format starts from, without the questions the event does not fit (no speakers' question
    when it has no speakers); not stored (what a GET of the editor shows: a GET changes nothing)."""
    survey = Survey(event=event, anonymous=True, closes_at=default_closes_at(event),
                    reminder_days=current_app.config["FEEDBACK_REMINDER_DAYS"])
    specs = [spec for spec in DEFAULT_FORMS[event.format] if spec["fits"] is None or _FITS[spec["fits"]](event)]
    for position, spec in enumerate(specs, start=1):
        survey.questions.append(Question(
            position=position, kind=spec["kind"], text=spec["text"], hint=spec["hint"], required=spec["required"],
            options=options_from_labels(_fitting_options(spec["options"], event)), built_in=spec["built_in"],
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
        theirs = survey_of(event)
        assert theirs is not None  # the row our insert clashed with
        return theirs
    return survey


def has_responses(survey: Survey) -> bool:
    return db.session.execute(
        select(func.count()).select_from(Response).where(Response.survey_id == survey.id)
    ).scalar_one() > 0


def is_closed(survey: Survey, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= survey.closes_at


# --- The organiser's edits ---------------------------------------------------------------

def lock_survey(survey: Survey) -> None:
    """Hold the survey row (as an answer does, see record_response) while deciding on "has anyone answered"."""
    db.session.execute(select(Survey.id).where(Survey.id == survey.id).with_for_update())


ANONYMITY_LOCKED = ("The form has been sent to people, so it can no longer change between anonymous and named: "
                    "their emails and the form already tell them which it is")


def update_settings(survey: Survey, anonymous: bool | None, closes_at: datetime, reminder_days: int) -> None:
    """Save the settings; `anonymous` None keeps it. Anonymity is refused once the first request went."""
    lock_survey(survey)
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
    lock_survey(question.survey)
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
    lock_survey(question.survey)
    if has_responses(question.survey):
        question.removed = True
    else:
        question.survey.questions.remove(question)
        db.session.delete(question)
