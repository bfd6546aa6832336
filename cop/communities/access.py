"""Who may do what in a community. Every community view asks here."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from cop.communities.models import Community, Membership
from cop.extensions import db

MANAGERS = ("organiser",)
STAFF = ("organiser", "facilitator")
ANY_ROLE = ("organiser", "facilitator", "member", "guest")


def role_in(community: Community, account) -> str | None:
    """The account's role in the community; site administrators act as organisers."""
    if account is None or not account.is_authenticated:
        return None
    if account.is_admin:
        return "organiser"
    return db.session.execute(
        select(Membership.role).where(
            Membership.community_id == community.id, Membership.person_id == account.person_id
        )
    ).scalar_one_or_none()


def community_for(slug: str, allowed_roles: tuple[str, ...]) -> tuple[Community, str]:
    """The community named by the URL, if the signed-in account holds one of the roles.

    404 when there is no such community, 403 when the account may not act in it.
    Views call this after @login_required, so anonymous visitors are sent to sign in.
    """
    community = db.first_or_404(select(Community).where(Community.slug == slug))
    role = role_in(community, current_user)
    if role not in allowed_roles:
        abort(403)
    return community, role
