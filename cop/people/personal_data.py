"""Everything cop holds about one person: export it as JSON, or erase it.

Each part of cop that keeps personal data registers a *section* here: a name, an export
function ((person, community id or None) -> JSON-ready value) and an erase function
(person -> number of rows touched). `export_person` and `erase_person` run every registered
section, in order.

Who may do what (tenancy): the whole export and the erasure belong to the person (/my-data) and
to site administrators. A community's organisers export what *their* community holds about a
member (`export_person(person, community_id=...)`: each section gives only that community's
rows, or nothing); they erase only someone whom no one else holds: no account, no other
community (`may_erase`). Otherwise they remove the member, which deletes the community's record.

Erasure anonymises rather than deletes where a row counts towards something organisers
see (attendance, answers, seats, mail sent): the rows stay, so counts and past seating plans
are unchanged, but nothing in them says who the person was. The person row itself becomes
"Erased person" with an address at `erased.invalid`; their member records keep only the
organisation and profession (which the mixing reports count).

A feature adds its own data with one call at import time of its models module, e.g. feedback:

    from cop.people.personal_data import register_section

    register_section("feedback", export=my_answers_as_json, erase=anonymise_my_answers)

where `my_answers_as_json(person, community_id)` gives only that community's part when
`community_id` is not None.

The erase function runs before the person row is anonymised, so it can still match on the
person's id, name or e-mail; it must not commit (erase_person commits once, all or nothing).
"""
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, true

from cop.clock import utcnow
from cop.extensions import db
from cop.people.models import Person

ERASED_NAME = "Erased person"
ERASED_DOMAIN = "erased.invalid"
FORMAT = "cop personal data export 1"

# Secrets in links (sign-in, RSVP, calendar) are long URL-safe strings: an export never shows them.
_SECRET = re.compile(r"[A-Za-z0-9_-]{32,}")


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[Person, int | None], object]
    erase: Callable[[Person], int]


_sections: dict[str, Section] = {}


def register_section(name: str, export: Callable[[Person, int | None], object],
                     erase: Callable[[Person], int]) -> None:
    """Add (or replace) a section of the personal data export and erasure."""
    _sections[name] = Section(name, export, erase)


def sections() -> list[str]:
    return list(_sections)


def erased_email(person_id: int) -> str:
    return f"erased-{person_id}@{ERASED_DOMAIN}"


def is_erased(person: Person) -> bool:
    return person.email.endswith("@" + ERASED_DOMAIN)


def erased_clause():
    """SQL: the Person row is an erased person's (for queries that must not mail them)."""
    return Person.email.endswith("@" + ERASED_DOMAIN)


def find_person(email: str) -> Person | None:
    return db.session.execute(select(Person).where(Person.email == email.strip().lower())).scalar_one_or_none()


def without_secrets(text: str | None) -> str | None:
    return None if text is None else _SECRET.sub("[secret removed]", text)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _account(person: Person):
    from cop.accounts.models import Account

    return db.session.execute(select(Account).where(Account.person_id == person.id)).scalar_one_or_none()


def may_export_everything(account, person: Person) -> bool:
    """The whole export: the person themself, or a site administrator."""
    return account.is_admin or account.person_id == person.id


def may_erase(account, person: Person, community_id: int) -> bool:
    """Erasure: a site administrator; or an organiser of the community, for a member whom nobody else
    holds: no account (so not a site administrator, and nobody who signs in) and no other community."""
    from cop.communities.models import Membership

    if account.is_admin:
        return True
    organises = db.session.execute(select(Membership.id).where(
        Membership.community_id == community_id, Membership.person_id == account.person_id,
        Membership.role == "organiser")).first() is not None
    elsewhere = db.session.execute(select(Membership.id).where(
        Membership.person_id == person.id, Membership.community_id != community_id)).first() is not None
    member = db.session.execute(select(Membership.id).where(
        Membership.person_id == person.id, Membership.community_id == community_id)).first() is not None
    return organises and member and not elsewhere and _account(person) is None


def export_person(person: Person, community_id: int | None = None) -> dict:
    """The person's data as one JSON-ready dict, section by section: all of it, or (with a community id)
    what that community holds about them."""
    exported = {"format": FORMAT, "exported_at": _when(utcnow()),
                "scope": "everything" if community_id is None else "community"}
    for section in _sections.values():
        exported[section.name] = section.export(person, community_id)
    return exported


def erase_person(person: Person) -> dict[str, int]:
    """Erase the person's data in every section, then the person row itself; commits once.

    Returns the number of rows touched per section. Erasing twice changes nothing more.
    """
    report = {name: section.erase(person) for name, section in _sections.items() if name != "profile"}
    report["profile"] = _erase_profile(person)
    db.session.commit()
    return report


# --- the sections cop has itself -----------------------------------------------------------------------
# Each reads its feature's models; they live together here so that erasure is one reviewable list.


