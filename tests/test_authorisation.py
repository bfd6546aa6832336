"""Every route on the app, visited as each kind of visitor, answers as expected.

The table below must name every route the app registers: a new route without a row
fails test_every_route_has_an_expectation, so nobody adds a view without deciding
who may use it.
"""
import pytest
import sqlalchemy as sa

from cop.extensions import db
from tests import factories
from tests.conftest import sign_in

VISITORS = ("anonymous", "member", "facilitator", "other_organiser", "organiser", "admin")

# endpoint: (method, expected status per visitor, in VISITORS order)
SIGN_IN = "302 to sign in"  # anonymous visitors are sent to the sign-in page
EXPECTED = {
    "static": ("GET", (200, 200, 200, 200, 200, 200)),
    "nhsuk_asset": ("GET", (200, 200, 200, 200, 200, 200)),
    "site.home": ("GET", (200, 302, 302, 302, 302, 302)),
    "site.health": ("GET", (200, 200, 200, 200, 200, 200)),
    "accounts.sign_in": ("GET", (200, 200, 200, 200, 200, 200)),
    "accounts.request_sign_in_link": ("GET", (200, 200, 200, 200, 200, 200)),
    "accounts.use_sign_in_link": ("GET", (404, 404, 404, 404, 404, 404)),  # an unknown token
    "accounts.sign_out": ("POST", (302, 302, 302, 302, 302, 302)),
    "accounts.sign_out_everywhere": ("POST", (SIGN_IN, 302, 302, 302, 302, 302)),
    "accounts.change_password": ("GET", (SIGN_IN, 200, 200, 200, 200, 200)),
    "accounts.account": ("GET", (SIGN_IN, 200, 200, 200, 200, 200)),  # one's own name and address
    "accounts.change_email": ("POST", (SIGN_IN, 400, 400, 400, 400, 400)),  # an empty form
    "accounts.confirm_email_change": ("GET", (404, 404, 404, 404, 404, 404)),  # an unknown token
    "communities.index": ("GET", (SIGN_IN, 200, 200, 200, 200, 200)),
    "communities.new": ("GET", (SIGN_IN, 403, 403, 403, 403, 200)),
    "communities.show": ("GET", (SIGN_IN, 200, 200, 403, 200, 200)),
    "communities.edit": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "people.index": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "people.new": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "people.edit": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "people.remove": ("POST", (SIGN_IN, 403, 403, 403, 302, 302)),
    "people.import_guest_list": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "people.confirm_import": ("POST", (SIGN_IN, 403, 403, 403, 400, 400)),
    "people.export_guest_list": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "personal_data.person_export": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "personal_data.erase": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),  # the confirmation page; POST erases
    "personal_data.my_data": ("GET", (SIGN_IN, 200, 200, 200, 200, 200)),
    "personal_data.my_data_export": ("GET", (SIGN_IN, 200, 200, 200, 200, 200)),
    # The dev mailbox exists only with MAIL_BACKEND=mailbox (see test_dev_mailbox_is_gone_in_production).
    "events.index": ("GET", (SIGN_IN, 200, 200, 403, 200, 200)),
    "events.new": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "events.show": ("GET", (SIGN_IN, 200, 200, 403, 200, 200)),
    "events.edit": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "events.cancel": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),  # the confirmation page; POST cancels
    "events.publish": ("POST", (SIGN_IN, 403, 403, 403, 302, 302)),
    "events.new_series": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "events.series": ("GET", (SIGN_IN, 200, 200, 403, 200, 200)),
    "events.edit_series": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "events.venues": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "events.new_venue": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "events.edit_venue": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "door.check_in": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "door.check_in_person": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "door.record_check_in": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),
    "door.walk_in": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "door.undo_check_in": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),  # issue 17: a wrong tap undone
    "door.mark_no_show": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),
    "mail.mailbox": ("GET", (200, 200, 200, 200, 200, 200)),
    "mail.message": ("GET", (200, 200, 200, 200, 200, 200)),
    "invitations.rsvp": ("GET", (404, 404, 404, 404, 404, 404)),  # an unknown token; no account needed
    "invitations.invite": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    # Only members with an invite quota (the world's member has one).
    "invitations.invite_my_network": ("GET", (SIGN_IN, 200, 403, 403, 403, 403)),
    "invitations.guests": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "invitations.needs_csv": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "invitations.revoke": ("POST", (SIGN_IN, 403, 403, 403, 302, 302)),
    "invitations.resend": ("POST", (SIGN_IN, 403, 403, 403, 302, 302)),
    "outbox.page": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "outbox.resend": ("POST", (SIGN_IN, 403, 403, 403, 302, 302)),
    # A published public event's .ics and the community's feed are for anyone (drafts and private
    # events: see test_calendars_feeds.py); the personal feed needs its token (an unknown one: 404).
    "calendars.event_ics": ("GET", (200, 200, 200, 200, 200, 200)),
    "calendars.community_feed": ("GET", (200, 200, 200, 200, 200, 200)),
    "calendars.personal_feed": ("GET", (404, 404, 404, 404, 404, 404)),
    "calendars.invitation_ics": ("GET", (404, 404, 404, 404, 404, 404)),  # an unknown invitation link
    "calendars.my_calendar": ("GET", (SIGN_IN, 200, 200, 200, 200, 200)),
    "calendars.reset": ("POST", (SIGN_IN, 302, 302, 302, 302, 302)),
    # Seating is for the community's organisers and facilitators. The world's event has a plan (version 1).
    "seating.plan": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "seating.move": ("POST", (SIGN_IN, 403, 400, 403, 400, 400)),  # an empty form
    "seating.regenerate": ("POST", (SIGN_IN, 403, 400, 403, 400, 400)),  # an empty form
    "seating.lock": ("POST", (SIGN_IN, 403, 400, 403, 400, 400)),  # an empty form
    "seating.reseat": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),  # nobody checked in: told so
    "seating.make_current": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),
    "seating.print_view": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    # POSTs: a download marks the plan printed, and no GET changes anything (issue 15).
    "seating.pack_pdf": ("POST", (SIGN_IN, 403, 303, 403, 303, 303)),  # to the job making it (issue 19)
    "seating.part_pdf": ("POST", (SIGN_IN, 403, 200, 403, 200, 200)),
    # Reports are for the community's organisers and facilitators.
    "reports.community_report": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "reports.community_report_csv": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "reports.community_report_csv_job": ("POST", (SIGN_IN, 403, 303, 403, 303, 303)),  # to the job writing it
    "reports.event_report": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "reports.event_report_csv": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    # Sets for organisers and facilitators (the world has formation 1); exchange pairs for organisers.
    "sets.index": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "sets.show": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "sets.move": ("POST", (SIGN_IN, 403, 400, 403, 400, 400)),  # an empty form
    "sets.create": ("POST", (SIGN_IN, 403, 400, 403, 400, 400)),  # an empty form
    "exchange.pairs": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    # feedback (issue 7): the form is the organisers'; results for organisers and facilitators; answering
    # needs a personal link (an unknown one: 404), no account.
    "feedback.answer": ("GET", (404, 404, 404, 404, 404, 404)),
    "feedback.edit_form": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "feedback.new_question": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "feedback.edit_question": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "feedback.move_question": ("POST", (SIGN_IN, 403, 403, 403, 302, 302)),
    "feedback.remove_question": ("POST", (SIGN_IN, 403, 403, 403, 302, 302)),
    "feedback.results": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "feedback.results_csv": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    # open registration (issue 23): a published public event's page is for anyone, no account; the
    # confirmation needs the mailed link (an unknown one: 404); shared links and posters are the organisers'.
    "registration.register": ("GET", (200, 200, 200, 200, 200, 200)),
    "registration.check_email": ("GET", (200, 200, 200, 200, 200, 200)),
    "registration.confirm": ("GET", (404, 404, 404, 404, 404, 404)),
    "registration.share": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "registration.poster": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "registration.approval_setting": ("POST", (SIGN_IN, 403, 403, 403, 302, 302)),
    "registration.approvals": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    # The community's public page with "Join this network"; requests to join are the organisers'.
    "registration.join": ("GET", (200, 200, 200, 200, 200, 200)),
    "registration.join_check_email": ("GET", (200, 200, 200, 200, 200, 200)),
    "registration.join_requests": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    # challenges (issue 21): the world's challenge is for members (signed in), open, tied to the event. Anyone
    # in the community who may take part gives ideas, comments and support; staff run the pipeline and read the
    # report; organisers post, edit, rename stages and manage personal links. A personal link needs its token.
    "challenges.index": ("GET", (SIGN_IN, 200, 200, 403, 200, 200)),
    "challenges.new": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "challenges.stages": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "challenges.show": ("GET", (SIGN_IN, 200, 200, 403, 200, 200)),
    "challenges.edit": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "challenges.new_idea": ("GET", (SIGN_IN, 200, 200, 403, 200, 200)),
    "challenges.idea": ("GET", (SIGN_IN, 200, 200, 403, 200, 200)),
    "challenges.comment": ("POST", (SIGN_IN, 400, 400, 403, 400, 400)),  # an empty form
    "challenges.support": ("POST", (SIGN_IN, 302, 302, 403, 302, 302)),
    "challenges.move": ("POST", (SIGN_IN, 403, 400, 403, 400, 400)),  # an empty form
    "challenges.merge": ("POST", (SIGN_IN, 403, 400, 403, 400, 400)),  # an empty form
    "challenges.hide_idea": ("POST", (SIGN_IN, 403, 400, 403, 400, 400)),  # an empty form
    "challenges.show_idea": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),  # the reason is optional
    "challenges.hide_comment": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),  # no reason: told so, nothing hidden
    "challenges.moderation": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "challenges.report": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "challenges.ideas_csv": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "challenges.seating": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "challenges.links": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "challenges.revoke_links": ("POST", (SIGN_IN, 403, 403, 403, 302, 302)),
    "challenges.take_part": ("GET", (404, 404, 404, 404, 404, 404)),  # an unknown token
    "challenges.my_ideas": ("GET", (SIGN_IN, 200, 200, 200, 200, 200)),
    # date polls (issue 22): the community's organisers and facilitators propose and choose; a person answers
    # from their own link (an unknown one: 404), no account needed. The world has poll 1 with one person asked.
    "polls.index": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "polls.new": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "polls.show": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "polls.finalise": ("POST", (SIGN_IN, 403, 400, 403, 400, 400)),  # an empty form
    "polls.resend": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),
    "polls.revoke": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),
    "polls.answer": ("GET", (404, 404, 404, 404, 404, 404)),
    # materials (issue 22): a published public event's materials page is anyone's, each material shown only to
    # whom it may be (the world's is for those who came: the organiser and facilitator see every one); adding,
    # removing and the mail are the community's organisers' and facilitators'.
    "materials.index": ("GET", (200, 200, 200, 200, 200, 200)),
    "materials.download": ("GET", (404, 404, 200, 404, 200, 200)),
    "materials.add": ("POST", (SIGN_IN, 403, 400, 403, 400, 400)),  # an empty form
    "materials.remove": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),
    "materials.notify": ("POST", (SIGN_IN, 403, 302, 403, 302, 302)),
    # the year of themes (issue 22): the year and its PDF are anyone's (published public events only); planning
    # is the organisers'.
    "programme.year_page": ("GET", (200, 200, 200, 200, 200, 200)),
    "programme.year_pdf": ("GET", (200, 200, 200, 200, 200, 200)),
    "programme.year_svg": ("GET", (200, 200, 200, 200, 200, 200)),  # the picture of the year, to download
    "programme.plan": ("GET", (SIGN_IN, 403, 403, 403, 200, 200)),
    "programme.event_theme": ("POST", (SIGN_IN, 403, 403, 403, 400, 400)),  # an empty form
    "programme.place_theme": ("POST", (SIGN_IN, 403, 403, 403, 400, 400)),  # an empty form (drag or select)
    # Jobs (issue 19): seen by whoever started one and by its community's organisers and facilitators.
    "jobs.index": ("GET", (SIGN_IN, 403, 200, 403, 200, 200)),
    "jobs.show": ("GET", (SIGN_IN, 404, 200, 404, 200, 200)),
    "jobs.cancel": ("POST", (SIGN_IN, 404, 302, 404, 302, 302)),
    "jobs.download": ("POST", (SIGN_IN, 404, 404, 404, 404, 404)),  # not done yet: nothing to download
    # Members' theme suggestions: the community's people read, suggest and vote (the world's suggestion is the
    # facilitator's: their own vote is refused with a message, a redirect too); organisers open, close, adopt.
    "programme.suggestions_page": ("GET", (SIGN_IN, 200, 200, 403, 200, 200)),
    "programme.vote": ("POST", (SIGN_IN, 302, 302, 403, 302, 302)),
    "programme.open_suggestions": ("POST", (SIGN_IN, 403, 403, 403, 302, 302)),
    "programme.adopt": ("POST", (SIGN_IN, 403, 403, 403, 400, 400)),  # an empty form (no month chosen)
}


