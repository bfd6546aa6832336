"""How people came to events: each invitation's channel, for the reports.

An invitation made by an organiser is "invitation"; by a trusted member (invited_by set) "trusted
member"; one made from a registration carries the shared link's channel tag ("linkedin"), or
"public" for the registration page reached without a tag.
"""
from dataclasses import dataclass

from sqlalchemy import select

from cop.extensions import db
from cop.invitations.models import Invitation

INVITATION = "invitation"
TRUSTED_MEMBER = "trusted member"


@dataclass(frozen=True)
class Arrival:
    event_id: int
    person_id: int
    channel: str  # "invitation", "trusted member", or a registration's channel tag
    said_yes: bool


def channel_of(invitation_channel: str, invited_by_id: int | None) -> str:
    if invitation_channel:
        return invitation_channel
    return TRUSTED_MEMBER if invited_by_id else INVITATION


def arrivals(event_ids) -> list[Arrival]:
    """Every invitation not revoked at these events, with its channel (one query)."""
    ids = list(event_ids)
    if not ids:
        return []
    rows = db.session.execute(
        select(Invitation.event_id, Invitation.person_id, Invitation.channel, Invitation.invited_by_id,
               Invitation.answer)
        .where(Invitation.event_id.in_(ids), Invitation.is_live)
    ).all()
    return [Arrival(event_id, person_id, channel_of(channel, invited_by), answer == "yes")
            for event_id, person_id, channel, invited_by, answer in rows]
