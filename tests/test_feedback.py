"""Feedback: default forms, requests and reminders through the outbox, answering once from a link,
closing, the organiser's edits keeping answers safe, results (hand-worked), CSV, and follow-ups."""
import csv
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cop.clock import utcnow
from cop.events.formats import FORMAT_DEFAULTS
from cop.extensions import db
from cop.feedback import answering, asking, results, surveys
from cop.feedback.models import AnsweredMark, FeedbackRequest, Question, Response, Survey
from cop.mail.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in
from tests.feedback_helpers import links_by_person, past_world, question


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


@pytest.fixture
def world(app):
    return past_world()


@pytest.mark.parametrize("format_", ["big_room", "action_learning_set", "assembly"])
def test_each_format_has_a_default_form_with_every_kind_and_both_built_in_questions(app, format_):
    group = factories.community()
    event = factories.event(group, format=format_, speakers="Dr Siân Llewelyn",
                            attendance_mode=FORMAT_DEFAULTS[format_].attendance_modes[0])
    survey = surveys.ensure_survey(event)
    db.session.commit()
    kinds = {q.kind for q in survey.questions}
    assert {"rating", "single", "text", "count", "people"} <= kinds
    assert format_ == "action_learning_set" or "multiple" in kinds
    built_in = {q.built_in: q.text for q in survey.questions if q.built_in}
    assert built_in == {"other_organisations": "How many people from other organisations did you talk to?",
                        "follow_up": "Who will you follow up with?"}
    assert survey.closes_at == event.ends_at + timedelta(days=14) and survey.reminder_days == 3
    assert surveys.ensure_survey(event).id == survey.id and _count(Survey) == 1


def test_the_default_form_fits_the_event_no_speakers_question_without_speakers(app):
    group = factories.community()
    speaker_question = "How useful was the speakers' session?"
    without = surveys.default_survey(factories.event(group, format="big_room", speakers=""))
    with_speakers = surveys.default_survey(factories.event(group, format="big_room", speakers="Dr Siân Llewelyn"))
    assert speaker_question not in [q.text for q in without.questions]
    assert speaker_question in [q.text for q in with_speakers.questions]
    assert [q.position for q in without.questions] == list(range(1, len(without.questions) + 1))
    # "How did you take part?" (in person or online) only when there was a choice.
    take_part = "How did you take part?"
    in_person = surveys.default_survey(factories.event(group, format="assembly", attendance_mode="in_person"))
    hybrid = surveys.default_survey(factories.event(group, format="assembly", attendance_mode="hybrid"))
    assert take_part not in [q.text for q in in_person.questions] and take_part in [q.text for q in hybrid.questions]


@pytest.mark.parametrize(("mode", "offered"), [("in_person", False), ("online", True), ("hybrid", True)])
def test_an_assemblys_most_useful_parts_offer_the_online_chat_only_where_there_was_one(app, mode, offered):
    # Issue 17's leftover: an assembly held in person asked whether "The online chat" was useful.
    group = factories.community(name="Cynulliad Canolbarth Cymru")
    event = factories.event(group, format="assembly", attendance_mode=mode, title="Cynulliad y Gwanwyn")
    survey = surveys.ensure_survey(event)
    db.session.commit()
    parts = next(q for q in survey.questions if q.text == "Which parts were most useful?")
    labels = [option["label"] for option in parts.options]
    assert labels[:3] == ["The talks", "The workshops", "Conversations in the breaks"]
    assert ("The online chat" in labels) is offered and len(labels) == 3 + offered
    assert [option["key"] for option in parts.options] == [f"o{n}" for n in range(1, len(labels) + 1)]


def test_requests_go_once_to_those_checked_in_and_reminders_once_to_those_who_have_not_answered_a_named_form(app):
    # (An anonymous form reminds everyone asked: tests/test_feedback_anonymity.py.)
    world = past_world(anonymous=False)
    now = utcnow()
    first = asking.send_due_feedback(now)
    assert (first.requests, first.reminders) == (5, 0)
    recipients = sorted(m.recipient for m in db.session.execute(select(OutboxMessage)).scalars())
    people = world["people"]
    assert recipients == sorted(people[k].email for k in ("amira", "ben", "cara", "dev", "esme"))  # not Nora
    assert (asking.send_due_feedback(now).requests, asking.send_due_feedback(now).reminders) == (0, 0)

    links = links_by_person()
    answering.submit_feedback(links[people["amira"].email], {})
    # Not yet: the reminder is due three days after the request.
    assert asking.send_due_feedback(now + timedelta(days=2, hours=23)).reminders == 0
    later = asking.send_due_feedback(now + timedelta(days=3, minutes=1))
    assert (later.requests, later.reminders) == (0, 4)
    reminded = sorted(m.recipient for m in db.session.execute(
        select(OutboxMessage).where(OutboxMessage.subject.startswith("Reminder"))).scalars())
    assert reminded == sorted(people[k].email for k in ("ben", "cara", "dev", "esme"))
    assert asking.send_due_feedback(now + timedelta(days=4)).reminders == 0
    assert _count(OutboxMessage) == 9
    # The reminder's own link works as well as the request's.
    reminder_links = links_by_person("Reminder")
    assert reminder_links[people["ben"].email] != links[people["ben"].email]
    answering.submit_feedback(reminder_links[people["ben"].email], {})
    with pytest.raises(surveys.AlreadyAnswered):
        answering.submit_feedback(links[people["ben"].email], {})


