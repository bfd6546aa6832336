"""The member records section of a person's data: each community's record of them (see cop/people/personal_data.py)."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cop.communities.models import Membership
from cop.extensions import db
from cop.people.models import Person
from cop.people.personal_data import register_section, when


def _memberships(person: Person, community_id: int | None = None):
    query = select(Membership).where(Membership.person_id == person.id).order_by(Membership.id).options(
        selectinload(Membership.community), selectinload(Membership.organisation),
        selectinload(Membership.line_manager))
    if community_id is not None:
        query = query.where(Membership.community_id == community_id)
    return list(db.session.execute(query).scalars())


def _export_memberships(person: Person, community_id: int | None) -> list[dict]:
    """Each community's record of the person, with their role in it."""
    return [{"community": m.community.name, "community_slug": m.community.slug, "role": m.role,
             "invite_quota": m.invite_quota, "joined_at": when(m.joined_at),
             "organisation": m.organisation.name if m.organisation else None, "profession": m.profession,
             "role_title": m.role_title, "interests": m.interests, "dietary_needs": m.dietary_needs,
             "access_needs": m.access_needs, "notes": m.notes,
             "line_manager": m.line_manager.email if m.line_manager else None}
            for m in _memberships(person, community_id)]


def _erase_memberships(person: Person) -> int:
    # Kept (member counts), without what identifies them; organisation and profession stay, since the mixing
    # reports count them and alone they name nobody. Trusted inviting ends.
    memberships = _memberships(person)
    for m in memberships:
        m.invite_quota = 0
        m.role_title = m.interests = m.dietary_needs = m.access_needs = m.notes = ""
        m.line_manager = None
    return len(memberships)


register_section("memberships", _export_memberships, _erase_memberships)
