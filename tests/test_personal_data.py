"""Personal data export and erasure: every table is searched for the person afterwards,
and every count organisers see is the same as before."""
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from cop import privacy
from cop.accounts import signin
from cop.calendars import feeds
from cop.calendars.models import CalendarToken
from cop.clock import utcnow
from cop.communities.members import first_organisers
from cop.door import check_in
from cop.events.models import Attendance, DoorRecord, NoShow
from cop.extensions import db
from cop.feedback import answering, asking, results, surveys
from cop.feedback.models import FeedbackLink, FeedbackRequest
from cop.invitations import inviting, rsvp
from cop.invitations.models import Invitation, InvitationLink
from cop.mail.models import OutboxMessage
from cop.people import personal_data
from cop.people.models import Person
from cop.reports import queries
from cop.seating import plans
from cop.seating.models import Seat
from cop.tokens import new_token
from tests import factories
from tests.conftest import sign_in
from tests.feedback_helpers import links_by_person, question
from tests.invitation_helpers import make_event, make_invitation

NAME = "Zebedee Quartermaine"
EMAIL = "zebedee.quartermaine@example.org"
TRACES = ("zebedee", "quartermaine")


@pytest.fixture
def history(app):
    """Zebedee organises a community; he came to a past event (seated, checked in, with needs),
    holds the only place at one still to come, with a colleague on its waitlist, and has mail,
    a calendar address, a sign-in link and an account."""
    group = factories.community(slug="big-room")
    org = factories.organisation(name="Basildon Hospital")
    zebedee = factories.member(group, "organiser", factories.person(
        name=NAME, email=EMAIL, org=org, role_title="Ward manager", interests="frailty",
        dietary_needs="vegan", access_needs="wheelchair"))
    colleagues = [factories.member(group, someone=factories.person(org=factories.organisation())) for _ in range(5)]
    account = factories.account(zebedee, password="correct horse battery")

    past = make_event(group, title="Autumn Big Room", days_ahead=-10)
    for someone in [zebedee, *colleagues]:
        make_invitation(past, someone, answer="yes", place="confirmed",
                        dietary_needs="vegan" if someone is zebedee else "")
        db.session.add(Attendance(event=past, person=someone))
    db.session.commit()
    plans.generate(past, plans.SeatingChoices(source="checked_in", tables=[3, 3], rounds=2), zebedee,
                   plans.Budget(iterations=200))
    # A named feedback form: he answers (naming himself in a remark, choosing a colleague to follow
    # up), a colleague answers choosing him and naming him, another has not answered yet.
    survey = surveys.ensure_survey(past)
    survey.anonymous = False
    db.session.commit()
    assert asking.send_feedback_requests(utcnow()) == 6
    links = links_by_person()
    follow_up, remark = question(survey, built_in="follow_up"), question(survey, text=surveys.DEFAULT_FORMS[
        "big_room"][-1]["text"])
    rating, count = question(survey, kind="rating"), question(survey, built_in="other_organisations")
    answering.submit_feedback(links[EMAIL], {str(rating.id): 5, str(count.id): 4, str(follow_up.id): [
        colleagues[0].id, colleagues[1].id], str(remark.id): f"I am {NAME} ({EMAIL}); more of this please"})
    answering.submit_feedback(links[colleagues[0].email], {str(rating.id): 3, str(follow_up.id): [zebedee.id],
                                                         str(remark.id): f"Thanks to {NAME} for the table"})

    coming = make_event(group, title="Winter Big Room", capacity=1)
    plan = inviting.plan_invitations(coming, None, f"{EMAIL}\n{colleagues[0].email}")
    sent = inviting.send_invitations(coming, plan, invited_by=zebedee)
    db.session.commit()
    # Answer through real links: Zebedee takes the one place, his colleague queues.
    for invitation in sent:
        token, token_hash = new_token()
        db.session.add(InvitationLink(invitation_id=invitation.id, token_hash=token_hash))
        db.session.commit()
        needs = "vegan, no nuts" if invitation.person_id == zebedee.id else ""
        rsvp.answer_invitation(token, "yes", dietary_needs=needs)
    calendar_token = feeds.personal_feed_token(zebedee)
    assert signin.send_sign_in_link(EMAIL)
    return {"group": group, "zebedee": zebedee, "account": account, "past": past, "coming": coming,
            "colleague": colleagues[0], "calendar_token": calendar_token, "survey": survey,
            "feedback_token": links[EMAIL]}


