"""The account and sign-in sections of a person's data (see cop/people/personal_data.py)."""
from sqlalchemy import delete, select

from cop.accounts.models import Account, SignInLink
from cop.extensions import db, rows_changed
from cop.people.models import Person
from cop.people.personal_data import register_section, when


def account_of(person: Person):
    return db.session.execute(select(Account).where(Account.person_id == person.id)).scalar_one_or_none()


def _export_account(person: Person, community_id: int | None) -> dict | None:
    account = account_of(person)
    if account is None or community_id is not None:
        return None
    return {"has_password": bool(account.password_hash), "is_admin": account.is_admin,
            "created_at": when(account.created_at), "last_signed_in_at": when(account.last_signed_in_at)}


def _erase_account(person: Person) -> int:
    # The account goes: the person can no longer sign in, and any session of theirs ends.
    account = account_of(person)
    if account is None:
        return 0
    db.session.delete(account)
    return 1


def _export_sign_in_links(person: Person, community_id: int | None) -> list[dict]:
    if community_id is not None:
        return []
    links = db.session.execute(select(SignInLink).where(SignInLink.person_id == person.id).order_by(SignInLink.id))
    return [{"created_at": when(link.created_at), "expires_at": when(link.expires_at), "used_at": when(link.used_at)}
            for link in links.scalars()]


def _erase_sign_in_links(person: Person) -> int:
    return rows_changed(delete(SignInLink).where(SignInLink.person_id == person.id))


register_section("account", _export_account, _erase_account)
register_section("sign_in_links", _export_sign_in_links, _erase_sign_in_links)
