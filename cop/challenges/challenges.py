"""Posting challenges, the community's names for the pipeline's stages, and who may take part.

Logic only: no request, no templates. Functions flush; the view or command commits.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from cop.challenges.models import STAGES, Challenge, ParticipationLink, StageName
from cop.clock import utcnow
from cop.communities.access import STAFF
from cop.communities.models import Community
from cop.events.models import Event
from cop.extensions import db
from cop.people.models import Person
from cop.tokens import hash_token, new_token

# Roles who take part in a challenge open to the community's members; a "link" challenge adds guests and
# anyone holding a personal link.
MEMBER_ROLES = ("organiser", "facilitator", "member")


class ChallengeRefused(ValueError):
    """A change that cannot be made; the message says why, in the organiser's words."""


@dataclass
class ChallengeDetails:
    title: str
    question: str
    background: str
    audience: str
    allow_anonymous: bool
    opens_at: datetime
    closes_at: datetime
    event_id: int | None = None


def challenges_of(community: Community, role: str) -> list[Challenge]:
    """The community's challenges this role may see, newest first."""
    query = select(Challenge).where(Challenge.community_id == community.id)
    if role not in MEMBER_ROLES:
        query = query.where(Challenge.audience == "link")
    return list(db.session.execute(query.order_by(Challenge.opens_at.desc(), Challenge.id.desc())).scalars())


def events_to_tie(community: Community) -> list[Event]:
    """Events a challenge may be tied to: the community's published or draft ones still to come."""
    return list(db.session.execute(
        select(Event).where(Event.community_id == community.id, Event.status != "cancelled",
                            Event.ends_at > utcnow()).order_by(Event.starts_at)).scalars())


def _apply(challenge: Challenge, details: ChallengeDetails) -> None:
    if details.closes_at <= details.opens_at:
        raise ChallengeRefused("The challenge must close after it opens")
    if details.event_id is not None:
        event = db.session.get(Event, details.event_id)
        if event is None or event.community_id != challenge.community_id:
            raise ChallengeRefused("Choose one of this community's events")
    challenge.title = details.title.strip()
    challenge.question = details.question.strip()
    challenge.background = (details.background or "").strip()
    challenge.audience = details.audience
    challenge.allow_anonymous = details.allow_anonymous
    challenge.opens_at = details.opens_at
    challenge.closes_at = details.closes_at
    challenge.event_id = details.event_id


def post_challenge(community: Community, details: ChallengeDetails, by: Person | None) -> Challenge:
    challenge = Challenge(community_id=community.id, created_by_id=by.id if by else None)
    _apply(challenge, details)
    db.session.add(challenge)
    db.session.flush()
    return challenge


def update_challenge(challenge: Challenge, details: ChallengeDetails) -> None:
    _apply(challenge, details)
    db.session.flush()


def challenges_for_event(event: Event) -> list[Challenge]:
    return list(db.session.execute(
        select(Challenge).where(Challenge.event_id == event.id).order_by(Challenge.id)).scalars())


# --- Stages -----------------------------------------------------------------------------------------


def stage_labels(community_id: int) -> dict[str, str]:
    """Each stage's name in this community, in the pipeline's order."""
    renamed = dict(db.session.execute(
        select(StageName.stage, StageName.label).where(StageName.community_id == community_id)).tuples().all())
    return {stage: renamed.get(stage, label) for stage, label in STAGES.items()}


def rename_stages(community: Community, labels: dict[str, str]) -> None:
    """The community's names for the stages; a blank or default name goes back to the default."""
    existing = {s.stage: s for s in db.session.execute(
        select(StageName).where(StageName.community_id == community.id)).scalars()}
    for stage, default in STAGES.items():
        label = (labels.get(stage) or "").strip()
        row = existing.get(stage)
        if not label or label == default:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(StageName(community_id=community.id, stage=stage, label=label))
        else:
            row.label = label
    db.session.flush()


# --- Who takes part -----------------------------------------------------------------------------------


def role_may_take_part(challenge: Challenge, role: str | None) -> bool:
    if role is None:
        return False
    return role in MEMBER_ROLES or challenge.audience == "link"


def is_staff(role: str | None) -> bool:
    return role in STAFF


def new_participation_link(challenge: Challenge, person: Person) -> str:
    """Mint a personal link for one mail; returns the token (only its hash is stored)."""
    token, token_hash = new_token()
    db.session.add(ParticipationLink(challenge_id=challenge.id, person_id=person.id, token_hash=token_hash))
    db.session.flush()
    return token


def link_for_token(token: str) -> ParticipationLink | None:
    """The live (not revoked) link with this token, if its challenge still takes links."""
    link = db.session.execute(
        select(ParticipationLink).where(ParticipationLink.token_hash == hash_token(token))).scalar_one_or_none()
    return link if link is not None and link_is_live(link) else None


def link_is_live(link: ParticipationLink) -> bool:
    if link.revoked_at is not None or link.person.is_erased:
        return False
    challenge = db.session.get(Challenge, link.challenge_id)
    return challenge is not None and challenge.audience == "link"


def link_by_hash(token_hash: str) -> ParticipationLink | None:
    link = db.session.execute(
        select(ParticipationLink).where(ParticipationLink.token_hash == token_hash)).scalar_one_or_none()
    return link if link is not None and link_is_live(link) else None


def links_of(challenge: Challenge) -> list[tuple[Person, int, datetime]]:
    """People holding live personal links to the challenge: (person, how many links, the latest)."""
    rows = db.session.execute(
        select(ParticipationLink).where(ParticipationLink.challenge_id == challenge.id,
                                        ParticipationLink.revoked_at.is_(None))
        .order_by(ParticipationLink.created_at)).scalars()
    people: dict[int, list] = {}
    for link in rows:
        entry = people.setdefault(link.person_id, [link.person, 0, link.created_at])
        entry[1] += 1
        entry[2] = link.created_at
    return sorted((tuple(v) for v in people.values()), key=lambda row: (row[0].name.casefold(), row[0].id))


def revoke_links(challenge: Challenge, person_id: int) -> int:
    """Every personal link of this person to this challenge stops working."""
    links = db.session.execute(select(ParticipationLink).where(
        ParticipationLink.challenge_id == challenge.id, ParticipationLink.person_id == person_id,
        ParticipationLink.revoked_at.is_(None))).scalars().all()
    now = utcnow()
    for link in links:
        link.revoked_at = now
    db.session.flush()
    return len(links)