def _traces_of_zebedee() -> list[str]:
    """Every string, text or JSON value in every table that still mentions him."""
    found = []
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]
            if not columns:
                continue
            for row in connection.execute(select(*columns)):
                for column, value in zip(columns, row):
                    text = json.dumps(value) if isinstance(value, (dict, list)) else str(value or "")
                    if any(trace in text.lower() for trace in TRACES):
                        found.append(f"{table.name}.{column.name}: {text[:80]}")
    return found


def _counts(history) -> dict:
    past = history["past"]
    return {
        "people": db.session.scalar(select(func.count(Person.id))),
        "past answers": dict(db.session.execute(
            select(Invitation.answer, func.count())
            .where(Invitation.event_id == past.id).group_by(Invitation.answer)).all()),
        "past confirmed": db.session.scalar(select(func.count()).where(
            Invitation.event_id == past.id, Invitation.place == "confirmed")),
        "check-ins": db.session.scalar(select(func.count(Attendance.id))),
        "seats": db.session.scalar(select(func.count(Seat.id))),
        "mail ids": set(db.session.scalars(select(OutboxMessage.id))),
        "memberships": len(history["group"].memberships),
        "feedback requests": db.session.scalar(select(func.count(FeedbackRequest.id))),
        "feedback non-responders": [p.id for p in results.non_responders(history["survey"])],
        "feedback results": _feedback_figures(history["survey"]),
        "follow-ups in the report": queries.follow_ups(queries.event_records(history["group"])),
    }


def _as_erased(text: str) -> str:
    text = text.replace(NAME, "Erased person").replace(EMAIL, "(address)")
    return re.sub(r"erased-\d+@erased\.invalid", "(address)", text)


def _feedback_figures(survey) -> dict:
    """What the results page shows: response rate, each question's bars and summary, the remarks
    (with his name as erasure writes it, so the comparison is of everything else)."""
    found = results.results(survey)
    return {"requested": found.requested, "responses": found.responses, "rate": found.response_rate,
            "questions": [(r.question.text, r.answered, [(b.label, b.count, b.share) for b in r.bars], r.summary,
                           sorted(_as_erased(t) for t in r.texts))
                          for r in found.questions]}


def test_export_holds_every_section_and_no_secret(app, history):
    zebedee = history["zebedee"]
    exported = privacy.export_person(zebedee)
    text = json.dumps(exported)
    assert exported["profile"]["email"] == EMAIL and exported["memberships"][0]["dietary_needs"] == "vegan"
    assert exported["account"]["has_password"] is True
    assert {m["role"] for m in exported["memberships"]} == {"organiser"}
    assert {i["event"] for i in exported["invitations"]} == {"Autumn Big Room", "Winter Big Room"}
    winter = next(i for i in exported["invitations"] if i["event"] == "Winter Big Room")
    assert winter["place"] == "confirmed" and winter["dietary_needs"] == "vegan, no nuts"
    assert [c["event"] for c in exported["check_ins"]] == ["Autumn Big Room"]
    assert len(exported["seats"]) == 2  # two rounds
    assert {m["subject"] for m in exported["mail"]} >= {"Your cop sign-in link", "You are invited: Winter Big Room"}
    assert len(exported["calendar_tokens"]) == 1 and len(exported["sign_in_links"]) == 1
    feedback = exported["feedback"]
    assert [(r["event"], r["form"], r["answered"]) for r in feedback["requests"]] == [
        ("Autumn Big Room", "named", True)]
    [mine] = feedback["named_answers"]
    answers = {a["question"]: a["answer"] for a in mine["answers"]}
    assert mine["event"] == "Autumn Big Room" and answers[surveys.FOLLOW_UP].count(";") == 1
    assert history["colleague"].name in answers[surveys.FOLLOW_UP] and answers[surveys.OTHER_ORGANISATIONS] == "4"
    assert f"I am {NAME}" in text and "Thanks to" not in text  # his answers, not the answers naming him
    assert "can be found" in feedback["anonymous_answers"] and feedback["anonymous_forms_sent"] == 0
    assert history["feedback_token"] not in text
    # The mails carry working links; the export carries none of their secrets.
    secrets = set()
    for body in db.session.scalars(select(OutboxMessage.text_body).where(OutboxMessage.recipient == EMAIL)):
        secrets |= set(re.findall(r"/(?:sign-in/link|rsvp)/([A-Za-z0-9_-]+)", body))
    assert secrets and history["calendar_token"]
    assert not any(secret in text for secret in secrets | {history["calendar_token"]})
    for column_secret in db.session.scalars(select(InvitationLink.token_hash)):
        assert column_secret not in text


