"""Signing in: by password, or by a single-use link sent through the outbox."""
from collections.abc import Callable
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from cop.accounts.models import Account, SignInLink
from cop.clock import utcnow
from cop.extensions import db, rows_changed
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.people.models import Person
from cop.tokens import hash_token, new_token

# At most this many links per person in one link lifetime, whatever the IP address.
LINKS_PER_PERSON_PER_WINDOW = 3


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_person(email: str) -> Person | None:
    return db.session.execute(select(Person).where(Person.email == normalise_email(email))).scalar_one_or_none()


def account_for(person: Person) -> Account:
    account = db.session.execute(select(Account).where(Account.person_id == person.id)).scalar_one_or_none()
    if account is None:
        account = Account(person=person)
        db.session.add(account)
    return account


def authenticate(email: str, password: str) -> Account | None:
    """The account for a right address and password, or None (with the same work either way). Commits the
    time of the sign-in."""
    person = find_person(email)
    account = None if person is None else db.session.execute(
        select(Account).where(Account.person_id == person.id)
    ).scalar_one_or_none()
    if account is None or not account.password_hash:
        # Spend the same time as a real check, so timing does not reveal who has an account.
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(account.password_hash, password):
        return None
    account.last_signed_in_at = utcnow()
    db.session.commit()
    return account


def password_matches(account: Account, password: str) -> bool:
    if not account.password_hash:
        return False
    return check_password_hash(account.password_hash, password)


def set_password(account: Account, password: str) -> None:
    account.password_hash = generate_password_hash(password)


def send_sign_in_link(email: str) -> bool:
    """Mail a sign-in link if the address belongs to someone cop knows.

    Returns whether a link was sent; the view says the same thing either way so
    the page does not reveal who is known. Commits: it runs after the answer has gone (see below).
    """
    person = find_person(email)
    if person is None:
        return False
    lifetime = timedelta(minutes=current_app.config["SIGN_IN_LINK_MINUTES"])
    recent = db.session.execute(
        select(func.count(SignInLink.id)).where(
            SignInLink.person_id == person.id, SignInLink.created_at > utcnow() - lifetime
        )
    ).scalar_one()
    if recent >= LINKS_PER_PERSON_PER_WINDOW:
        return False
    token, token_hash = new_token()
    db.session.add(SignInLink(person=person, token_hash=token_hash, expires_at=utcnow() + lifetime))
    link = external_url("accounts.use_sign_in_link", token=token)
    minutes = current_app.config["SIGN_IN_LINK_MINUTES"]
    queue_mail(
        recipient=person.email,
        subject="Your cop sign-in link",
        text_body=render_template("accounts/mail/sign_in_link.txt", person=person, link=link, minutes=minutes),
        html_body=render_template("accounts/mail/sign_in_link.html", person=person, link=link, minutes=minutes),
    )
    db.session.commit()
    return True


def sign_in_link_job(email: str) -> Callable[[], None]:
    """send_sign_in_link(email) as a job to run after the answer has gone (`response.call_on_close`).

    The page answers every address the same way and at once; whether the address is known decides only
    what this job does, after the answer, in an app context of its own.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app itself, not the proxy

    def job() -> None:
        with app.app_context():
            try:
                send_sign_in_link(email)
            except Exception:  # noqa: BLE001 - nobody is waiting for this answer: log it
                db.session.rollback()
                app.logger.exception("sign-in link: could not send")

    return job


def find_usable_link(token: str) -> SignInLink | None:
    link = db.session.execute(
        select(SignInLink).where(SignInLink.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link


def use_sign_in_link(token: str) -> Account | None:
    """Spend a link: it signs in once, before it expires, and never again.

    Commits: the link is spent before anything else happens, so a second use (even at once) fails."""
    link = find_usable_link(token)
    if link is None:
        return None
    # Mark it used with a conditional update, so two clicks racing cannot both succeed.
    spent = rows_changed(
        update(SignInLink)
        .where(SignInLink.id == link.id, SignInLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)  # the table's UPDATE only, as a Core statement would
    )
    if spent != 1:
        db.session.rollback()
        return None
    account = account_for(link.person)
    account.last_signed_in_at = utcnow()
    db.session.commit()
    return account


def create_admin(email: str, name: str, password: str) -> Account:
    person = find_person(email)
    if person is None:
        person = Person(name=name, email=normalise_email(email))
        db.session.add(person)
    account = account_for(person)
    account.is_admin = True
    set_password(account, password)
    db.session.flush()
    return account


_DUMMY_HASH = generate_password_hash("not a real password")