def _export_profile(person: Person, community_id: int | None) -> dict:
    return {"id": person.id, "name": person.name, "email": person.email, "created_at": _when(person.created_at)}


def _erase_profile(person: Person) -> int:
    person.name = ERASED_NAME
    person.email = erased_email(person.id)
    return 1


def _export_account(person: Person, community_id: int | None) -> dict | None:
    account = _account(person)
    if account is None or community_id is not None:
        return None
    return {"has_password": bool(account.password_hash), "is_admin": account.is_admin,
            "created_at": _when(account.created_at), "last_signed_in_at": _when(account.last_signed_in_at)}


def _erase_account(person: Person) -> int:
    # The account goes: the person can no longer sign in, and any session of theirs ends.
    account = _account(person)
    if account is None:
        return 0
    db.session.delete(account)
    return 1


def _export_sign_in_links(person: Person, community_id: int | None) -> list[dict]:
    from cop.accounts.models import SignInLink

    if community_id is not None:
        return []
    links = db.session.execute(select(SignInLink).where(SignInLink.person_id == person.id).order_by(SignInLink.id))
    return [{"created_at": _when(link.created_at), "expires_at": _when(link.expires_at), "used_at": _when(link.used_at)}
            for link in links.scalars()]


def _erase_sign_in_links(person: Person) -> int:
    from cop.accounts.models import SignInLink

    return db.session.execute(delete(SignInLink).where(SignInLink.person_id == person.id)).rowcount


def _memberships(person: Person, community_id: int | None = None):
    from cop.communities.models import Membership

    query = select(Membership).where(Membership.person_id == person.id).order_by(Membership.id)
    if community_id is not None:
        query = query.where(Membership.community_id == community_id)
    return list(db.session.execute(query).scalars())


def _export_memberships(person: Person, community_id: int | None) -> list[dict]:
    """Each community's record of the person, with their role in it."""
    return [{"community": m.community.name, "community_slug": m.community.slug, "role": m.role,
             "invite_quota": m.invite_quota, "joined_at": _when(m.joined_at),
             "organisation": m.organisation.name if m.organisation else None, "profession": m.profession,
             "role_title": m.role_title, "interests": m.interests, "dietary_needs": m.dietary_needs,
             "access_needs": m.access_needs, "notes": m.notes,
             "line_manager": m.line_manager.email if m.line_manager else None} for m in _memberships(person, community_id)]


def _erase_memberships(person: Person) -> int:
    # Kept (member counts), without what identifies them; organisation and profession stay, since the mixing
    # reports count them and alone they name nobody. Trusted inviting ends.
    memberships = _memberships(person)
    for m in memberships:
        m.invite_quota = 0
        m.role_title = m.interests = m.dietary_needs = m.access_needs = m.notes = ""
        m.line_manager = None
    return len(memberships)


def _in_community(event_column, community_id: int | None):
    """SQL: the event is the community's (true when no community is asked for)."""
    from cop.events.models import Event

    if community_id is None:
        return true()
    return event_column.in_(select(Event.id).where(Event.community_id == community_id))


def _invitations(person: Person, community_id: int | None = None):
    from cop.invitations.models import Invitation

    return list(db.session.execute(
        select(Invitation).where(Invitation.person_id == person.id, _in_community(Invitation.event_id, community_id))
        .order_by(Invitation.id)
    ).scalars())


def _export_invitations(person: Person, community_id: int | None) -> list[dict]:
    return [{
        "event": invitation.event.title, "event_starts_at": _when(invitation.event.starts_at),
        "community": invitation.event.community.name,
        "invited_by": invitation.invited_by.name if invitation.invited_by else None,
        "answer": invitation.answer, "place": invitation.place, "waitlist_position": invitation.waitlist_position,
        "attendance_mode": invitation.attendance_mode, "dietary_needs": invitation.dietary_needs,
        "access_needs": invitation.access_needs, "answered_at": _when(invitation.answered_at),
        "revoked_at": _when(invitation.revoked_at), "created_at": _when(invitation.created_at),
        "personal_links": [{"created_at": _when(link.created_at)} for link in invitation.links],
    } for invitation in _invitations(person, community_id)]


def _erase_invitations(person: Person) -> int:
    """Past answers stay for the counts, without needs or links; a place at an event still to
    come is given up (the person will not come) and passes to the waitlist."""
    from cop.invitations.models import InvitationLink
    from cop.invitations.rsvp import lock_event, promote_from_waitlist, release_place

    invitations = _invitations(person)
    now = utcnow()
    for invitation in invitations:
        invitation.dietary_needs = invitation.access_needs = ""
        db.session.execute(delete(InvitationLink).where(InvitationLink.invitation_id == invitation.id))
        if invitation.event.starts_at > now and invitation.revoked_at is None:
            lock_event(invitation.event_id)
            db.session.refresh(invitation)
            invitation.revoked_at = now
            release_place(invitation)
            db.session.flush()
            promote_from_waitlist(invitation.event, now)
    return len(invitations)


