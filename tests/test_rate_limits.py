"""Guessing tokens: every page that takes a secret token in its URL shares one budget of wrong
guesses per client address; people using their own links never spend it, and a right link is always
served, even from an address whose budget a guesser spent (a trust's NAT, a calendar service)."""
from cop.calendars import feeds
from cop.extensions import db
from tests import factories
from tests.invitation_helpers import make_event, make_invitation

WRONG = ["/rsvp/guess-1", "/calendar/guess-2.ics", "/sign-in/link/guess-3", "/feedback/guess-4"]


def _limited_app(app_factory, **settings):
    return app_factory(RATELIMIT_ENABLED=True, TOKEN_GUESS_RATE_LIMIT="4 per minute", **settings)


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
        assert [client.get(url).status_code for url in WRONG] == [404, 404, 404, 404]
        # Spent: further guesses from this address wait, on every token page...
        assert client.get("/rsvp/guess-5").status_code == 429
        assert client.post("/sign-in/link/guess-6").status_code == 429
        assert client.get("/feedback/guess-7").status_code == 429
        assert client.get("/rsvp/guess-8/calendar.ics").status_code == 429
        # ...but real links from the same address (a trust's NAT, a calendar service) are always served...
        assert client.get(f"/rsvp/{rsvp_token}").status_code == 200
        assert client.get(f"/rsvp/{rsvp_token}/calendar.ics").status_code == 200
        assert client.get(f"/calendar/{feed_token}.ics").status_code == 200
        # ...and another address has its own budget.
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.2"
        assert elsewhere.get("/rsvp/guess-9/calendar.ics").status_code == 404
        assert [elsewhere.get(url).status_code for url in WRONG] == [404, 404, 404, 429]  # the .ics guess spent one


def test_after_twenty_wrong_tokens_a_real_feed_from_the_same_address_is_served(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)  # the default budget, 20 per minute
    with app.app_context():
        _, feed_token = _a_real_rsvp_token_and_feed()
        client = app.test_client()
        assert {client.get(f"/calendar/guess-{n}.ics").status_code for n in range(20)} == {404}
        assert client.get("/calendar/guess-21.ics").status_code == 429
        assert client.get(f"/calendar/{feed_token}.ics").status_code == 200


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
    assert [client.get(url, headers=first).status_code for url in WRONG] == [404, 404, 404, 404]
    assert client.get("/rsvp/guess", headers=first).status_code == 429
    assert client.get("/rsvp/guess", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 404
