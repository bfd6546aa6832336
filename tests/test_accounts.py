"""Signing in with a password or a single-use e-mailed link."""
import re
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from cop.accounts.models import Account, AccountSession, SignInLink
from cop.extensions import db
from cop.mail.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in


def _ask_for_link(client, email: str) -> None:
    """"Email me a sign-in link": the page answers at once; closing the response runs the work after it
    (as gunicorn and the development server do once the answer has gone)."""
    client.post("/sign-in/link", data={"email": email}).close()


def _link_from_latest_mail() -> str:
    message = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().first()
    return re.search(r"http://cop\.test(/sign-in/link/\S+)", message.text_body).group(1)


def test_sign_in_with_password(client):
    factories.account(factories.person(email="ada@example.org"), password="correct horse battery")
    response = client.post("/sign-in", data={"email": "ADA@example.org", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/communities/").status_code == 200


def test_wrong_password_is_refused_with_a_field_error(client):
    factories.account(factories.person(email="ada@example.org"), password="correct horse battery")
    response = client.post("/sign-in", data={"email": "ada@example.org", "password": "wrong"})
    assert response.status_code == 400
    assert "Email address or password is not right" in response.text
    assert client.get("/communities/").status_code == 302


def test_empty_sign_in_form_shows_the_error_summary(client):
    response = client.post("/sign-in", data={})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'href="#email"' in response.text and "Enter your email address" in response.text


def test_sign_in_link_signs_in_once(client):
    someone = factories.person(email="bea@example.org")
    db.session.commit()
    _ask_for_link(client, "bea@example.org")
    link = _link_from_latest_mail()

    assert client.get(link).status_code == 200  # opening the link alone spends nothing
    assert client.post(link).status_code == 302
    assert client.get("/communities/").status_code == 200
    account = db.session.execute(select(Account).where(Account.person_id == someone.id)).scalar_one()
    assert account.password_hash is None  # the account was made on first sign-in

    client.post("/sign-out")
    assert client.post(link).status_code == 404  # reuse refused
    assert client.get("/communities/").status_code == 302


def test_sign_in_link_expires(app, client):
    factories.person(email="cy@example.org")
    db.session.commit()
    _ask_for_link(client, "cy@example.org")
    link = _link_from_latest_mail()
    stored = db.session.execute(select(SignInLink)).scalar_one()
    stored.expires_at = stored.created_at - timedelta(seconds=1)
    db.session.commit()
    assert client.post(link).status_code == 404
    assert client.get("/communities/").status_code == 302


def test_tokens_are_stored_hashed(client):
    factories.person(email="dee@example.org")
    db.session.commit()
    _ask_for_link(client, "dee@example.org")
    token = _link_from_latest_mail().rsplit("/", 1)[1]
    stored = db.session.execute(select(SignInLink)).scalar_one()
    assert token not in stored.token_hash and len(token) >= 40


def test_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post("/sign-in/link", data={"email": "nobody@example.org"})
    assert response.status_code == 200 and "Check your email" in response.text
    response.close()  # the work after the answer
    assert db.session.execute(select(OutboxMessage)).first() is None


def test_known_and_unknown_addresses_take_the_same_path_before_the_answer(app, client):
    """Known addresses answered in ~200 ms and unknown ones in ~37 ms. Now the answer runs the same statements
    and renders the same templates for both; the lookup and the mail come after it. Counted, not timed."""
    from flask import request_finished, template_rendered
    from sqlalchemy import event

    factories.person(email="known@example.org")
    db.session.commit()
    statements, templates, at_answer = [], [], {}

    def count_statement(conn, cursor, statement, *args):
        statements.append(statement)

    def answered(sender, response, **extra):
        at_answer["statements"], at_answer["templates"] = list(statements), list(templates)

    def rendered(sender, template, context, **extra):
        templates.append(template.name)

    event.listen(db.engine, "before_cursor_execute", count_statement)
    request_finished.connect(answered, app)
    template_rendered.connect(rendered, app)
    try:
        seen = {}
        for email in ("known@example.org", "nobody@example.org"):
            statements.clear()
            templates.clear()
            response = client.post("/sign-in/link", data={"email": email})
            assert response.status_code == 200 and "Check your email" in response.text
            seen[email] = (at_answer["statements"], at_answer["templates"])
            response.close()  # the work after the answer
            seen[email] += (len(statements) - len(at_answer["statements"]),)
    finally:
        event.remove(db.engine, "before_cursor_execute", count_statement)
        request_finished.disconnect(answered, app)
        template_rendered.disconnect(rendered, app)
    known, unknown = seen["known@example.org"], seen["nobody@example.org"]
    assert known[:2] == unknown[:2]  # the same statements and templates before the answer
    assert known[2] > unknown[2] > 0  # after it: the lookup for both, the link and its mail for the known one
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == ["known@example.org"]


def test_links_per_person_are_limited(client):
    factories.person(email="eve@example.org")
    db.session.commit()
    for _ in range(5):
        _ask_for_link(client, "eve@example.org")
    assert len(db.session.execute(select(SignInLink)).all()) == 3


def test_sign_in_attempts_are_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [client.post("/sign-in", data={"email": "x@example.org", "password": "y"}).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_sign_in_does_not_redirect_off_site(client):
    factories.account(factories.person(email="fay@example.org"), password="correct horse battery")
    fay = {"email": "fay@example.org", "password": "correct horse battery"}
    response = client.post("/sign-in?next=//evil.example/", data=fay)
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0A/evil.example", "/%5Cevil.example", "%5C%5Cevil.example",
                                    "https://evil.example/", "https:evil.example", "//evil.example/%2F..",
                                    "/\\evil.example", "%20//evil.example", "javascript:alert(1)"])
def test_sign_in_next_is_parsed_and_never_leaves_the_site(client, target):
    factories.account(factories.person(email="fay@example.org"), password="correct horse battery")
    fay = {"email": "fay@example.org", "password": "correct horse battery"}
    response = client.post(f"/sign-in?next={target}", data=fay)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_sign_in_next_keeps_a_path_on_the_site(client):
    factories.account(factories.person(email="fay@example.org"), password="correct horse battery")
    fay = {"email": "fay@example.org", "password": "correct horse battery"}
    response = client.post("/sign-in?next=/my-calendar%3Fx%3D1", data=fay)
    assert response.headers["Location"] == "/my-calendar?x=1"


def test_change_password(client):
    from tests.conftest import sign_in

    account = factories.account(factories.person(email="gus@example.org"))
    sign_in(client, account)
    bad = client.post("/account/password", data={"password": "short", "confirm": "other"})
    assert bad.status_code == 400 and "10 characters or more" in bad.text
    new_password = {"password": "a long new password", "confirm": "a long new password"}
    assert client.post("/account/password", data=new_password).status_code == 302
    client.post("/sign-out")
    gus = {"email": "gus@example.org", "password": "a long new password"}
    assert client.post("/sign-in", data=gus).status_code == 302


def test_create_admin_command(app):
    result = app.test_cli_runner().invoke(
        args=["cop", "create-admin", "Boss@Example.org", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    assert "administrator: boss@example.org" in result.output
    account = db.session.execute(select(Account)).scalar_one()
    assert account.is_admin and account.person.email == "boss@example.org"


# --- Sessions end on the server (issue 15) --------------------------------------------------------


def _signed_in_client(app, email="ada@example.org", password="correct horse battery"):
    client = app.test_client()
    assert client.post("/sign-in", data={"email": email, "password": password}).status_code == 302
    assert _signed_in(client)
    return client


def _copy_of(app, client):
    """Another browser with a copy of this one's session cookie (stolen, or left on a shared computer)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert _signed_in(thief)
    return thief


def _signed_in(client) -> bool:
    g.pop("_login_user", None)  # the test's app context outlives requests: forget the last visitor
    return client.get("/communities/").status_code == 200


def test_a_copied_cookie_stops_working_after_sign_out(app):
    factories.account(factories.person(email="ada@example.org"), password="correct horse battery")
    db.session.commit()
    browser = _signed_in_client(app)
    thief = _copy_of(app, browser)
    browser.post("/sign-out")
    assert not _signed_in(browser) and not _signed_in(thief)


def test_a_password_change_ends_every_other_session_and_asks_for_the_current_password(app):
    factories.account(factories.person(email="ada@example.org"), password="correct horse battery")
    db.session.commit()
    browser, laptop = _signed_in_client(app), _signed_in_client(app)
    thief = _copy_of(app, laptop)
    new = {"password": "a long new password", "confirm": "a long new password"}
    wrong = browser.post("/account/password", data={**new, "current_password": "guess"})
    assert wrong.status_code == 400 and "Your current password is not right" in wrong.text
    assert browser.post("/account/password", data=new).status_code == 400  # no current password
    assert _signed_in(laptop) and _signed_in(thief)
    changed = browser.post("/account/password", data={**new, "current_password": "correct horse battery"})
    assert changed.status_code == 302
    assert _signed_in(browser) and not _signed_in(laptop) and not _signed_in(thief)
    assert _signed_in_client(app, password="a long new password")


def test_setting_a_first_password_needs_a_fresh_sign_in(app):
    someone = factories.person(email="bea@example.org")
    account = factories.account(someone)
    db.session.commit()
    client = app.test_client()
    sign_in(client, account)
    stored = db.session.scalar(select(AccountSession).where(AccountSession.account_id == account.id))
    stored.created_at -= timedelta(hours=1)  # signed in an hour ago
    db.session.commit()
    new = {"password": "a long new password", "confirm": "a long new password"}
    stale = client.post("/account/password", data=new)
    assert stale.status_code == 400 and "Sign in again with an emailed link" in stale.text


def test_sign_out_everywhere_ends_every_session(app):
    factories.account(factories.person(email="ada@example.org"), password="correct horse battery")
    db.session.commit()
    browser, laptop = _signed_in_client(app), _signed_in_client(app)
    thief = _copy_of(app, laptop)
    assert browser.post("/sign-out/everywhere").status_code == 302
    assert not any(_signed_in(client) for client in (browser, laptop, thief))


def test_a_new_email_address_ends_the_persons_sessions(app):
    """Whichever path moves the account to a new address (a confirmed change, an administrator, erasure),
    the sessions opened through the old one end: it is the stored address changing that ends them."""
    someone = factories.person(name="Ada Quill", email="ada@example.org")
    factories.account(someone, password="correct horse battery")
    bystander = factories.account(factories.person(email="bo@example.org"), password="correct horse battery")
    db.session.commit()
    browser = _signed_in_client(app)
    thief = _copy_of(app, browser)
    other = _signed_in_client(app, email="bo@example.org")
    someone.email = "ada.quill@example.org"
    db.session.commit()
    assert not _signed_in(browser) and not _signed_in(thief)
    assert _signed_in(other) and bystander.id
    someone.name = "Ada Q"  # only the address ends sessions
    db.session.commit()
    again = _signed_in_client(app, email="ada.quill@example.org")
    someone.name = "Ada Quill"
    db.session.commit()
    assert _signed_in(again)