def _export_check_ins(person: Person, community_id: int | None) -> list[dict]:
    from cop.events.models import Attendance

    rows = db.session.execute(select(Attendance).where(
        Attendance.person_id == person.id, _in_community(Attendance.event_id, community_id)).order_by(Attendance.id))
    return [{"event": a.event.title, "checked_in_at": _when(a.checked_in_at), "walk_in": a.walk_in}
            for a in rows.scalars()]


def _erase_check_ins(person: Person) -> int:
    return 0  # kept: who came counts, and the row holds nothing but the fact


def _export_seats(person: Person, community_id: int | None) -> list[dict]:
    from cop.seating.models import Seat, SeatingPlan

    rows = db.session.execute(
        select(Seat).join(SeatingPlan).where(Seat.person_id == person.id,
                                             _in_community(SeatingPlan.event_id, community_id))
        .order_by(SeatingPlan.event_id, SeatingPlan.version, Seat.round)
    ).scalars()
    return [{"event": seat.plan.event.title, "plan_version": seat.plan.version, "round": seat.round,
             "table": seat.table} for seat in rows]


def _erase_seats(person: Person) -> int:
    return 0  # kept: printed plans and "who has sat together" stay whole; the seat shows "Erased person"


def _mail_about(person: Person):
    from cop.mail.models import OutboxMessage

    return OutboxMessage.recipient == person.email


def _export_mail(person: Person, community_id: int | None) -> list[dict]:
    from cop.mail.models import OutboxMessage

    query = select(OutboxMessage).where(_mail_about(person)).order_by(OutboxMessage.id)
    if community_id is not None:
        query = query.where(OutboxMessage.community_id == community_id)
    messages = db.session.execute(query).scalars()
    return [{"subject": m.subject, "state": m.state, "created_at": _when(m.created_at), "sent_at": _when(m.sent_at),
             "text_body": without_secrets(m.text_body),
             "attachments": [a.get("filename") for a in m.attachments or []]} for m in messages]


def _erase_mail(person: Person) -> int:
    """Mail to them is kept as a row (the outbox counts it) with nothing in it; mail that is
    not yet sent will not be; their name and address are taken out of everyone else's mail."""
    from cop.mail.models import OutboxMessage

    touched = 0
    address = erased_email(person.id)
    for message in db.session.execute(select(OutboxMessage).where(_mail_about(person))).scalars():
        message.recipient = address
        message.subject = "(erased)"
        message.text_body = "(erased)"
        message.html_body = None
        message.attachments = []
        message.reply_to = None
        if message.state == "pending":
            message.state, message.last_error = "failed", "The recipient's personal data was erased."
        touched += 1
    replacements = [(text, instead) for text, instead in ((person.email, address), (person.name, ERASED_NAME))
                    if text and text != instead]
    if not replacements:
        return touched
    others = db.session.execute(select(OutboxMessage).where(or_(
        *(column.contains(text, autoescape=True) for text, _ in replacements for column in (
            OutboxMessage.reply_to, OutboxMessage.subject, OutboxMessage.text_body, OutboxMessage.html_body))
    ))).scalars()
    for message in others:
        for text, instead in replacements:
            message.subject = message.subject.replace(text, instead)
            message.text_body = message.text_body.replace(text, instead)
            message.html_body = message.html_body and message.html_body.replace(text, instead)
            message.attachments = [
                {**a, "data": a["data"].replace(text, instead)} if a.get("encoding") != "base64" else a
                for a in message.attachments or []
            ]
        if message.reply_to == person.email:
            message.reply_to = None
        touched += 1
    return touched


def _export_calendar_tokens(person: Person, community_id: int | None) -> list[dict]:
    from cop.calendars.models import CalendarToken

    if community_id is not None:
        return []
    tokens = db.session.execute(
        select(CalendarToken).where(CalendarToken.person_id == person.id).order_by(CalendarToken.id))
    return [{"created_at": _when(t.created_at), "revoked_at": _when(t.revoked_at)} for t in tokens.scalars()]


def _erase_calendar_tokens(person: Person) -> int:
    from cop.calendars.models import CalendarToken

    tokens = list(db.session.execute(
        select(CalendarToken).where(CalendarToken.person_id == person.id, CalendarToken.revoked_at.is_(None))
    ).scalars())
    for token in tokens:
        token.revoked_at = utcnow()
    return len(tokens)


register_section("profile", _export_profile, _erase_profile)
register_section("account", _export_account, _erase_account)
register_section("sign_in_links", _export_sign_in_links, _erase_sign_in_links)
register_section("memberships", _export_memberships, _erase_memberships)
register_section("invitations", _export_invitations, _erase_invitations)
register_section("check_ins", _export_check_ins, _erase_check_ins)
register_section("seats", _export_seats, _erase_seats)
register_section("mail", _export_mail, _erase_mail)
register_section("calendar_tokens", _export_calendar_tokens, _erase_calendar_tokens)
