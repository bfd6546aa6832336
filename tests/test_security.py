"""CSRF on every state-changing request, and the security headers on every page."""
from cop.extensions import db
from tests import factories
from tests.conftest import sign_in


def test_every_post_route_refuses_a_request_without_a_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        group = factories.community(slug="big-room")
        organiser = factories.member(group, "organiser")
        db.session.commit()
        client = app.test_client()
        sign_in(client, factories.account(organiser, is_admin=True))
        # CSRF is checked before the view runs, so ids need not exist.
        values = {"slug": "big-room", "person_id": organiser.id, "token": "x", "event_id": 1, "series_id": 1, "venue_id": 1,
                  "invitation_id": 1, "message_id": 1, "version": 1, "formation_id": 1, "question_id": 1}
        checked = 0
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods:
                continue
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<{name}>", str(values[name])).replace(f"<int:{name}>", str(values[name]))
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
