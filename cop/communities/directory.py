"""Creating communities and listing them for the person signed in."""
import re

from sqlalchemy import func, select

from cop.communities.models import Community, Membership
from cop.extensions import db
from cop.people.models import Person

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def communities_for(account) -> list[tuple[Community, str]]:
    """(community, role) pairs the account can open; administrators see them all."""
    if account.is_admin:
        return [(c, "organiser") for c in db.session.execute(select(Community).order_by(Community.name)).scalars()]
    rows = db.session.execute(
        select(Community, Membership.role)
        .join(Membership, Membership.community_id == Community.id)
        .where(Membership.person_id == account.person_id)
        .order_by(Community.name)
    )
    return [(community, role) for community, role in rows]


def slug_taken(slug: str, except_id: int | None = None) -> bool:
    query = select(Community.id).where(Community.slug == slug)
    if except_id is not None:
        query = query.where(Community.id != except_id)
    return db.session.execute(query).first() is not None


def create_community(name: str, slug: str, description: str, organiser: Person) -> Community:
    community = Community(name=name, slug=slug, description=description)
    community.memberships.append(Membership(person=organiser, role="organiser"))
    db.session.add(community)
    db.session.flush()
    return community


def role_counts(community: Community) -> dict[str, int]:
    rows = db.session.execute(
        select(Membership.role, func.count()).where(Membership.community_id == community.id).group_by(Membership.role)
    )
    return dict(rows.tuples().all())
