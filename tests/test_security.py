"""CSRF on every state-changing request, and the security headers on every page."""
from cop.extensions import db
from tests import factories
from tests.conftest import sign_in
from tests.routes import post_urls


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
