"""Bad input that is not random: formula cells in every CSV export, oversized bodies on every
POST, NUL characters, and a guest list saved as UTF-16."""
import csv
import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import url_for
from sqlalchemy import func, select

from cop.communities.models import Community
from cop.csv_safety import FORMULA_STARTS
from cop.events.models import Event
from cop.extensions import db
from cop.mail.models import OutboxMessage
from cop.mail.outbox import deliver_due, queue_mail
from cop.people.models import Person
from tests import factories
from tests.conftest import sign_in
from tests.routes import post_urls
from tests.smtp import smtp_server  # noqa: F401  (the fixture)
from tests.test_authorisation import world  # noqa: F401  (the fixture)

FORMULAS = {"name": "=cmd|' /C calc'!A0", "role_title": "+SUM(A1:A9)", "interests": "-2+3+cmd|' /C calc'!A0",
            "dietary_needs": "@SUM(1+1)*cmd|' /C calc'!A0", "access_needs": "\t=1+1"}


def _csv_routes(app, world, client):  # noqa: F811
    """Every GET route the admin can reach whose answer is a CSV file, with its rows."""
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "nhsuk_asset") or "token" in rule.arguments:
            continue
        values = world["url_values"]
        if not set(rule.arguments) <= set(values):
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/csv":
            found[rule.endpoint] = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    return found


def test_every_csv_export_neutralises_formula_cells(app, world):  # noqa: F811
    group = db.session.scalar(select(Community).where(Community.slug == "big-room"))
    event = db.session.get(Event, world["url_values"]["event_id"])
    org = factories.organisation(name="=HYPERLINK(\"http://evil.example\")", place="-Thurrock")
    someone = factories.member(group, someone=factories.person(org=org, **FORMULAS))
    factories.invitation(event, someone, answer="yes", place="confirmed").dietary_needs = FORMULAS["dietary_needs"]
    db.session.commit()
    client = app.test_client()
    sign_in(client, world["accounts"]["admin"])

    exports = _csv_routes(app, world, client)
    person_lists = {"people.export_guest_list", "invitations.needs_csv"}
    assert person_lists <= set(exports)
    for endpoint, rows in exports.items():
        cells = [cell for row in rows for cell in row]
        if endpoint in person_lists:
            assert any(FORMULAS["name"] in cell for cell in cells), f"{endpoint} does not list the person"
        dangerous = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
        assert dangerous == [], f"{endpoint} has formula cells: {dangerous}"


def test_every_post_refuses_a_body_over_the_limit(app_factory):
    # With CSRF on, as in production, every POST reads its form, so every one meets the limit.
    app = app_factory(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=4096)
    with app.app_context():
        group = factories.community(slug="big-room")
        organiser = factories.member(group, "organiser")
        db.session.commit()
        client = app.test_client()
        sign_in(client, factories.account(organiser, is_admin=True))
        refused = []
        for url in post_urls(app, organiser.id):
            big = io.BytesIO(b"name,email\n" + b"x" * 8000)
            response = client.post(url, data={"guest_list": (big, "big.csv"), "note": "y"},
                                   content_type="multipart/form-data")
            assert response.status_code == 413, f"POST {url}: {response.status_code}"
            refused.append(url)
        assert len(refused) >= 20


def test_a_nul_character_is_refused_plainly_and_nothing_is_written(client, app):
    admin = factories.account(factories.person(), is_admin=True)
    sign_in(client, admin)
    response = client.post("/communities/new", data={"name": "Big\x00Room", "slug": "big-room"})
    assert response.status_code == 400
    assert "cannot be stored (NUL)" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Community.id))) == 0