def test_someone_checked_in_late_gets_a_request_on_the_next_run_and_nobody_after_closing(world):
    from cop.events.models import Attendance

    now = utcnow()
    asking.send_due_feedback(now)
    db.session.add(Attendance(event=world["event"], person=world["people"]["nora"]))
    db.session.commit()
    assert asking.send_due_feedback(now).requests == 1
    closed = world["survey"].closes_at + timedelta(minutes=1)
    assert asking.send_due_feedback(closed + timedelta(days=3)).reminders == 0


def test_no_requests_before_the_event_ends_nor_for_cancelled_or_long_past_events(app):
    group = factories.community()
    person = factories.person()
    from cop.events.models import Attendance

    now = utcnow()
    running = factories.event(group, starts_at=now - timedelta(hours=1))  # ends in two hours
    cancelled = factories.event(group, starts_at=now - timedelta(hours=5), status="cancelled")
    long_ago = factories.event(group, starts_at=now - timedelta(days=30))
    for event in (running, cancelled, long_ago):
        db.session.add(Attendance(event=event, person=person))
    db.session.commit()
    assert asking.send_due_feedback(now).requests == 0
    assert _count(OutboxMessage) == 0 and _count(Survey) == 0


def test_cop_reminders_sends_the_feedback_requests_too(world, app):
    result = app.test_cli_runner().invoke(args=["cop", "reminders"])
    assert result.exit_code == 0, result.output
    assert "feedback_requests=5 feedback_reminders=0" in result.output
    assert "feedback_requests=0 feedback_reminders=0" in app.test_cli_runner().invoke(args=["cop", "reminders"]).output


def test_the_link_works_without_an_account_offers_table_mates_and_answers_once(world, client):
    asking.send_due_feedback(utcnow())
    people, survey = world["people"], world["survey"]
    token = links_by_person()[people["amira"].email]
    page = client.get(f"/feedback/{token}")
    assert page.status_code == 200 and "How was Spring Big Room?" in page.text and "anonymous" in page.text
    assert "People at your tables" in page.text
    # Ben and Nora shared Amira's table (Nora did not come but still counts); Cara, Dev, Esme came.
    mates = answering.follow_up_choices(world["event"], people["amira"].id)
    assert {p.name for p in mates.table_mates} == {"Ben Osei", "Nora No-show"}
    assert {p.name for p in mates.others} == {"Cara Lee", "Dev Patel", "Esme Walk-in"}
    overall = question(survey, text="Overall, how would you rate the evening?")
    follow_up = question(survey, built_in="follow_up")
    count = question(survey, built_in="other_organisations")
    again = question(survey, kind="single")
    data = {f"q{overall.id}": "4", f"q{count.id}": "3", f"q{follow_up.id}": [str(people["ben"].id)],
            f"q{follow_up.id}_others": [str(people["cara"].id)], f"q{again.id}": again.options[0]["key"],
            "promise": "anonymous"}
    answered = client.post(f"/feedback/{token}", data=data)
    assert answered.status_code == 302
    thanks = client.get(answered.headers["Location"])  # the first thanks does not say "already answered"
    assert "Thank you" in thanks.text and "has been sent" in thanks.text and "already answered" not in thanks.text
    later = client.get(f"/feedback/{token}")
    assert "Thank you" in later.text and "already answered" in later.text
    assert client.post(f"/feedback/{token}", data=data).status_code == 200  # the thank-you page again
    response = db.session.execute(select(Response)).scalar_one()
    assert response.person_id is None
    assert response.answers == {str(overall.id): 4, str(count.id): 3,
                                str(follow_up.id): sorted([people["ben"].id, people["cara"].id]),
                                str(again.id): again.options[0]["key"]}
    assert _count(AnsweredMark) == 1 and answering.has_answered(db.session.execute(select(FeedbackRequest).where(
        FeedbackRequest.person_id == people["amira"].id)).scalar_one())
    assert client.get("/feedback/not-a-token").status_code == 404


