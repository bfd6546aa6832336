"""Accounts: the people who sign in, and their single-use sign-in links."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.extensions import Model
from cop.people.models import Person


class Account(UserMixin, Model):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # A site administrator creates communities and may act as organiser of any of them.
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()


class SignInLink(Model):
    __tablename__ = "sign_in_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Links go to people, not accounts: a member without an account gets one on first sign-in.
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()


class EmailChange(Model):
    """A signed-in person's request to move their account to a new address, confirmed from that address.

    Identity belongs to the person: nobody else changes it, and a change takes effect only through
    the single-use link mailed to the new address (the old address is told, too).
    """

    __tablename__ = "email_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    new_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()


class AccountSession(Model):
    """One signed-in browser. The session cookie carries its token; only the hash is kept here.

    Flask-Login's user loader accepts a cookie only while its row exists, so sign-out (this row), a password
    change and "sign out everywhere" (the account's other rows) end sessions on the server: a copied cookie
    stops working. Rows live in the database, so every instance sees the same sessions.
    """

    __tablename__ = "account_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship()
