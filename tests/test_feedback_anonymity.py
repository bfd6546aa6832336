"""Anonymous feedback: no table row and no log line links an anonymous answer to its person.

The argument is in cop/feedback/surveys.py's docstring; these tests check each part of it
by reading every row of every table, and the log of a real HTTP server, around an answer.
"""
import datetime
import logging
import threading
import urllib.parse
import urllib.request

from sqlalchemy import select, text
from werkzeug.serving import make_server

from cop.extensions import db
from cop.feedback import surveys
from cop.feedback.models import Response
from cop.people.models import utcnow
from tests.feedback_helpers import links_by_person, past_world, question


def _every_row() -> dict[str, dict]:
    """{table: {primary key: row as a dict}} for every table cop has."""
    snapshot = {}
    for table in db.metadata.sorted_tables:
        key = [column.name for column in table.primary_key.columns]
        snapshot[table.name] = {
            tuple(row[name] for name in key): dict(row)
            for row in db.session.execute(select(table)).mappings()
        }
    return snapshot


def _cells(snapshot):
    for table, rows in snapshot.items():
        for key, row in rows.items():
            for column, value in row.items():
                yield table, key, column, value


def _answer(client, token: str, survey, words: str, rating: int):
    overall = question(survey, text="Overall, how would you rate the evening?")
    said = question(survey, text="What will you do differently after this evening?")
    response = client.post(f"/feedback/{token}", data={f"q{overall.id}": str(rating), f"q{said.id}": words})
    assert response.status_code == 302


def test_an_anonymous_answer_changes_only_a_flag_on_the_request_and_rewrites_every_response(app, client):
    world = past_world(anonymous=True)
    survey, people = world["survey"], world["people"]
    surveys.send_due_feedback(utcnow())
    links = links_by_person()
    _answer(client, links[people["amira"].email], survey, "Amira's secret plan", 5)
    _answer(client, links[people["cara"].email], survey, "Cara's secret plan", 2)
    db.session.expire_all()
    before = _every_row()

    _answer(client, links[people["ben"].email], survey, "Ben's secret plan", 4)
    db.session.expire_all()
    after = _every_row()

    # Outside the responses, the one change is Ben's request: answered, with no time and no id of anything.
    changes = []
    for table in after:
        if table == "feedback_response":
            continue
        assert after[table].keys() == before[table].keys(), f"rows added to or removed from {table}"
        for key, row in after[table].items():
            changes += [(table, key, column, before[table][key][column], value)
                        for column, value in row.items() if before[table][key][column] != value]
    ben_request = next(key for key, row in after["feedback_request"].items() if row["person_id"] == people["ben"].id)
    assert changes == [("feedback_request", ben_request, "answered", False, True)]

    # The responses: no person, no time, nothing but the survey and the answers.
    responses = after["feedback_response"]
    assert len(responses) == 3
    for row in responses.values():
        assert set(row) == {"id", "survey_id", "person_id", "answers"} and row["person_id"] is None
        assert not any(isinstance(value, (datetime.date, datetime.datetime)) for value in row.values())
    # Every response has a new id, so the new one does not stand out as the one id not seen before.
    assert not set(responses) & set(before["feedback_response"])

    # Ben's words are in his response and nowhere else; nothing else in the database holds its id.
    holders = [(table, column) for table, _key, column, value in _cells(after) if "Ben's secret plan" in str(value)]
    assert holders == [("feedback_response", "answers")]
    (bens_id,) = [key for key, row in responses.items() if "Ben's secret plan" in str(row["answers"])]
    elsewhere = [(table, column) for table, key, column, value in _cells(after)
                 if value == bens_id[0] and not (table == "feedback_response" and column == "id")]
    assert elsewhere == []

    if db.engine.dialect.name == "postgresql":
        # The transaction stamp names no response as the newest: all were written by Ben's answer.
        stamps = db.session.execute(text("SELECT DISTINCT xmin::text FROM feedback_response")).scalars().all()
        assert len(stamps) == 1
    else:
        # SQLite's rowid is the (random) id: no hidden insertion order.
        rowids = db.session.execute(text("SELECT rowid FROM feedback_response")).scalars().all()
        assert sorted(rowids) == sorted(key[0] for key in responses)


def test_a_named_answer_is_linked_to_its_person(app, client):
    world = past_world(anonymous=False)
    surveys.send_due_feedback(utcnow())
    _answer(client, links_by_person()[world["people"]["dev"].email], world["survey"], "Dev's plan", 3)
    response = db.session.execute(select(Response)).scalar_one()
    assert response.person_id == world["people"]["dev"].id


def test_the_server_log_of_an_anonymous_answer_cannot_be_joined_to_the_stored_answer(app, caplog):
    """A real HTTP server's access log records the time of each answer (the link itself is redacted); the
    stored answer has neither a time nor an id or position that follows the order of answering."""
    world = past_world(anonymous=True)
    survey, people = world["survey"], world["people"]
    surveys.send_due_feedback(utcnow())
    links = links_by_person()
    db.session.commit()
    caplog.set_level(logging.DEBUG)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    overall = question(survey, text="Overall, how would you rate the evening?")
    said = question(survey, text="What will you do differently after this evening?")
    try:
        for key, words in (("amira", "first-words"), ("ben", "second-words"), ("cara", "third-words")):
            token = links[people[key].email]
            urllib.request.urlopen(f"{base}/feedback/{token}").read()
            body = urllib.parse.urlencode({f"q{overall.id}": "4", f"q{said.id}": words}).encode()
            urllib.request.urlopen(urllib.request.Request(f"{base}/feedback/{token}", data=body)).read()
    finally:
        server.shutdown()
    log = "\n".join(record.getMessage() for record in caplog.records)
    # The log is real and records each answer at a moment; since issue 15 it names no link (so no person)...
    assert log.count("POST /feedback/[token]") == 3
    assert not any(links[people[key].email] in log for key in ("amira", "ben", "cara"))
    db.session.expire_all()
    responses = db.session.execute(select(Response)).scalars().all()
    assert len(responses) == 3
    for response in responses:
        # ...but no answer, and no response id, ever reaches it.
        assert str(response.id) not in log
        for value in response.answers.values():
            assert str(value) not in log or str(value) == "4"
    assert "words" not in log
