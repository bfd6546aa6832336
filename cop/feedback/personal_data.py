"""The feedback section of a person's data export and erasure (see cop/people/personal_data.py).

Export: the requests for *named* forms sent to the person, whether they answered each, and their
answers. Of anonymous forms, only how many were sent to them: nothing per person says whether anyone
answered one (see surveys.py), and their answers keep no link to anyone, so cannot be found.

Erasure keeps every answer and every figure built on them:
* Request rows stay (how many were asked is the response rate's denominator); their personal
  links are deleted, so no mail of theirs still opens a form. An anonymous form's marks stay:
  they name nobody, and hold the count of answers.
* Named responses stay linked to the person row, which erasure turns into "Erased person" with
  only an organisation and a profession: the follow-up report counts "across organisations" by the
  answerer's organisation, which a response with no person would move to "unknown".
* Their name and address are taken out of every free-text answer (anyone's, anonymous ones too).
* Follow-up choices naming them are other people's answers: they stay, as person ids, which now
  show "Erased person".
"""
import json

from sqlalchemy import Text, cast, delete, or_, select, true
from sqlalchemy.orm import selectinload

from cop.communities.members import members_by_id
from cop.events.models import Event
from cop.extensions import db, rows_changed
from cop.feedback import results  # a module reference: surveys imports the models, which import this
from cop.feedback.models import FeedbackLink, FeedbackRequest, Question, Response, Survey
from cop.people.models import Person
from cop.people.personal_data import register_section, replacements_for, when

ANONYMOUS_NOTE = ("Answers to anonymous feedback forms are stored with nothing that links them to the person "
                  "who gave them, and nothing records who answered, so neither can be found or is included here: "
                  "only how many anonymous forms were sent to this person.")


def _in_community(community_id: int | None):
    """SQL: the survey is for an event of the community (true when no community is asked for)."""
    if community_id is None:
        return true()
    return Survey.event_id.in_(select(Event.id).where(Event.community_id == community_id))


def export_feedback(person: Person, community_id: int | None = None) -> dict:
    requests = db.session.execute(
        select(FeedbackRequest).join(Survey, Survey.id == FeedbackRequest.survey_id)
        .where(FeedbackRequest.person_id == person.id, _in_community(community_id))
        .options(selectinload(FeedbackRequest.survey).selectinload(Survey.event)).order_by(FeedbackRequest.id)
    ).scalars().all()
    responses = db.session.execute(
        select(Response).join(Survey, Survey.id == Response.survey_id)
        .where(Response.person_id == person.id, _in_community(community_id)).order_by(Survey.id)
    ).scalars().all()
    surveys_by_id = {s.id: s for s in db.session.execute(
        select(Survey).where(Survey.id.in_({r.survey_id for r in responses}))
        .options(selectinload(Survey.event), selectinload(Survey.questions))).scalars()}

    def people_asked_of(response: Response) -> list:
        survey, answers = surveys_by_id[response.survey_id], response.answers or {}
        return [v for q in survey.questions if q.kind == "people" for v in answers.get(str(q.id), [])]

    # The people named in answers, read once per community (not once per answer: issue 19).
    named_by_community: dict[int, set] = {}
    for response in responses:
        named_by_community.setdefault(surveys_by_id[response.survey_id].event.community_id, set()).update(
            people_asked_of(response))
    chosen_by_community = {community: members_by_id(community, ids) for community, ids in named_by_community.items()}
    named_answers = []
    for response in responses:
        survey = surveys_by_id[response.survey_id]
        answers = response.answers or {}
        chosen = chosen_by_community[survey.event.community_id]
        named_answers.append({
            "event": survey.event.title, "event_starts_at": when(survey.event.starts_at),
            "answers": [{"question": q.text, "answer": results.answer_text(q, answers[str(q.id)], chosen)}
                        for q in survey.questions if str(q.id) in answers],
        })
    named = [r for r in requests if not r.survey.anonymous]
    answered = {response.survey_id for response in responses}
    return {
        "requests": [{
            "event": r.survey.event.title, "event_starts_at": when(r.survey.event.starts_at), "form": "named",
            "sent_at": when(r.sent_at), "reminded_at": when(r.reminded_at), "answered": r.survey_id in answered,
        } for r in named],
        "named_answers": named_answers,
        "anonymous_forms_sent": len(requests) - len(named),
        "anonymous_answers": ANONYMOUS_NOTE,
    }


def _text_answers_mentioning(texts: list[str]):
    """Responses to forms with a free-text question whose answers' stored JSON contains any of `texts`.

    The JSON column holds json.dumps text on both databases (non-ASCII and quotes escaped), so
    the search is for each text as json.dumps writes it.
    """
    stored = [json.dumps(text)[1:-1] for text in texts]
    as_text = cast(Response.answers, Text)
    with_text_question = select(Question.survey_id).where(Question.kind == "text")
    return select(Response).where(
        Response.survey_id.in_(with_text_question), or_(*(as_text.contains(s, autoescape=True) for s in stored)))


def erase_feedback(person: Person) -> int:
    request_ids = select(FeedbackRequest.id).where(FeedbackRequest.person_id == person.id)
    touched = rows_changed(
        delete(FeedbackLink).where(FeedbackLink.request_id.in_(request_ids)).execution_options(
            synchronize_session=False)
    )
    replacements = replacements_for(person)
    if not replacements:
        return touched
    text_questions = {str(q_id) for q_id in db.session.scalars(select(Question.id).where(Question.kind == "text"))}
    for response in db.session.execute(_text_answers_mentioning([t for t, _ in replacements])).scalars():
        answers = dict(response.answers or {})
        for key, value in answers.items():
            if key in text_questions and isinstance(value, str):
                for text, instead in replacements:
                    value = value.replace(text, instead)
                answers[key] = value
        if answers != response.answers:
            response.answers = answers  # a new dict, so the JSON column sees the change
            touched += 1
    return touched


register_section("feedback", export=export_feedback, erase=erase_feedback)
