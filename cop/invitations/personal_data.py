"""The invitations section of a person's data (see cop/people/personal_data.py)."""
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from cop.clock import utcnow
from cop.events.models import Event
from cop.events.personal_data import of_community
from cop.extensions import db
from cop.invitations.models import Invitation, InvitationLink
from cop.invitations.rsvp import lock_event, promote_from_waitlist, release_place
from cop.people.models import Person
from cop.people.personal_data import register_section, when


def _invitations(person: Person, community_id: int | None = None):
    # Each table in one query, whatever the number of invitations (issue 19: 733 queries for a long-standing member).
    return list(db.session.execute(
        select(Invitation).where(Invitation.person_id == person.id, of_community(Invitation.event_id, community_id))
        .options(selectinload(Invitation.event).selectinload(Event.community), selectinload(Invitation.invited_by),
                 selectinload(Invitation.links))
        .order_by(Invitation.id)
    ).scalars())


def _export_invitations(person: Person, community_id: int | None) -> list[dict]:
    return [{
        "event": invitation.event.title, "event_starts_at": when(invitation.event.starts_at),
        "community": invitation.event.community.name,
        "invited_by": invitation.invited_by.name if invitation.invited_by else None,
        "answer": invitation.answer, "place": invitation.place, "waitlist_position": invitation.waitlist_position,
        "attendance_mode": invitation.attendance_mode, "dietary_needs": invitation.dietary_needs,
        "access_needs": invitation.access_needs, "answered_at": when(invitation.answered_at),
        "revoked_at": when(invitation.revoked_at), "created_at": when(invitation.created_at),
        "personal_links": [{"created_at": when(link.created_at)} for link in invitation.links],
    } for invitation in _invitations(person, community_id)]


def _erase_invitations(person: Person) -> int:
    """Past answers stay for the counts, without needs or links; a place at an event still to
    come is given up (the person will not come) and passes to the waitlist."""

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


register_section("invitations", _export_invitations, _erase_invitations)
