"""The results of a form, its CSV, and the follow-up figures the reports count."""
from collections import Counter
from dataclasses import dataclass, field
from statistics import mean, median

from sqlalchemy import func, select

from cop.communities.members import Member, as_members, member_records, members_by_id
from cop.csv_safety import write_csv
from cop.extensions import db
from cop.feedback.asking import not_answered_named
from cop.feedback.models import (
    FeedbackRequest,
    Question,
    Response,
    Survey,
)
from cop.feedback.surveys import COUNT_BANDS, RATING_LABELS
from cop.people.models import Person


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
        bands = [(label, label) for *_, label in COUNT_BANDS]
        result.bars = _bars(Counter(_band(v) for v in values), bands, len(values))
        if values:
            result.summary = (f"{sum(values)} conversations with people from other organisations in all; "
                              f"median {median(values):g}, average {mean(values):.1f} per person")
    elif question.kind == "people":
        people = people_named(survey, (v for value in values for v in value))
        organisations = Counter(_organisation_name(people.get(v)) for value in values for v in value)
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
        .where(FeedbackRequest.survey_id == survey.id, not_answered_named())
        .order_by(func.lower(Person.name), Person.id)
    ).scalars())


def _organisation_name(member: Member | None) -> str:
    organisation = member.organisation if member is not None else None
    return organisation.name if organisation is not None else "No organisation given"


def answer_text(question: Question, value, people: dict[int, Member]) -> str:
    """One stored answer as text: option labels, chosen people's names, or the value itself."""
    if value is None:
        return ""
    if question.kind in ("single", "multiple"):
        labels: dict[str, str] = {option["key"]: option["label"] for option in question.options or []}
        keys: list[str] = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(key, key) for key in keys)
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
    who = [] if survey.anonymous else ["name", "email", "organisation"]
    header = ["response"] + who + [q.text for q in questions]
    rows = []
    for number, response in enumerate(responses, start=1):
        row: list[object] = [number]
        if not survey.anonymous:
            person = respondents.get(response.person_id) if response.person_id is not None else None
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
        (organisation_of.get(answering) if answering else None, organisation_of.get(chosen))
        for answering, chosen in pairs
    ))