def test_a_guest_list_saved_as_utf16_imports(client, app):
    group = factories.community(slug="big-room")
    sign_in(client, factories.account(factories.member(group, "organiser")))
    text = "name,email,organisation,sector\nZoë Ødegård,zoe@example.org,Basildon Hospital,acute\n"
    upload = io.BytesIO(text.encode("utf-16"))  # Excel's "Unicode text": a BOM, then two bytes a character
    preview = client.post("/communities/big-room/people/import", data={"guest_list": (upload, "guests.csv")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert client.post("/communities/big-room/people/import/confirm", data={"csv_text": text}).status_code == 302
    assert db.session.scalar(select(Person.name).where(Person.email == "zoe@example.org")) == "Zoë Ødegård"


HUGE = "99999999999999999999"


def test_huge_numbers_in_the_query_or_the_path_never_give_a_500(app, world):  # noqa: F811
    """?page=99999999999999999999 (and any id past the database's integers) is clamped or not found."""
    client = app.test_client()
    sign_in(client, world["accounts"]["admin"])
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "nhsuk_asset"):
            continue
        values = world["url_values"]
        if not set(rule.arguments) <= set(values):
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
            huge_ids = url_for(rule.endpoint, **{name: HUGE if isinstance(values[name], int) else values[name]
                                                 for name in rule.arguments})
        for target in (f"{url}?page={HUGE}&version={HUGE}", f"{url}?page=-{HUGE}", huge_ids):
            response = client.get(target)
            assert response.status_code < 500, f"GET {target}: {response.status_code}"
            checked += 1
    assert checked > 60


INJECTED_TITLE = "Big Room\r\nBcc: everyone@evil.example\r\nX-Injected: yes"


def test_a_title_with_a_line_break_is_refused_by_the_form_and_the_model(client, app):
    group = factories.community(slug="big-room")
    hall = factories.venue(group, name="Civic Centre", capacity=150)
    sign_in(client, factories.account(factories.member(group, "organiser")))
    db.session.commit()
    form = {"format": "big_room", "title": INJECTED_TITLE, "day": "2026-12-08", "starts": "18:00", "ends": "21:00",
            "attendance_mode": "in_person", "venue": str(hall.id)}
    response = client.post("/communities/big-room/events/new", data=form)
    assert response.status_code == 400 and "must be on one line" in response.text
    assert db.session.scalar(select(func.count(Event.id))) == 0
    # A path that forgot to check (a command, a new form) cannot store it either.
    db.session.add(Event(community=group, format="big_room", title=INJECTED_TITLE, starts_at=datetime(2026, 12, 8, 18),
                         ends_at=datetime(2026, 12, 8, 21)))
    with pytest.raises(ValueError, match="Event.title must be on one line"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("name", ["Ann\u202eliamE", "Ann\u2066Bob\u2069", "Ann\tBob", "Ann\u2028Bob", "Ann\x1bBob"])
def test_names_refuse_control_and_text_direction_characters(client, app, name):
    group = factories.community(slug="big-room")
    sign_in(client, factories.account(factories.member(group, "organiser")))
    db.session.commit()
    response = client.post("/communities/big-room/people/new", data={"name": name, "email": "ann@example.org"})
    assert response.status_code == 400 and "Name must" in response.text
    assert db.session.scalar(select(func.count(Person.id)).where(Person.email == "ann@example.org")) == 0
    upload = io.BytesIO(f'name,email\n"{name}",ann@example.org\n'.encode())
    preview = client.post("/communities/big-room/people/import", data={"guest_list": (upload, "guests.csv")},
                          content_type="multipart/form-data")
    assert "Name must" in preview.text
    assert client.post("/communities/big-room/people/import/confirm",
                       data={"csv_text": f'name,email\n"{name}",ann@example.org\n'}).status_code == 400
    assert db.session.scalar(select(func.count(Person.id)).where(Person.email == "ann@example.org")) == 0


def test_no_field_can_add_a_mail_header(app_factory, smtp_server):  # noqa: F811
    """Mail queued before the forms refused line breaks (or by a path that forgot) still cannot add headers."""
    app = app_factory(**smtp_server.settings())
    with app.app_context():
        message = queue_mail("guest@example.org", "placeholder", "Hello")
        db.session.commit()
        # Written past the ORM's check, as an old row would be.
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message.id).values(
            subject=INJECTED_TITLE, reply_to="Olga <olga@example.org>\r\nBcc: spy@evil.example"))
        db.session.commit()
        assert deliver_due().sent == 1
    [received] = smtp_server.handler.messages()
    assert received["Bcc"] is None and received["X-Injected"] is None
    assert received["Subject"] == "Big Room Bcc: everyone@evil.example X-Injected: yes"
    assert received["To"] == "guest@example.org" and str(received["Reply-To"]).startswith("Olga <olga@example.org>")


def _import(client, text: str):
    upload = io.BytesIO(text.encode())
    preview = client.post("/communities/big-room/people/import", data={"guest_list": (upload, "guests.csv")},
                          content_type="multipart/form-data")
    return preview, client.post("/communities/big-room/people/import/confirm", data={"csv_text": text})