@pytest.fixture
def world(app):
    """One community with a person of each role, another community with its organiser, an admin."""
    group = factories.community(slug="big-room")
    other = factories.community(slug="elsewhere")
    people = {
        "member": factories.member(group, "member"),
        "facilitator": factories.member(group, "facilitator"),
        "organiser": factories.member(group, "organiser"),
        "other_organiser": factories.member(other, "organiser"),
        "admin": factories.person(),
    }
    removable = factories.member(group, "member")
    from cop.communities.models import Membership
    from cop.mail.outbox import queue_mail

    db.session.flush()
    db.session.execute(
        sa.update(Membership).where(Membership.person_id == people["member"].id).values(invite_quota=3)
    )
    message = queue_mail("someone@example.org", "Hello", "Hello there", community_id=group.id)
    venue = factories.venue(group)
    series = factories.series(group, venue=venue)
    event = series.events[0]
    # The removable member has a confirmed place, so the door pages have someone to check in.
    invitation = factories.invitation(event, removable, answer="yes", place="confirmed")
    from cop.seating import plans as seating

    db.session.flush()
    seating.generate(event, seating.SeatingChoices(tables=[4], rounds=1), None, seating.Budget(iterations=100))
    from cop.seating.models import SetFormation

    db.session.add(SetFormation(community_id=group.id, title="Cohort", sets=[[removable.id]]))
    from cop.feedback.surveys import ensure_survey  # feedback (issue 7)

    question = ensure_survey(event).questions[0]
    from tests.challenge_helpers import open_challenge  # challenges (issue 21)

    challenge, idea, comment = open_challenge(group, people["member"], event=event)
    from datetime import date, time  # date polls (issue 22)

    from cop.polls import polling

    poll = polling.open_poll(group, "Dates", [polling.ProposedDate(date(2027, 2, 3), time(9, 30), time(12))],
                             [removable], None)
    from cop.materials import sharing  # materials (issue 22)

    material = sharing.add_file(event, "Slides", "slides.pdf", b"%PDF-1.4\n%%EOF\n", "attendees", None)
    from cop.jobs.models import Job

    job = Job(kind="print_pack", title="Print pack", params={}, community_id=group.id, state="queued",
              active_key="world", started_by_id=people["organiser"].id)
    db.session.add(job)
    from cop.programme import suggestions  # members' theme suggestions (issue 22)

    suggestions.set_open(group, True)
    suggestion = suggestions.suggest(group, people["facilitator"], "Eiddilwch", "Cyn y drws ffrynt")
    db.session.commit()
    accounts = {role: factories.account(p, is_admin=(role == "admin")) for role, p in people.items()}
    return {
        "accounts": accounts,
        "url_values": {
            "slug": group.slug, "person_id": removable.id, "token": "not-a-real-token",
            "filename": "app.css", "message_id": message.id,
            "event_id": event.id, "series_id": series.id, "venue_id": venue.id, "invitation_id": invitation.id,
            "version": 1, "part": "find-your-table", "formation_id": 1, "question_id": question.id,
            "challenge_id": challenge.id, "idea_id": idea.id, "comment_id": comment.id,
            "poll_id": poll.id, "participant_id": poll.participants[0].id, "material_id": material.id,
            "job_id": job.id,
            "suggestion_id": suggestion.id,
        },
    }


