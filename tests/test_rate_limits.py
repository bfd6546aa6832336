"""Guessing tokens: every page that takes a secret token in its URL shares one budget of wrong
guesses per client address; people using their own links never spend it."""
from cop.calendars import feeds
from cop.extensions import db
from tests import factories
from tests.invitation_helpers import make_event, make_invitation

WRONG = ["/rsvp/guess-1", "/calendar/guess-2.ics", "/sign-in/link/guess-3"]


def _limited_app(app_factory, **settings):
    return app_factory(RATELIMIT_ENABLED=True, TOKEN_GUESS_RATE_LIMIT="3 per minute", **settings)


def _a_real_rsvp_token_and_feed():
    group = factories.community()
    someone = factories.member(group)
    _, token = make_invitation(make_event(group), someone)
    db.session.commit()
    return token, feeds.personal_feed_token(someone)


def test_wrong_tokens_on_any_token_page_spend_one_budget_per_address(app_factory):
    app = _limited_app(app_factory)
    with app.app_context():
        rsvp_token, feed_token = _a_real_rsvp_token_and_feed()
        client = app.test_client()
        assert [client.get(url).status_code for url in WRONG] == [404, 404, 404]
        # Spent: further guesses, and even real links, wait from this address...
        assert client.get("/rsvp/guess-4").status_code == 429
        assert client.get(f"/rsvp/{rsvp_token}").status_code == 429
        assert client.post("/sign-in/link/guess-5").status_code == 429
        assert client.get(f"/rsvp/{rsvp_token}/calendar.ics").status_code == 429
        # ...but not from another one.
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.2"
        assert elsewhere.get(f"/rsvp/{rsvp_token}").status_code == 200
        assert elsewhere.get(f"/calendar/{feed_token}.ics").status_code == 200
        assert elsewhere.get("/rsvp/guess-6/calendar.ics").status_code == 404
        assert [elsewhere.get(url).status_code for url in WRONG] == [404, 404, 429]  # the .ics guess spent one


def test_real_links_never_spend_the_budget(app_factory):
    app = _limited_app(app_factory)
    with app.app_context():
        rsvp_token, feed_token = _a_real_rsvp_token_and_feed()
        client = app.test_client()
        statuses = {client.get(f"/rsvp/{rsvp_token}").status_code for _ in range(6)}
        statuses |= {client.get(f"/calendar/{feed_token}.ics").status_code for _ in range(6)}
        statuses |= {client.get(f"/rsvp/{rsvp_token}/calendar.ics").status_code for _ in range(6)}
        assert statuses == {200}
        assert client.get("/rsvp/guess").status_code == 404


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(app_factory):
    app = _limited_app(app_factory, TRUSTED_PROXIES=1)
    client = app.test_client()
    first = {"X-Forwarded-For": "203.0.113.1"}
    assert [client.get(url, headers=first).status_code for url in WRONG] == [404, 404, 404]
    assert client.get("/rsvp/guess", headers=first).status_code == 429
    assert client.get("/rsvp/guess", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 404