def test_bad_answers_are_refused_with_field_errors_and_nothing_is_stored(world, client):
    asking.send_due_feedback(utcnow())
    survey, token = world["survey"], links_by_person()[world["people"]["ben"].email]
    count = question(survey, built_in="other_organisations")
    overall = question(survey, text="Overall, how would you rate the evening?")
    # The first rating is required by default; a count must be a whole number; nobody unknown can be chosen.
    follow_up = question(survey, built_in="follow_up")
    page = client.post(f"/feedback/{token}", data={f"q{count.id}": "lots", f"q{follow_up.id}": ["999999"],
                                                   "promise": "anonymous"})
    assert page.status_code == 400
    assert "There is a problem" in page.text and f'href="#q{overall.id}"' in page.text
    assert "Enter a whole number from 0 to 500" in page.text
    assert _count(Response) == 0
    assert _count(AnsweredMark) == 0


def test_a_closed_form_says_so_and_takes_no_answers(world, client):
    asking.send_due_feedback(utcnow())
    survey, token = world["survey"], links_by_person()[world["people"]["ben"].email]
    survey.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/feedback/{token}")
    assert "Feedback has closed" in page.text
    overall = question(survey, text="Overall, how would you rate the evening?")
    client.post(f"/feedback/{token}", data={f"q{overall.id}": "5", "promise": "anonymous"})
    with pytest.raises(surveys.FeedbackClosed):
        answering.submit_feedback(token, {str(overall.id): 5})
    assert _count(Response) == 0


def test_a_named_response_is_unique_per_person_in_the_database(world):
    survey = world["survey"]
    survey.anonymous = False
    person = world["people"]["amira"]
    db.session.add(Response(survey_id=survey.id, person_id=person.id, answers={}))
    db.session.commit()
    db.session.add(Response(survey_id=survey.id, person_id=person.id, answers={}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("anonymous", [True, False])
def test_a_double_submit_at_the_same_moment_stores_one_answer(app, anonymous):
    world = past_world(anonymous=anonymous)
    asking.send_due_feedback(utcnow())
    token = links_by_person()[world["people"]["cara"].email]
    db.session.remove()

    def submit(number: int) -> str:
        with app.app_context():
            try:
                answering.submit_feedback(token, {"1": number})
                return "stored"
            except surveys.AlreadyAnswered:
                return "refused"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(submit, range(12)))
    assert outcomes.count("stored") == 1 and outcomes.count("refused") == 11
    assert _count(Response) == 1


def _answer_all(world, answers_by_person: dict[str, dict]):
    asking.send_due_feedback(utcnow())
    links = links_by_person()
    for key, answers in answers_by_person.items():
        answering.submit_feedback(links[world["people"][key].email], answers)


def test_results_match_figures_worked_out_by_hand(app, client):
    world = past_world(anonymous=False)
    survey, people = world["survey"], world["people"]
    overall = question(survey, text="Overall, how would you rate the evening?")
    count = question(survey, built_in="other_organisations")
    follow_up = question(survey, built_in="follow_up")
    topics = question(survey, kind="multiple")
    text = question(survey, text="What will you do differently after this evening?")
    keys = [o["key"] for o in topics.options]
    _answer_all(world, {
        "amira": {str(overall.id): 5, str(count.id): 0, str(topics.id): [keys[0], keys[1]],
                  str(follow_up.id): [people["ben"].id, people["cara"].id], str(text.id): "Call the frailty team"},
        "ben": {str(overall.id): 4, str(count.id): 2, str(topics.id): [keys[0]],
                str(follow_up.id): [people["amira"].id]},
        "cara": {str(overall.id): 4, str(count.id): 7},
        "dev": {str(overall.id): 1, str(count.id): 12, str(text.id): "=HYPERLINK(\"http://evil\")"},
    })
    result = results.results(survey)
    # 4 of the 5 people asked answered: 80%.
    assert (result.responses, result.requested, round(result.response_rate, 2)) == (4, 5, 0.8)
    by_question = {r.question.id: r for r in result.questions}
    # Ratings 5, 4, 4, 1: one 1, none 2 or 3, two 4s, one 5; average 14 / 4 = 3.5.
    assert [(b.count, b.share) for b in by_question[overall.id].bars] == [
        (1, 0.25), (0, 0), (0, 0), (2, 0.5), (1, 0.25)]
    assert by_question[overall.id].summary == "Average 3.5 out of 5 from 4 answers"
    # Counts 0, 2, 7, 12 fall in "None", "1 or 2", "6 to 10", "11 or more"; 21 in all, median (2 + 7) / 2 = 4.5.
    assert [(b.label, b.count) for b in by_question[count.id].bars] == [
        ("None", 1), ("1 or 2", 1), ("3 to 5", 0), ("6 to 10", 1), ("11 or more", 1)]
    assert by_question[count.id].summary.startswith("21 conversations") and "median 4.5, average 5.2" in \
        by_question[count.id].summary
    # Topics: two people answered; the first topic chosen by both (100%), the second by one (50%).
    assert [(b.count, b.share) for b in by_question[topics.id].bars[:3]] == [(2, 1.0), (1, 0.5), (0, 0.0)]
    # Follow-ups: three people named by two respondents: Ben (Thurrock Council), Cara (Foodbank), Amira (Acute).
    assert by_question[follow_up.id].summary == "3 follow-ups planned by 2 people, with people from 3 organisations"
    assert sorted(by_question[text.id].texts) == ["=HYPERLINK(\"http://evil\")", "Call the frailty team"]
    assert [p.name for p in results.non_responders(survey)] == ["Esme Walk-in"]

    sign_in(client, factories.account(world["facilitator"]))
    page = client.get(f"/events/{world['event'].id}/feedback/results").text
    assert "4 of 5 asked (80%)" in page
    # Charts for the two ratings (no speakers, so no speakers' question), the count, the single and multiple
    # choices, and the follow-ups' organisations.
    assert page.count("<svg") == 6
    assert "<caption>Overall, how would you rate the evening?: answers</caption>" in page
    assert "Call the frailty team" in page and "Not answered yet (1)" in page and "Esme Walk-in" in page

    exported = client.get(f"/events/{world['event'].id}/feedback/results.csv")
    assert exported.headers["Content-Disposition"] == f'attachment; filename="event-{world["event"].id}-feedback.csv"'
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:4] == ["response", "name", "email", "organisation"] and len(rows) == 5
    dev_row = next(row for row in rows if row[1] == "Dev Patel")
    assert "'=HYPERLINK(\"http://evil\")" in dev_row  # the formula is neutralised
    amira_row = next(row for row in rows if row[1] == "Amira Khan")
    assert "Ben Osei; Cara Lee" in amira_row and "Frailty; Health inequalities" in amira_row