def test_erasure_leaves_no_trace_in_any_table_and_every_count_unchanged(app, history):
    zebedee, colleague = history["zebedee"], history["colleague"]
    assert len(_traces_of_zebedee()) > 10  # the search finds him before
    # Another organiser reads the feedback results page before and after.
    reader_person = factories.member(history["group"], "organiser")
    reader = app.test_client()
    sign_in(reader, factories.account(reader_person))
    results_url = f"/events/{history['past'].id}/feedback/results"
    page_before = reader.get(results_url).text
    assert "2 of 6" in page_before or "33%" in page_before
    assert first_organisers([history["group"].id])[history["group"].id].id == zebedee.id
    before = _counts(history)

    report = privacy.erase_person(zebedee)
    db.session.expire_all()

    assert _traces_of_zebedee() == []
    assert _as_erased(reader.get(results_url).text) == _as_erased(page_before)
    after = _counts(history)
    assert after["mail ids"] >= before["mail ids"]  # nothing deleted (his colleague got an offer)
    assert {k: v for k, v in after.items() if k != "mail ids"} == {k: v for k, v in before.items() if k != "mail ids"}
    assert report["profile"] == 1 and report["account"] == 1 and report["invitations"] == 2
    assert zebedee.name == "Erased person" and zebedee.email == f"erased-{zebedee.id}@erased.invalid"
    assert factories.record(history["group"], zebedee).organisation.name == "Basildon Hospital"  # the mixing counts
    # His links, calendar address and sign-in are dead.
    assert db.session.scalar(select(func.count(InvitationLink.id)).join(Invitation).where(
        Invitation.person_id == zebedee.id)) == 0
    assert feeds.person_for_feed_token(history["calendar_token"]) is None
    assert signin.authenticate(EMAIL, "correct horse battery") is None
    # The place he held at the event still to come went to the waitlist.
    winter = {i.person_id: i
              for i in db.session.scalars(select(Invitation).where(Invitation.event_id == history["coming"].id))}
    assert winter[zebedee.id].revoked_at is not None and winter[zebedee.id].place == "none"
    assert winter[colleague.id].place == "offered"
    # Mail to him that had not gone will not go.
    assert db.session.scalar(select(func.count()).where(
        OutboxMessage.recipient == zebedee.email, OutboxMessage.state == "pending")) == 0
    # His feedback links no longer open the form; his answers stay, linked to "Erased person";
    # no reminder goes to the erased address.
    assert db.session.scalar(select(func.count(FeedbackLink.id)).join(FeedbackRequest).where(
        FeedbackRequest.person_id == zebedee.id)) == 0
    assert app.test_client().get(f"/feedback/{history['feedback_token']}").status_code == 404
    assert report["feedback"] == 1 + 2  # his one link, and the two remarks that named him
    export = privacy.export_person(zebedee)["feedback"]
    assert "Erased person" in json.dumps(export["named_answers"]) and export["requests"][0]["answered"] is True
    # Of the four who have not answered, one is erased too: the other three are reminded, not them.
    silent = results.non_responders(history["survey"])[0]
    privacy.erase_person(silent.person)
    assert asking.send_due_feedback(utcnow() + timedelta(days=3, hours=1)).reminders == 3
    assert db.session.scalar(select(func.count()).where(OutboxMessage.recipient.like("%erased.invalid"),
                                                        OutboxMessage.state == "pending")) == 0
    assert db.session.scalar(select(func.count()).where(OutboxMessage.recipient == zebedee.email,
                                                        OutboxMessage.state == "pending")) == 0
    # Replies and calendar ORGANIZER go to the next organiser, no longer to him.
    assert first_organisers([history["group"].id])[history["group"].id].id == reader_person.id
    # Erasing again finds nothing more to change.
    privacy.erase_person(zebedee)
    assert _traces_of_zebedee() == []