def test_import_lengths_match_the_columns(client, app):
    """On PostgreSQL a 300-character name or job title passed the preview, then the confirm gave 500."""
    group = factories.community(slug="big-room")
    sign_in(client, factories.account(factories.member(group, "organiser")))
    db.session.commit()
    header = "name,email,organisation,sector,place,role_title,interests\n"
    longest = {"name": "N" * 200, "organisation": "O" * 200, "place": "P" * 120, "role_title": "J" * 200,
               "interests": "I" * 2000}
    too_long = {"name": "N" * 300, "organisation": "O" * 201, "place": "P" * 121, "role_title": "J" * 300,
                "interests": "I" * 2001}
    row = "{name},long@example.org,{organisation},acute,{place},{role_title},{interests}\n"
    preview, confirm = _import(client, header + row.format(**too_long))
    assert preview.status_code < 500 and confirm.status_code == 400
    for message in ("Name must be 200 characters or fewer", "Organisation must be 200 characters or fewer",
                    "Place must be 120 characters or fewer", "Job title must be 200 characters or fewer",
                    "Interests must be 2,000 characters or fewer"):
        assert message in preview.text
    assert db.session.scalar(select(func.count(Person.id)).where(Person.email == "long@example.org")) == 0
    preview, confirm = _import(client, header + row.format(**longest))
    assert preview.status_code == 200 and confirm.status_code == 302
    assert db.session.scalar(select(Person.name).where(Person.email == "long@example.org")) == "N" * 200


def test_the_person_form_refuses_a_job_title_longer_than_its_column(client, app):
    group = factories.community(slug="big-room")
    sign_in(client, factories.account(factories.member(group, "organiser")))
    db.session.commit()
    response = client.post("/communities/big-room/people/new",
                           data={"name": "Ann", "email": "ann@example.org", "role_title": "J" * 300})
    assert response.status_code == 400 and "Job title must be 200 characters or fewer" in response.text


@pytest.mark.parametrize("layout", ["1000000000000 x 10", "20000000 x 10", "20000000 tables of 10",
                                    "199 x 10, 20000000 x 10", ",".join(["10"] * 100_000)])
def test_a_typed_table_layout_is_bounded_before_anything_is_built(client, app, layout):
    """"1000000000000 x 10" gave a MemoryError (500); "20000000 x 10" built a 160 MB list before refusing."""
    import tracemalloc

    group = factories.community(slug="big-room")
    organiser = factories.member(group, "organiser")
    hall = factories.venue(group, name="Civic Centre", capacity=150)
    event = factories.event(group)
    db.session.commit()
    sign_in(client, factories.account(organiser))
    seating_form = {"source": "confirmed", "tables": layout, "rounds": "1", "mix_1": "organisation"}
    tracemalloc.start()
    try:
        seating = client.post(f"/events/{event.id}/seating", data=seating_form)
        venue = client.post(f"/communities/big-room/venues/{hall.id}/edit",
                            data={"name": "Civic Centre", "tables": layout})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seating.status_code == 400 and venue.status_code == 400
    assert "tables" in seating.text and "tables" in venue.text
    assert peak < 30 * 1024 * 1024, f"{peak / 2**20:.0f} MB for one refused form"


@pytest.mark.parametrize("day", ["01/01/0001", "0001-01-01", "31/12/9999", "9999-12-31", "31/12/1999", "1/1/2100"])
def test_dates_out_of_range_are_refused_by_every_date_field(client, app, day):
    group = factories.community(slug="big-room")
    hall = factories.venue(group, name="Civic Centre", capacity=150)
    organiser = factories.member(group, "organiser")
    event = factories.event(group)
    db.session.commit()
    sign_in(client, factories.account(organiser))
    before = db.session.scalar(select(func.count(Event.id)))
    event_form = {"format": "big_room", "title": "Big Room", "day": day, "starts": "18:00", "ends": "21:00",
                  "attendance_mode": "in_person", "venue": str(hall.id)}
    series_form = {"format": "big_room", "title": "Monthly", "recurrence": "dates", "dates": f"8/12/2026\n{day}",
                   "starts": "18:00", "ends": "21:00", "attendance_mode": "in_person", "venue": str(hall.id)}
    for url, data in (("/communities/big-room/events/new", event_form),
                      ("/communities/big-room/events/new", {**event_form, "day": "8/12/2026", "rsvp_day": day,
                                                            "rsvp_time": "17:00"}),
                      (f"/events/{event.id}/edit", event_form),
                      ("/communities/big-room/series/new", series_form),
                      ("/communities/big-room/series/new", {**series_form, "recurrence": "monthly", "dates": "",
                                                            "starts_on": day, "count": "3", "week_of_month": "2",
                                                            "weekday": "1"}),
                      (f"/events/{event.id}/feedback/form",
                       {"privacy": "named", "closes_on": day, "reminder_days": "1"})):
        response = client.post(url, data=data)
        assert response.status_code == 400, f"POST {url} {data}: {response.status_code}"
        assert "Enter a date from 1/1/2000 to 31/12/2099" in response.text, url
    assert db.session.scalar(select(func.count(Event.id))) == before
    db.session.expire_all()
    assert db.session.get(Event, event.id).starts_at == datetime(2026, 12, 8, 18)