def test_an_anonymous_form_lists_no_non_responders_and_exports_no_names(app, client):
    world = past_world(anonymous=True)
    overall = question(world["survey"], text="Overall, how would you rate the evening?")
    _answer_all(world, {"amira": {str(overall.id): 5}, "ben": {str(overall.id): 3}})
    sign_in(client, factories.account(world["organiser"]))
    page = client.get(f"/events/{world['event'].id}/feedback/results").text
    assert "2 of 5 asked (40%)" in page and "Not answered yet" not in page and "Esme" not in page
    rows = list(csv.reader(io.StringIO(client.get(f"/events/{world['event'].id}/feedback/results.csv").text)))
    assert rows[0][1] == "Overall, how would you rate the evening?" and sorted(r[1] for r in rows[1:]) == ["3", "5"]
    assert not any(world["people"][k].name in ",".join(r) for r in rows for k in ("amira", "ben"))


def test_follow_up_pairs_for_the_reports(app):
    world = past_world(anonymous=False)
    survey, people = world["survey"], world["people"]
    follow_up = question(survey, built_in="follow_up")
    _answer_all(world, {"amira": {str(follow_up.id): [people["ben"].id, people["dev"].id]},
                        "ben": {str(follow_up.id): [people["amira"].id]}, "cara": {}})
    event_id = world["event"].id
    assert results.follow_up_pairs([event_id]) == [
        (people["amira"].id, people["ben"].id), (people["amira"].id, people["dev"].id),
        (people["ben"].id, people["amira"].id)]
    group = world["event"].community
    acute, council = (factories.record(group, people[k]).organisation_id for k in ("amira", "ben"))
    counts = results.follow_up_organisation_counts(world["event"].community_id, [event_id])
    assert counts == {(acute, council): 1, (acute, acute): 1, (council, acute): 1}
    assert results.follow_up_pairs([]) == []