def test_the_doors_record_is_exported_by_community_and_kept_through_erasure(app, history):
    group, zebedee, colleague = history["group"], history["zebedee"], history["colleague"]
    night = make_event(group, title="Noson y Drws", days_ahead=0)
    for someone in (zebedee, colleague):
        make_invitation(night, someone, answer="yes", place="confirmed")
    check_in.check_in(night, zebedee, by=colleague)  # the wrong name tapped
    check_in.undo_check_in(night, zebedee, by=colleague)
    check_in.mark_no_show(night, zebedee, by=colleague)
    check_in.check_in(night, colleague, by=zebedee)  # Zebedee helps at the door
    db.session.commit()

    door = privacy.export_person(zebedee)["door"]
    assert [(r["event"], r["action"], r["by"]) for r in door["records"]] == [
        ("Noson y Drws", "checked in", colleague.name), ("Noson y Drws", "check-in undone", colleague.name),
        ("Noson y Drws", "marked as not coming", colleague.name)]
    assert door["marked_not_coming"] == ["Noson y Drws"]
    assert [(r["event"], r["action"]) for r in door["done_at_the_door"]] == [("Noson y Drws", "checked in")]
    assert colleague.name not in json.dumps(door["done_at_the_door"])  # whom he checked in is theirs
    assert privacy.export_person(zebedee, community_id=group.id)["door"] == door
    elsewhere = factories.community(slug="elsewhere")
    factories.member(elsewhere, someone=zebedee)
    db.session.flush()
    assert privacy.export_person(zebedee, community_id=elsewhere.id)["door"] == {
        "records": [], "marked_not_coming": [], "done_at_the_door": []}

    def door_rows():
        return (db.session.execute(select(DoorRecord.id, DoorRecord.event_id, DoorRecord.person_id,
                                          DoorRecord.by_person_id, DoorRecord.action).order_by(DoorRecord.id)).all(),
                db.session.execute(select(NoShow.event_id, NoShow.person_id)).all(), check_in.door_counts(night))
    before = door_rows()
    assert privacy.erase_person(zebedee)["door"] == 0
    db.session.expire_all()
    assert door_rows() == before  # who came, who was marked, and who put a wrong tap right all still count
    assert _traces_of_zebedee() == []
    told = [(r.person.name, r.label, r.by.name) for r in reversed(check_in.door_history(night))]
    assert told == [("Erased person", "checked in", colleague.name),
                    ("Erased person", "check-in undone", colleague.name),
                    ("Erased person", "marked as not coming", colleague.name),
                    (colleague.name, "checked in", "Erased person")]


def test_a_registered_section_is_exported_and_erased(app, history):
    calls = []
    personal_data.register_section("test_extra", lambda person, community_id: {"seen": person.email},
                                   lambda person: calls.append(person.email) or 7)
    try:
        assert privacy.export_person(history["zebedee"])["test_extra"] == {"seen": EMAIL}
        assert privacy.erase_person(history["zebedee"])["test_extra"] == 7
        assert calls == [EMAIL]  # it ran before the profile lost the address
    finally:
        personal_data._sections.pop("test_extra")


