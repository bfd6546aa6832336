"""A person's identity, changed only by the person: their name, and their e-mail address
(confirmed from the new address, with a notice to the old one).

Communities keep their own record of a member (cop.communities.models.Membership) and never
write here; a site administrator may, through the same functions.
"""
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import select, update

from cop.accounts.models import EmailChange
from cop.clock import utcnow
from cop.extensions import db, rows_changed
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.people.models import Person
from cop.tokens import hash_token, new_token


class EmailTaken(ValueError):
    """The new address is someone else's in cop."""


def rename(person: Person, name: str) -> None:
    person.name = name.strip()


def request_email_change(person: Person, new_email: str) -> None:
    """Mail a confirmation link to the new address and a notice to the old one; nothing changes yet.

    An address that belongs to someone else is refused when the link is used, not here: the
    answer here is the same for every address, so the form tells nobody who is in cop."""
    new_email = new_email.strip().lower()
    minutes = current_app.config["SIGN_IN_LINK_MINUTES"]
    token, token_hash = new_token()
    db.session.add(EmailChange(person=person, new_email=new_email, token_hash=token_hash,
                               expires_at=utcnow() + timedelta(minutes=minutes)))
    link = external_url("accounts.confirm_email_change", token=token)
    queue_mail(new_email, "Confirm your new cop email address",
               render_template("accounts/mail/confirm_email.txt", person=person, link=link, minutes=minutes))
    queue_mail(person.email, "Your cop email address is being changed",
               render_template("accounts/mail/email_change_notice.txt", person=person, new_email=new_email))


def pending_change(token: str) -> EmailChange | None:
    change = db.session.execute(
        select(EmailChange).where(EmailChange.token_hash == hash_token(token))).scalar_one_or_none()
    if change is None or change.used_at is not None or change.expires_at <= utcnow():
        return None
    return change


def confirm_email_change(token: str) -> Person:
    """Spend the link and move the person to the new address. Raises LookupError for a link that is
    unknown, used or expired, and EmailTaken when the address has become someone else's."""
    change = pending_change(token)
    if change is None:
        raise LookupError("This link has expired or has been used.")
    spent = rows_changed(
        update(EmailChange).where(EmailChange.id == change.id, EmailChange.used_at.is_(None)).values(used_at=utcnow())
    )
    if spent != 1:
        raise LookupError("This link has expired or has been used.")
    taken = db.session.execute(
        select(Person.id).where(Person.email == change.new_email, Person.id != change.person_id)).first()
    if taken:
        raise EmailTaken(f"{change.new_email} is already in use in cop.")
    change.person.email = change.new_email
    return change.person