def _url_for(app, rule, values):
    from flask import url_for

    with app.test_request_context():
        if rule.endpoint == "nhsuk_asset":
            return url_for(rule.endpoint, filename="nhsuk-frontend.min.css")
        return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(EXPECTED) == set(), "add these routes to EXPECTED"
    assert set(EXPECTED) - endpoints == set(), "these routes no longer exist"


@pytest.mark.parametrize("visitor", VISITORS)
def test_each_route_answers_each_visitor_as_expected(app, world, visitor):
    client = app.test_client()
    if visitor != "anonymous":
        sign_in(client, world["accounts"][visitor])
    wrong = []
    # Removing the person and then signing out go last, so the other routes still have them.
    last = ("people.remove", "accounts.sign_out", "accounts.sign_out_everywhere")
    rules = sorted(app.url_map.iter_rules(),
                   key=lambda r: (last.index(r.endpoint) if r.endpoint in last else -1, r.endpoint))
    for rule in rules:
        method, statuses = EXPECTED[rule.endpoint]
        url = _url_for(app, rule, world["url_values"])
        response = client.open(url, method=method)
        expected = statuses[VISITORS.index(visitor)]
        if expected == SIGN_IN:
            answered = "302 to sign in" if "/sign-in" in response.headers.get("Location", "") else response.status_code
        else:
            answered = response.status_code
        if answered != expected:
            wrong.append(f"{method} {url}: {answered}, expected {expected}")
    assert wrong == []


