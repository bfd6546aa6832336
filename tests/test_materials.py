"""Materials after the event (issue 22): files and links, who sees each, checks on upload, the one mail."""
import io
import stat
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import select

from cop.events.models import Attendance
from cop.extensions import db
from cop.mail.models import OutboxMessage
from cop.materials import sharing
from cop.materials.models import Material
from tests import factories
from tests.conftest import sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


class _Visitor(FlaskClient):
    """Each request as this client's own visitor: the test's app context outlives requests (flask-login keeps
    the last visitor in g), and these tests switch between several."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def world(app, tmp_path):
    app.test_client_class = _Visitor
    app.config["MATERIALS_FOLDER"] = str(tmp_path / "materials")
    group = factories.community(slug="big-room", name="Rhwydwaith Gofal Caerdydd")
    organiser = factories.member(group, "organiser", factories.person(name="Gwenllian Prys"))
    came = factories.member(group, someone=factories.person(name="Zoë Øvergaard"))
    absent = factories.member(group, someone=factories.person(name="Nguyễn Thị Lan"))
    member = factories.member(group, someone=factories.person(name="محمد الأحمد"))
    event = factories.event(group, title="Big Room: eiddilwch a’r drws ffrynt")
    factories.invitation(event, came, answer="yes", place="confirmed")
    factories.invitation(event, absent, answer="no")
    db.session.flush()
    db.session.add(Attendance(event_id=event.id, person_id=came.id))
    db.session.commit()
    accounts = {name: factories.account(p) for name, p in
                (("organiser", organiser), ("came", came), ("member", member), ("absent", absent))}
    return {"group": group, "event": event, "accounts": accounts, "people": {
        "organiser": organiser, "came": came, "absent": absent, "member": member}}


def _client(app, world, who):
    client = app.test_client()
    if who:
        sign_in(client, world["accounts"][who])
    return client


def _upload(client, event, data=PDF, filename="sleidiau’r noson.pdf", **fields):
    return client.post(f"/events/{event.id}/materials/add", data={
        "title": "Sleidiau’r noson", "visibility": "attendees", "upload": (io.BytesIO(data), filename), **fields},
        content_type="multipart/form-data")


def test_an_organiser_uploads_slides_that_those_who_came_see_and_others_do_not(app, world):
    event = world["event"]
    assert _upload(_client(app, world, "organiser"), event).status_code == 302
    material = db.session.execute(select(Material)).scalar_one()
    assert material.uploaded_by.name == "Gwenllian Prys" and material.size == len(PDF)
    stored = Path(app.config["MATERIALS_FOLDER"]) / material.stored_name
    assert stored.read_bytes() == PDF and "sleid" not in material.stored_name  # kept under a random name
    came = _client(app, world, "came")
    assert "Sleidiau’r noson" in came.get(f"/events/{event.id}").text
    download = came.get(f"/events/{event.id}/materials/{material.id}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    member = _client(app, world, "member")
    assert "Sleidiau’r noson" not in member.get(f"/events/{event.id}/materials").text
    assert member.get(f"/events/{event.id}/materials/{material.id}").status_code == 404
    assert app.test_client().get(f"/events/{event.id}/materials/{material.id}").status_code == 404


def test_community_and_public_materials_reach_members_and_anyone(app, world):
    event = world["event"]
    organiser = _client(app, world, "organiser")
    organiser.post(f"/events/{event.id}/materials/add", data={
        "title": "Recording", "url": "https://video.example.org/r", "visibility": "community"})
    organiser.post(f"/events/{event.id}/materials/add", data={
        "title": "Reading list", "url": "https://example.org/reading", "visibility": "public"})
    member_page = _client(app, world, "member").get(f"/events/{event.id}/materials").text
    assert "Recording" in member_page and "Reading list" in member_page
    anyone = app.test_client().get(f"/events/{event.id}/materials")
    assert anyone.status_code == 200 and "Reading list" in anyone.text and "Recording" not in anyone.text
    public = db.session.execute(select(Material).where(Material.title == "Reading list")).scalar_one()
    assert app.test_client().get(f"/events/{event.id}/materials/{public.id}").headers["Location"] == \
        "https://example.org/reading"


@pytest.mark.parametrize("filename, data, message", [
    ("slides.pdf", b"MZ\x90\x00 not a pdf", "not a real .pdf file"),
    ("tool.exe", b"MZ\x90\x00", "share other kinds as a link"),
    ("notes.txt", b"\xff\xfe\x00bad", "not a real .txt file"),
    ("empty.pdf", b"", "empty"),
])
def test_files_not_what_they_say_or_of_other_kinds_are_refused(app, world, filename, data, message):
    response = _upload(_client(app, world, "organiser"), world["event"], data=data, filename=filename)
    assert response.status_code == 400 and message in response.text
    assert db.session.execute(select(Material)).first() is None


def test_a_link_must_be_a_web_address(app, world):
    response = _client(app, world, "organiser").post(f"/events/{world['event'].id}/materials/add", data={
        "title": "Bad", "url": "javascript:alert(1)", "visibility": "public"})
    assert response.status_code == 400 and "https://" in response.text


def test_uploads_above_the_site_limit_up_to_the_materials_limit_are_kept(app, world):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config["MATERIALS_MAX_BYTES"] = 512 * 1024
    big = PDF + b"0" * (200 * 1024)
    assert _upload(_client(app, world, "organiser"), world["event"], data=big).status_code == 302
    too_big = PDF + b"0" * (600 * 1024)
    assert _upload(_client(app, world, "organiser"), world["event"], data=too_big).status_code == 413


def test_the_scan_command_refuses_an_infected_file(app, world, tmp_path):
    script = tmp_path / "scan.sh"
    script.write_text('#!/bin/sh\ngrep -q EICAR "$1" && exit 1\nexit 0\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    app.config["MATERIALS_SCAN_COMMAND"] = f"{script}"
    client = _client(app, world, "organiser")
    refused = _upload(client, world["event"], data=PDF + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE")
    assert refused.status_code == 400 and "did not pass the virus check" in refused.text
    assert _upload(client, world["event"]).status_code == 302
    app.config["MATERIALS_SCAN_COMMAND"] = f"{tmp_path / 'no-such-scanner'} --file {{path}}"
    assert "could not be checked" in _upload(client, world["event"]).text


def test_one_mail_tells_those_who_came_and_those_who_did_not(app, world):
    event = world["event"]
    organiser = _client(app, world, "organiser")
    organiser.post(f"/events/{event.id}/materials/notify")
    assert db.session.execute(select(OutboxMessage)).first() is None  # nothing up yet: told so, no mail
    _upload(organiser, event)
    organiser.post(f"/events/{event.id}/materials/notify")
    organiser.post(f"/events/{event.id}/materials/notify")  # a second press sends nothing more
    mails = db.session.execute(select(OutboxMessage)).scalars().all()
    assert sorted(m.recipient for m in mails) == sorted([world["people"]["came"].email,
                                                          world["people"]["absent"].email])
    assert f"http://cop.test/events/{event.id}/materials" in mails[0].text_body


def test_the_event_s_calendar_links_to_its_materials(app, world):
    event = world["event"]
    text = app.test_client().get(f"/events/{event.id}.ics").get_data(as_text=True).replace("\r\n ", "")
    assert f"Materials: http://cop.test/events/{event.id}/materials" in text.replace("\\n", "\n")


def test_removing_a_material_deletes_its_file(app, world):
    _upload(_client(app, world, "organiser"), world["event"])
    material = db.session.execute(select(Material)).scalar_one()
    stored = Path(app.config["MATERIALS_FOLDER"]) / material.stored_name
    assert _client(app, world, "organiser").post(
        f"/events/{world['event'].id}/materials/{material.id}/remove").status_code == 302
    assert not stored.exists() and db.session.execute(select(Material)).first() is None


def test_the_uploader_is_exported_and_forgotten_on_erasure(app, world):
    from cop.privacy import erase_person, export_person

    _upload(_client(app, world, "organiser"), world["event"])
    organiser = world["people"]["organiser"]
    assert export_person(organiser)["materials"][0]["title"] == "Sleidiau’r noson"
    erase_person(organiser)
    material = db.session.execute(select(Material)).scalar_one()
    assert material.uploaded_by_id is None and material.title == "Sleidiau’r noson"
    assert sharing.materials_of(world["event"]) == [material]


def test_another_community_s_organiser_cannot_add_or_remove(app, world):
    _upload(_client(app, world, "organiser"), world["event"])
    material = db.session.execute(select(Material)).scalar_one()
    intruder = factories.account(factories.member(factories.community(), "organiser"))
    client = app.test_client()
    sign_in(client, intruder)
    assert _upload(client, world["event"]).status_code == 403
    assert client.post(f"/events/{world['event'].id}/materials/{material.id}/remove").status_code == 403
    assert client.get(f"/events/{world['event'].id}/materials/{material.id}").status_code == 404