def test_follow_up_pairs_of_an_anonymous_form_have_no_answering_person(app):
    world = past_world(anonymous=True)
    people, follow_up = world["people"], question(world["survey"], built_in="follow_up")
    _answer_all(world, {"amira": {str(follow_up.id): [people["ben"].id]}})
    assert results.follow_up_pairs([world["event"].id]) == [(None, people["ben"].id)]


def test_the_organiser_edits_the_form_and_answers_already_given_are_kept(world, client):
    survey, event = world["survey"], world["event"]
    sign_in(client, factories.account(world["organiser"]))
    base = f"/events/{event.id}/feedback"
    assert client.get(f"{base}/form").status_code == 200
    added = client.post(f"{base}/questions/new", data={"kind": "single", "text": "Was the food good?",
                                                       "options": "Yes\nNo\n"})
    assert added.status_code == 302
    food = question(survey, text="Was the food good?")
    assert [o["label"] for o in food.options] == ["Yes", "No"] and food.position == len(survey.questions)
    refused = client.post(f"{base}/questions/new", data={"kind": "multiple", "text": "One option", "options": "Only"})
    assert refused.status_code == 400 and "at least two options" in refused.text
    client.post(f"{base}/questions/{food.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert survey.live_questions[-2].id == food.id

    _answer_all(world, {"amira": {str(food.id): food.options[1]["key"]}})
    # Now people have answered: the form stays anonymous, a reworded option keeps its old answers.
    settings = client.post(f"{base}/form", data={"privacy": "named", "closes_on": "1/1/2099", "reminder_days": "2"})
    assert settings.status_code == 400 and "can no longer change between anonymous and named" in settings.text
    db.session.expire_all()
    assert survey.anonymous is True
    client.post(f"{base}/questions/{food.id}", data={"text": "Was the food good?", "options": "Yes\nNot really"})
    db.session.expire_all()
    assert [(o["label"], o["removed"]) for o in food.options] == [("Yes", False), ("Not really", False), ("No", True)]
    client.post(f"{base}/questions/{food.id}/remove")
    db.session.expire_all()
    assert food.removed and food not in survey.live_questions
    result = {r.question.id: r for r in results.results(survey).questions}[food.id]
    assert [(b.label, b.count) for b in result.bars][-1] == ("No (removed from the form)", 1)
    built_in = question(survey, built_in="follow_up")
    client.post(f"{base}/questions/{built_in.id}/remove")
    assert not db.session.get(Question, built_in.id).removed


def test_settings_change_privacy_before_answers_and_refuse_a_closing_date_before_the_event(world, client):
    survey, event = world["survey"], world["event"]
    sign_in(client, factories.account(world["organiser"]))
    saved = client.post(f"/events/{event.id}/feedback/form",
                        data={"privacy": "named", "closes_on": "1/1/2099", "reminder_days": "5"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert (survey.anonymous, survey.reminder_days) == (False, 5)
    early = client.post(f"/events/{event.id}/feedback/form",
                        data={"privacy": "named", "closes_on": "1/1/2020", "reminder_days": "x"})
    assert early.status_code == 400 and "Enter a number of days from 0 to 60" in early.text
    assert "The closing date must be after the event" in client.post(
        f"/events/{event.id}/feedback/form",
        data={"privacy": "named", "closes_on": "1/1/2020", "reminder_days": "1"}).text


def test_the_event_page_links_organisers_to_the_form_and_staff_to_the_results(world, app):
    event = world["event"]
    organiser, facilitator = app.test_client(), app.test_client()
    sign_in(organiser, factories.account(world["organiser"]))
    sign_in(facilitator, factories.account(world["facilitator"]))
    page = organiser.get(f"/events/{event.id}").text
    assert "Feedback form" in page and "Feedback results" in page
    from flask import g

    g.pop("_login_user", None)  # the test's app context outlives the request: forget the organiser
    page = facilitator.get(f"/events/{event.id}").text
    assert "Feedback form" not in page and "Feedback results" in page


def test_two_runs_at_once_send_each_request_and_reminder_once(app):
    past_world()
    db.session.remove()
    now = utcnow()

    def run(moment):
        with app.app_context():
            try:
                return asking.send_due_feedback(moment)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=3) as pool:
        first = list(pool.map(run, [now] * 3))
    with ThreadPoolExecutor(max_workers=3) as pool:
        later = list(pool.map(run, [now + timedelta(days=4)] * 3))
    assert sum(r.requests for r in first) == 5 and sum(r.reminders for r in later) == 5
    subjects = [m.subject for m in db.session.execute(select(OutboxMessage)).scalars()]
    assert len(subjects) == 10 and sum(s.startswith("Reminder") for s in subjects) == 5
