"""Feedback forms (surveys), their questions, the requests sent to each attendee, and the responses.

Anonymity is a property of the tables, not of the pages: see cop/feedback/surveys.py
(`record_response`) for why nothing here links an anonymous response to its person.
"""
import secrets
from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.events.models import Event
from cop.extensions import Model
from cop.people.models import Person

QUESTION_KINDS = {
    "rating": "Rating from 1 to 5",
    "single": "Choose one",
    "multiple": "Choose any",
    "text": "Free text",
    # The two built-in questions the reports use.
    "count": "A number",
    "people": "People who were there",
}
# Kinds an organiser can add; "count" and "people" are the built-in questions.
ADDABLE_KINDS = ("rating", "single", "multiple", "text")
BUILT_IN = {"other_organisations": "count", "follow_up": "people"}


def random_response_id() -> int:
    """A random id: ids in answering order would let an access log's order of answers name them."""
    return secrets.randbits(62) or 1


class Survey(Model):
    """An event's feedback form."""

    __tablename__ = "feedback_survey"
    __table_args__ = (
        UniqueConstraint("event_id", name="uq_feedback_survey_event"),
        CheckConstraint("reminder_days >= 0", name="reminder_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    # Anonymous: responses keep no link to the person, and nothing per person says who answered.
    anonymous: Mapped[bool] = mapped_column(default=True)
    # Set (for good) with the first request sent: the mails and the form have made a promise about
    # anonymity, so it can no longer change (see surveys.update_settings).
    anonymity_locked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Answers are taken until then (UTC).
    closes_at: Mapped[datetime]
    # Days after the request to remind those who have not answered; 0 sends no reminder.
    reminder_days: Mapped[int] = mapped_column(default=3)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
    questions: Mapped[list["Question"]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="Question.position"
    )

    @property
    def live_questions(self) -> list["Question"]:
        """The questions on the form (removed ones are kept for their answers, off the form)."""
        return [question for question in self.questions if not question.removed]


class Question(Model):
    __tablename__ = "feedback_question"
    __table_args__ = (
        CheckConstraint("kind IN ('rating', 'single', 'multiple', 'text', 'count', 'people')", name="kind_known"),
        CheckConstraint("built_in IS NULL OR built_in IN ('other_organisations', 'follow_up')", name="built_in_known"),
        UniqueConstraint("survey_id", "built_in", name="uq_feedback_question_survey_built_in"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(300))
    hint: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(default=False)
    # For single and multiple choice: [{"key": "o1", "label": "Yes", "removed": false}, ...]. Answers
    # store the key, so relabelling or removing an option never changes what people answered.
    options: Mapped[list] = mapped_column(JSON, default=list)
    built_in: Mapped[str | None] = mapped_column(String(30))
    # Taken off the form after people answered it: kept, with its answers, for the results.
    removed: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey] = relationship(back_populates="questions")

    @property
    def live_options(self) -> list[dict]:
        return [option for option in self.options or [] if not option.get("removed")]

    @property
    def kind_label(self) -> str:
        return QUESTION_KINDS[self.kind]


class FeedbackRequest(Model):
    """One attendee asked for feedback: sent once, reminded at most once.

    Nothing here says whether they answered: on a named form their response (with their person
    id) says so; on an anonymous form nothing linked to them does (see AnsweredMark).
    """

    __tablename__ = "feedback_request"
    __table_args__ = (UniqueConstraint("survey_id", "person_id", name="uq_feedback_request_survey_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    reminded_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship()
    person: Mapped[Person] = relationship()
    links: Mapped[list["FeedbackLink"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class FeedbackLink(Model):
    """A personal feedback link sent in one mail (request or reminder); only the token's hash is kept."""

    __tablename__ = "feedback_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("feedback_request.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AnsweredMark(Model):
    """One answer given to an anonymous form, as a keyed hash that only the server can recompute.

    The mark is HMAC(SECRET_KEY, survey and person): it holds one answer per person (the primary
    key refuses a second), yet from the database alone, or the outbox, nobody can tell whose mark
    it is. See answering.answered_mark and the anonymity argument in cop/feedback/__init__.py.
    """

    __tablename__ = "feedback_answered_mark"

    survey_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey.id", ondelete="CASCADE"), primary_key=True)
    mark: Mapped[str] = mapped_column(String(64), primary_key=True)


class Response(Model):
    """One person's answers: {question id: value}. No time is kept; anonymous ones keep no person.

    person_id is set for named forms only; the unique constraint holds one answer per person
    there. (For anonymous forms an AnsweredMark, added in the same transaction, holds it: see
    answering.record_response.)
    """

    __tablename__ = "feedback_response"
    __table_args__ = (UniqueConstraint("survey_id", "person_id", name="uq_feedback_response_survey_person"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=False, default=random_response_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)

    person: Mapped[Person | None] = relationship()

