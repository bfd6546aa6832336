"""The anonymity migration on a database with feedback in it: the per-person "answered" flag goes,
anonymous forms' answers become marks that name nobody (so nobody answers twice), named forms keep
knowing who answered from their responses, and forms already sent are fixed."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from cop import create_app
from cop.extensions import db
from cop.feedback import answering, surveys
from cop.feedback.models import FeedbackLink, FeedbackRequest, Survey
from tests.conftest import TEST_SETTINGS

BEFORE = "94d18a952af7"  # the revision before feedback_anonymity_locked
WHEN = datetime(2026, 10, 1, 18, 0)




def _insert(table_name: str, **values) -> int:
    """A row with every required column filled; returns its id."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=db.engine)
    row = {}
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None or column.name == "id":
            continue
        kind = column.type.python_type if not isinstance(column.type, sa.JSON) else dict
        row[column.name] = {int: 0, str: f"{column.name}-{table_name}", bool: False, datetime: WHEN, dict: {}}[kind]
    row.update(values)
    with db.engine.begin() as connection:
        return connection.execute(sa.insert(table).values(**row).returning(table.c.id)).scalar_one()


def test_the_answered_flag_becomes_marks_and_sent_forms_are_fixed(empty_database):
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision=BEFORE)
        group = _insert("community", slug="big-room", name="Big Room")
        people = [_insert("person", name=f"Person {n}", email=f"p{n}@example.org", profession="nursing")
                  for n in range(3)]
        events = [_insert("event", community_id=group, uid=f"e{n}", format="big_room", status="published",
                          attendance_mode="in_person", starts_at=WHEN, ends_at=WHEN + timedelta(hours=3))
                  for n in range(3)]
        closes = WHEN + timedelta(days=400)
        anonymous = _insert("feedback_survey", event_id=events[0], anonymous=True, closes_at=closes, reminder_days=3)
        named = _insert("feedback_survey", event_id=events[1], anonymous=False, closes_at=closes, reminder_days=3)
        unsent = _insert("feedback_survey", event_id=events[2], anonymous=True, closes_at=closes, reminder_days=3)
        for survey_id in (anonymous, named):
            for number, person_id in enumerate(people):
                request_id = _insert("feedback_request", survey_id=survey_id, person_id=person_id,
                                     sent_at=WHEN, answered=number == 0)
                _insert("feedback_link", request_id=request_id, token_hash=f"{survey_id}-{person_id}")
        _insert("feedback_response", id=7, survey_id=anonymous, person_id=None, answers={})
        _insert("feedback_response", id=8, survey_id=named, person_id=people[0], answers={})

        upgrade()
        db.session.remove()
        assert "answered" not in {c["name"] for c in sa.inspect(db.engine).get_columns("feedback_request")}
        locked = dict(db.session.execute(sa.select(Survey.id, Survey.anonymity_locked)).all())
        assert locked == {anonymous: True, named: True, unsent: False}
        marks = db.session.execute(sa.text("SELECT survey_id, mark FROM feedback_answered_mark")).all()
        assert [tuple(m) for m in marks] == [(anonymous, answering.answered_mark(anonymous, people[0]))]
        requests = db.session.execute(sa.select(FeedbackRequest).order_by(FeedbackRequest.id)).scalars().all()
        answered = [(r.survey_id, r.person_id) for r in requests if answering.has_answered(r)]
        assert answered == [(anonymous, people[0]), (named, people[0])]
        # Person 0 still cannot answer the anonymous form twice; person 1 can answer it.
        link = db.session.execute(sa.select(FeedbackLink).join(FeedbackRequest).where(
            FeedbackRequest.survey_id == anonymous, FeedbackRequest.person_id == people[0])).scalar_one()
        with pytest.raises(surveys.AlreadyAnswered):
            answering.record_response(db.session.get(FeedbackRequest, link.request_id), {}, promised_anonymous=True)
        other = db.session.execute(sa.select(FeedbackRequest).where(
            FeedbackRequest.survey_id == anonymous, FeedbackRequest.person_id == people[1])).scalar_one()
        answering.record_response(other, {}, promised_anonymous=True)
        db.session.rollback()
        db.session.remove()

        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            flags = connection.execute(sa.text(
                "SELECT survey_id, person_id FROM feedback_request WHERE answered ORDER BY id")).all()
        assert [tuple(f) for f in flags] == [(anonymous, people[0]), (named, people[0])]
        db.session.remove()
        db.engine.dispose()
