"""CSRF on every state-changing request, the security headers on every page, and safe defaults in
production (issue 15)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import config
from cop.extensions import db
from tests import factories
from tests.conftest import sign_in
from tests.routes import post_urls

ROOT = Path(__file__).resolve().parent.parent


def test_every_post_route_refuses_a_request_without_a_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        group = factories.community(slug="big-room")
        organiser = factories.member(group, "organiser")
        db.session.commit()
        client = app.test_client()
        sign_in(client, factories.account(organiser, is_admin=True))
        checked = 0
        for url in post_urls(app, organiser.id):
            response = client.post(url, data={})
            assert response.status_code == 400, f"POST {url} answered {response.status_code} without a CSRF token"
            checked += 1
        assert checked >= 8


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_same_site(client):
    factories.account(factories.person(email="ada@example.org"), password="correct horse battery")
    response = client.post("/sign-in", data={"email": "ada@example.org", "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _start_as_deploy_does(**settings) -> subprocess.CompletedProcess:
    """gunicorn with deploy/'s settings and only the environment given (no development setting)."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("SECRET_KEY", "MAIL_SERVER", "MAIL_BACKEND", "COP_DEVELOPMENT")}
    env.update({"COP_WEB_WORKERS": "1", "COP_BIND": "127.0.0.1:0", **settings})
    return subprocess.run([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)


def test_a_production_start_without_secret_key_or_mail_server_refuses_naming_the_setting(database_url):
    no_key = _start_as_deploy_does(DATABASE_URL=database_url, MAIL_SERVER="127.0.0.1")
    assert no_key.returncode != 0 and "SECRET_KEY is not set" in no_key.stderr
    no_mail = _start_as_deploy_does(DATABASE_URL=database_url, SECRET_KEY="a-long-random-key")
    assert no_mail.returncode != 0 and "MAIL_SERVER is not set" in no_mail.stderr
    mailbox = _start_as_deploy_does(DATABASE_URL=database_url, SECRET_KEY="k", MAIL_BACKEND="mailbox")
    assert mailbox.returncode != 0 and "MAIL_BACKEND=mailbox is for development only" in mailbox.stderr


def test_the_dev_mailbox_exists_only_in_development(app_factory):
    with pytest.raises(config.SettingsError, match="MAIL_SERVER"):
        app_factory(DEVELOPMENT=False, MAIL_BACKEND=None, MAIL_SERVER=None)
    production = app_factory(DEVELOPMENT=False, MAIL_BACKEND=None, MAIL_SERVER="smtp.example.org")
    assert production.config["MAIL_BACKEND"] == "smtp"
    assert production.test_client().get("/dev/mailbox/").status_code == 404
    development = app_factory(DEVELOPMENT=True, MAIL_BACKEND=None, MAIL_SERVER=None)
    assert development.config["MAIL_BACKEND"] == "mailbox"
    assert development.test_client().get("/dev/mailbox/").status_code == 200


def test_behind_https_cookies_are_secure_and_hsts_is_sent(app_factory):
    app = app_factory(BASE_URL="https://cop.example.nhs.uk")
    with app.app_context():
        factories.account(factories.person(email="ada@example.org"), password="correct horse battery")
        db.session.commit()
        client = app.test_client()
        response = client.post("/sign-in", data={"email": "ada@example.org", "password": "correct horse battery"},
                               base_url="https://cop.example.nhs.uk")
        assert "Secure" in response.headers["Set-Cookie"]
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = app_factory(BASE_URL="http://127.0.0.1:5000").test_client().get("/")
    assert "Strict-Transport-Security" not in plain.headers


def test_pages_with_personal_data_or_a_token_are_never_stored(app):
    from cop.feedback.asking import send_due_feedback
    from tests.feedback_helpers import links_by_person, past_world
    from tests.invitation_helpers import make_event, make_invitation

    world = past_world()
    _, rsvp_token = make_invitation(make_event(world["community"]), world["people"]["amira"])
    account = factories.account(world["people"]["amira"])
    db.session.commit()
    send_due_feedback()
    feedback_token = next(iter(links_by_person().values()))
    client = app.test_client()
    sign_in(client, account)
    for url in (f"/rsvp/{rsvp_token}", f"/feedback/{feedback_token}", "/my-data", "/my-data.json", "/my-calendar"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_every_route_with_a_token_is_redacted_in_logs(app):
    from flask import url_for

    from cop.logs import redact_tokens

    routes = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(routes) >= 5
    secret = "Zx9-SECRET_token"
    for rule in routes:
        with app.test_request_context():
            path = url_for(rule.endpoint, token=secret, **{name: 1 for name in rule.arguments if name != "token"})
        for line in (f'127.0.0.1 - - "GET {path} HTTP/1.1" 200 5 "-"', f"https://cop.example.nhs.uk{path}",
                     f"Exception on {path} [POST]"):
            assert secret not in redact_tokens(line), line
    # The e-mail change confirmation link (arriving from main) is covered too.
    assert redact_tokens(f"POST /account/email/{secret} HTTP/1.1") == "POST /account/email/[token] HTTP/1.1"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_access_log_of_a_production_start_holds_no_token(app, database_url, tmp_path):
    import time
    import urllib.request

    from cop.calendars import feeds
    from tests.invitation_helpers import make_event, make_invitation

    group = factories.community()
    someone = factories.member(group)
    _, rsvp_token = make_invitation(make_event(group), someone)
    db.session.commit()
    feed_token = feeds.personal_feed_token(someone)
    db.session.commit()
    port, log = _free_port(), tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": os.environ["SECRET_KEY"], "COP_DEVELOPMENT": "0",
           "MAIL_SERVER": "127.0.0.1", "COP_WEB_WORKERS": "1", "COP_BIND": f"127.0.0.1:{port}"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                               "--access-logfile", str(log), "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        for path in (f"/rsvp/{rsvp_token}", f"/calendar/{feed_token}.ics", f"/rsvp/{rsvp_token}/calendar.ics"):
            request = urllib.request.Request(base + path, headers={"Referer": f"{base}/rsvp/{rsvp_token}"})
            assert urllib.request.urlopen(request, timeout=10).status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = log.read_text()
    assert "GET /rsvp/[token] HTTP/1.1" in written and "GET /calendar/[token].ics" in written
    assert rsvp_token not in written and feed_token not in written


def test_the_development_servers_log_holds_no_token(app, caplog):
    import threading
    import urllib.request

    from werkzeug.serving import make_server

    from tests.invitation_helpers import make_event, make_invitation

    _, token = make_invitation(make_event(factories.community()), factories.member(factories.community()))
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with caplog.at_level("INFO"):
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/rsvp/{token}", timeout=10)
            app.logger.warning("could not deliver http://cop.test/feedback/%s", token)
    finally:
        server.shutdown()
    assert "/rsvp/[token]" in caplog.text and "/feedback/[token]" in caplog.text
    assert token not in caplog.text


def test_the_frontend_stylesheet_asks_no_third_party_host_for_fonts(client):
    """Issue 17, item 7: the NHS.UK CSS fetched Frutiger from an NHS host, which the CSP refuses (a console
    error per font on every page); cop serves it without those rules (Arial, as before, and a clean console)."""
    response = client.get("/assets/nhsuk/nhsuk-frontend.min.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    assert "@font-face" not in css and "assets.nhs.uk" not in css and ".nhsuk-header" in css