def test_organiser_downloads_then_erases_after_confirming(app, history):
    group, zebedee = history["group"], history["zebedee"]
    organiser = factories.member(group, "organiser")
    client = app.test_client()
    sign_in(client, factories.account(organiser))
    response = client.get(f"/communities/big-room/people/{zebedee.id}/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    community_part = response.get_json()
    assert community_part["profile"]["name"] == NAME and community_part["scope"] == "community"
    assert community_part["account"] is None and community_part["calendar_tokens"] == []
    assert NAME in client.get(f"/communities/big-room/people/{zebedee.id}/edit").get_data(as_text=True)

    # He signs in to cop: only he or a site administrator erases him, never a community's organiser.
    page = client.get(f"/communities/big-room/people/{zebedee.id}/erase")
    assert page.status_code == 403 and "only they" in page.get_data(as_text=True)
    assert client.post(f"/communities/big-room/people/{zebedee.id}/erase", data={"understood": "y"}).status_code == 403
    db.session.expire_all()
    assert zebedee.name == NAME
    with app.app_context():  # a fresh `g` for the next visitor
        sign_in(client, factories.account(factories.person(), is_admin=True))

        refused = client.post(f"/communities/big-room/people/{zebedee.id}/erase", data={})
        assert refused.status_code == 400
        assert "Confirm that you understand" in refused.get_data(as_text=True)
        assert db.session.get(Person, zebedee.id).name == NAME  # nothing erased without the confirmation

        done = client.post(f"/communities/big-room/people/{zebedee.id}/erase", data={"understood": "y"})
        assert done.status_code == 302
        db.session.expire_all()
        assert db.session.get(Person, zebedee.id).name == "Erased person"
        assert "Erased person" in client.get("/communities/big-room/people").get_data(as_text=True)


def test_a_person_downloads_their_own_data_and_their_session_ends_with_erasure(app, history):
    client = app.test_client()
    sign_in(client, history["account"])
    assert "Download your data" in client.get("/my-data").get_data(as_text=True)
    mine = client.get("/my-data.json")
    assert mine.status_code == 200 and mine.get_json()["profile"]["email"] == EMAIL
    privacy.erase_person(history["zebedee"])
    with app.app_context():  # a fresh `g`, as the next real request would have
        assert "/sign-in" in client.get("/my-data").headers["Location"]


def test_cli_exports_and_erases(app, history):
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["cop", "export-person", EMAIL.upper()])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["profile"]["name"] == NAME
    erased = runner.invoke(args=["cop", "erase-person", EMAIL, "--yes"])
    assert erased.exit_code == 0 and "erased " in erased.output and "profile=1" in erased.output
    db.session.expire_all()
    missing = runner.invoke(args=["cop", "erase-person", EMAIL, "--yes"])
    assert missing.exit_code != 0 and "nobody in cop" in missing.output


def test_an_organiser_may_not_handle_someone_who_is_also_in_a_community_they_do_not_organise(app, history):
    zebedee = history["zebedee"]
    elsewhere = factories.community(slug="elsewhere")
    factories.member(elsewhere, someone=zebedee)
    organiser = factories.member(history["group"], "organiser")
    admin = factories.account(factories.person(), is_admin=True)
    client = app.test_client()
    sign_in(client, factories.account(organiser))
    # What big-room holds, only: nothing from the other community, nothing of his account.
    ours = client.get(f"/communities/big-room/people/{zebedee.id}/data.json").get_json()
    assert [m["community_slug"] for m in ours["memberships"]] == ["big-room"] and ours["account"] is None
    assert client.post(f"/communities/big-room/people/{zebedee.id}/erase", data={"understood": "y"}).status_code == 403
    db.session.expire_all()
    assert zebedee.name == NAME
    with app.app_context():
        sign_in(client, admin)
        assert client.get(f"/communities/big-room/people/{zebedee.id}/data.json").status_code == 200


def test_the_demo_loads_again_after_its_organiser_is_erased_without_bringing_them_back(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["cop", "demo"]).exit_code == 0
    organiser = privacy.find_person("rachel.okoye@mse-icb.nhs.example")
    erased = runner.invoke(args=["cop", "erase-person", organiser.email, "--yes"])
    assert erased.exit_code == 0, erased.output
    people = db.session.scalar(select(func.count(Person.id)))

    again = runner.invoke(args=["cop", "demo"])

    assert again.exit_code == 0, again.output
    assert ("organiser: rachel.okoye@mse-icb.nhs.example is no longer in the database (erased?), so has no "
            "sign-in; load the demo into a fresh database to have it again") in again.output
    assert "facilitator: tom.ashby@essex-acute.nhs.example demo-facilitator-2026" in again.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Person.id))) == people  # nobody recreated
    assert privacy.find_person("rachel.okoye@mse-icb.nhs.example") is None
    assert organiser.name == "Erased person"
    # No new calendar address for the erased organiser, and no mail or calendar names them as organiser.
    assert "erased.invalid" not in again.output
    assert db.session.scalar(select(func.count()).select_from(CalendarToken).where(
        CalendarToken.person_id == organiser.id, CalendarToken.revoked_at.is_(None))) == 0
    assert runner.invoke(args=["cop", "demo"]).output == again.output  # and it stays idempotent