def test_an_unknown_community_is_not_found_not_forbidden(app, world):
    client = app.test_client()
    sign_in(client, world["accounts"]["member"])
    assert client.get("/communities/no-such-place").status_code == 404
    assert client.get("/communities/no-such-place/people").status_code == 404


def test_a_person_of_another_community_is_not_found(app, world):
    outsider = factories.member(factories.community())
    db.session.commit()
    client = app.test_client()
    sign_in(client, world["accounts"]["organiser"])
    assert client.get(f"/communities/big-room/people/{outsider.id}/edit").status_code == 404


def test_dev_mailbox_is_gone_in_production(app_factory):
    client = app_factory(MAIL_BACKEND="smtp").test_client()
    assert client.get("/dev/mailbox/").status_code == 404


# What anyone may open by design, whoever they are: a published public event's calendar file, and the
# development mailbox (which exists only when development is chosen: see test_dev_mailbox_is_gone_in_production).
# Open registration's public page and its "check your email" page are also anyone's (issue 23).
PUBLIC_OBJECTS = {"calendars.event_ics", "mail.message", "registration.register", "registration.check_email",
                  "materials.index"}  # a published public event's materials page: each material shown to whom it may be
OBJECT_ARGUMENTS = {"person_id", "event_id", "series_id", "venue_id", "invitation_id", "message_id",
                    "formation_id", "question_id", "version", "challenge_id", "idea_id", "comment_id", "poll_id",
                    "participant_id", "material_id", "suggestion_id", "job_id"}


def test_another_community_s_organiser_reaches_no_object_of_this_one(app, world):
    """Every route naming an object, given big-room's objects and (where the URL names a community) the
    visitor's own community: the other community's organiser is refused each one, for reading and changing."""
    client = app.test_client()
    sign_in(client, world["accounts"]["other_organiser"])
    values = {**world["url_values"], "slug": "elsewhere"}
    reached = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if not rule.arguments & OBJECT_ARGUMENTS or rule.endpoint in PUBLIC_OBJECTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url_for(app, rule, values), method=method)
            if response.status_code not in (403, 404):
                reached.append(f"{method} {rule.rule}: {response.status_code}")
    assert reached == []