def test_one_event_with_a_date_out_of_range_never_takes_down_a_feed(client, app, caplog):
    """Stored before the forms refused it: the community feed and the personal feed skip it and log it."""
    from cop.calendars import feeds
    from tests.invitation_helpers import make_invitation

    group = factories.community(slug="big-room")
    someone = factories.member(group)
    good = factories.event(group, title="Good Big Room")
    bad = factories.event(group, title="Year one", starts_at=datetime(1, 1, 1, 0, 0))
    for event in (good, bad):
        make_invitation(event, someone, answer="yes", place="confirmed")
    db.session.commit()
    token = feeds.personal_feed_token(someone)
    db.session.commit()
    for url in ("/communities/big-room/calendar.ics", f"/calendar/{token}.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Good Big Room" in response.text and "Year one" not in response.text
    assert f"event {bad.id} skipped" in caplog.text


# GETs that write, and why that is safe.
GETS_THAT_WRITE = {
    "calendars.my_calendar": "makes the person's own feed address the first time it is shown (once; no other effect)",
}
# The reports keep each held event's figures once computed (issue 19): a cache of derived counts, no personal
# data, written by the first view after a change. A report GET may write these tables and nothing else.
REPORT_CACHE = ("report_event_figures", "report_event_link", "report_community", "report_network")


def test_no_get_changes_anything(app, world):  # noqa: F811
    """Every GET route the admin can reach, visited twice, writes no row: downloading a PDF once marked the
    plan printed, and opening the feedback form editor stored a form."""
    from cop.feedback.models import Survey
    from cop.seating.models import SeatingPlan
    from tests.test_fuzz_forms import row_counts

    group = db.session.scalar(select(Community).where(Community.slug == "big-room"))
    fresh = factories.event(group, title="No form yet")  # an event without a feedback form
    db.session.commit()
    client = app.test_client()
    sign_in(client, world["accounts"]["admin"])
    values = {**world["url_values"]}
    visited = 0
    for event_id in (values["event_id"], fresh.id):
        values["event_id"] = event_id
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or not set(rule.arguments) <= set(values):
                continue
            with app.test_request_context():
                url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
            if rule.endpoint in GETS_THAT_WRITE:
                continue
            besides = REPORT_CACHE if rule.endpoint.startswith("reports.") else ()
            before = row_counts(besides)
            plan_status = db.session.scalar(select(SeatingPlan.status).where(SeatingPlan.version == 1))
            response = client.get(url)
            assert response.status_code < 500, url
            assert row_counts(besides) == before, f"GET {url} wrote rows"
            assert db.session.scalar(select(SeatingPlan.status).where(SeatingPlan.version == 1)) == plan_status, url
            visited += 1
    assert visited > 80
    assert db.session.scalar(select(func.count(Survey.id)).where(Survey.event_id == fresh.id)) == 0
    # The PDF is a POST now, and it marks the plan printed.
    assert client.get(f"/events/{world['url_values']['event_id']}/seating.pdf").status_code == 405
    response = client.post(f"/events/{world['url_values']['event_id']}/seating.pdf")
    assert response.status_code == 303  # a job makes the pack; downloading it marks the plan printed
    from cop.jobs import queue

    assert queue.work_once(app)
    response = client.post(response.headers["Location"] + "/download")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert db.session.scalar(select(SeatingPlan.status).where(SeatingPlan.version == 1)) == "printed"
    # The feedback form is stored by its first POST.
    client.post(f"/events/{fresh.id}/feedback/form", data={"privacy": "named", "closes_on": "31/12/2026",
                                                           "reminder_days": "2"})
    assert db.session.scalar(select(func.count(Survey.id)).where(Survey.event_id == fresh.id)) == 1
