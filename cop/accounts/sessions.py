"""Signed-in sessions, kept on the server: a copied session cookie stops working when its session ends.

Flask's session cookie is signed but lives in the browser, so on its own a copy of it works until it
expires, whatever the person does. Each sign-in therefore starts an AccountSession row whose token only
the cookie holds (the row keeps its hash), and the user loader accepts the cookie only while that row
exists. Sign-out deletes this session's row; a password change, a change of e-mail address and "sign out
everywhere" delete the account's other rows (and sign-out everywhere this one too). The rows live in the
database, so every instance agrees.
"""
from datetime import timedelta

from flask import has_request_context, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session

from cop.accounts.models import Account, AccountSession
from cop.clock import utcnow
from cop.extensions import db
from cop.people.models import Person
from cop.tokens import hash_token, new_token

SESSION_KEY = "cop_session"
# A sign-in this recent counts as "fresh": someone without a password yet may set one.
FRESH_MINUTES = 15


def open_session(account: Account) -> str:
    """Store a new session for the account and return its token (for the cookie); the caller commits."""
    token, token_hash = new_token()
    if account.id is None:
        db.session.flush()  # a new account: its id
    db.session.add(AccountSession(account_id=account.id, token_hash=token_hash))
    return token


def sign_in(account: Account) -> None:
    """Sign the account in on this browser, with a session of its own on the server.

    Commits: a sign-in is its own transaction, whichever page it happens on (the cookie names a saved row)."""
    token = open_session(account)
    db.session.commit()
    login_user(account)
    session[SESSION_KEY] = token


def _current_hash() -> str | None:
    token = session.get(SESSION_KEY) if has_request_context() else None
    return hash_token(token) if isinstance(token, str) else None


def account_for_cookie(account_id: str) -> Account | None:
    """Flask-Login's user loader: the account, only while this browser's session exists on the server."""
    token_hash = _current_hash()
    if token_hash is None or not account_id.isdigit():
        return None
    return db.session.execute(
        select(Account).join(AccountSession, AccountSession.account_id == Account.id)
        .where(Account.id == int(account_id), AccountSession.token_hash == token_hash)
    ).scalar_one_or_none()


def sign_out() -> None:
    """End this browser's session on the server, then forget it in the cookie. Commits, as sign_in does."""
    token_hash = _current_hash()
    if token_hash is not None:
        db.session.execute(delete(AccountSession).where(AccountSession.token_hash == token_hash))
        db.session.commit()
    logout_user()
    session.pop(SESSION_KEY, None)


def end_other_sessions(account_id: int) -> None:
    """End every session of the account but this browser's (the caller commits)."""
    query = delete(AccountSession).where(AccountSession.account_id == account_id)
    if (current := _current_hash()) is not None:
        query = query.where(AccountSession.token_hash != current)
    db.session.execute(query)


def sign_out_everywhere(account: Account) -> None:
    """End every session of the account (a new password, an e-mail change). Commits, as sign_in does."""
    end_other_sessions(account.id)
    db.session.commit()
    sign_out()


def is_fresh(account: Account) -> bool:
    """Whether this browser signed in within FRESH_MINUTES."""
    token_hash = _current_hash()
    if not token_hash:
        return False
    started = db.session.scalar(
        select(AccountSession.created_at).where(AccountSession.account_id == account.id,
                                                AccountSession.token_hash == token_hash))
    return started is not None and started > utcnow() - timedelta(minutes=FRESH_MINUTES)


@event.listens_for(Session, "before_flush")
def _end_sessions_when_the_address_changes(db_session, flush_context, instances) -> None:
    """A new e-mail address (by the person, an organiser or erasure) ends the account's other sessions:
    whoever could read the old mailbox (and its sign-in links) may have signed in with it."""
    for instance in db_session.dirty:
        state = inspect(instance)
        if isinstance(instance, Person) and state.persistent and state.attrs.email.history.has_changes():
            query = delete(AccountSession).where(
                AccountSession.account_id.in_(select(Account.id).where(Account.person_id == instance.id)))
            if (current := _current_hash()) is not None:
                query = query.where(AccountSession.token_hash != current)
            db_session.execute(query)
