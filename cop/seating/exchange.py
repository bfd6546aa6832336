"""Workforce exchange pairs: two people from different organisations who share an interest.

Pairing is a maximum-weight matching on "shared interests" (the community's record of each member, a comma-separated
list, compared without case), among people of different organisations. It is done greedily: the
pairs sharing most interests are taken first (ties by name, so the result is reproducible), each
person at most once. Greedy matching reaches at least half the best total and usually nearly all
of it; for a cohort of a few hundred it takes milliseconds. People already introduced in this
community are left out, so each person gets one exchange partner and each introduction is sent
once (the pair is stored, and the store refuses the same pair twice).

Each pair is introduced by e-mail through the outbox: one mail to each of the two, naming the
other, with Reply-To set to the other person, so replying starts the conversation.
"""
import re
from dataclasses import dataclass

from sqlalchemy import or_, select

from cop.communities.members import Member, PeopleFilter, find_members, members_by_id
from cop.communities.models import Community
from cop.extensions import db
from cop.mail.outbox import queue_mail
from cop.people.models import Person
from cop.seating.models import ExchangePair
from cop.text import one_line


class PairRefused(ValueError):
    """A pair cannot be introduced; the message says why."""


def interests_of(person: Member) -> dict[str, str]:
    """casefolded interest -> the interest as written."""
    found: dict[str, str] = {}
    for interest in re.split(r"[,;\n]+", person.interests or ""):
        interest = interest.strip()
        if interest:
            found.setdefault(interest.casefold(), interest)
    return found


def shared_interests(first: Member, second: Member) -> list[str]:
    mine, theirs = interests_of(first), interests_of(second)
    return sorted(mine[key] for key in mine.keys() & theirs.keys())


def can_pair(first: Member, second: Member) -> bool:
    return (first.id != second.id and first.organisation_id is not None and second.organisation_id is not None
            and first.organisation_id != second.organisation_id and bool(shared_interests(first, second)))


@dataclass
class PairSuggestion:
    first: Member
    second: Member
    shared: list[str]

    @property
    def key(self) -> str:
        return f"{self.first.id}-{self.second.id}"


def suggest_pairs(people: list[Member]) -> list[PairSuggestion]:
    """Greedy maximum-weight matching on shared interests across organisations (see the module doc)."""
    people = sorted(people, key=lambda p: (p.name.casefold(), p.id))
    interests = {p.id: interests_of(p) for p in people}
    edges = []
    for i, first in enumerate(people):
        if first.organisation_id is None or not interests[first.id]:
            continue
        for second in people[i + 1:]:
            if second.organisation_id is None or second.organisation_id == first.organisation_id:
                continue
            shared = interests[first.id].keys() & interests[second.id].keys()
            if shared:
                edges.append((-len(shared), i, people.index(second), first, second))
    taken: set[int] = set()
    pairs = []
    for _weight, _i, _j, first, second in sorted(edges, key=lambda edge: edge[:3]):
        if first.id in taken or second.id in taken:
            continue
        taken.update((first.id, second.id))
        low, high = sorted((first, second), key=lambda p: p.id)
        pairs.append(PairSuggestion(low, high, shared_interests(low, high)))
    return pairs


def paired_person_ids(community: Community) -> set[int]:
    rows = db.session.execute(
        select(ExchangePair.first_id, ExchangePair.second_id).where(ExchangePair.community_id == community.id)
    ).all()
    return {pid for row in rows for pid in row}


def candidates(community: Community, wanted: PeopleFilter) -> list[Member]:
    """The members matching the filter who have no exchange partner yet."""
    paired = paired_person_ids(community)
    page = find_members(community, wanted, page=1, per_page=1_000_000)
    return [Member(person, membership) for person, membership in page.rows if person.id not in paired]


def pairs_of(community: Community) -> list[ExchangePair]:
    return list(db.session.execute(
        select(ExchangePair).where(ExchangePair.community_id == community.id)
        .order_by(ExchangePair.introduced_at.desc(), ExchangePair.id.desc())
    ).scalars())


def _introduction(community: Community, person: Member, other: Member, shared: list[str]) -> None:
    where = f", {other.role_title}" if other.role_title else ""
    where += f" at {other.organisation.name}" if other.organisation else ""
    queue_mail(
        person.email, f"An introduction from {community.name}: {other.name}",
        f"Hello {person.name},\n\n"
        f"{community.name} would like to introduce you to {other.name}{where}. You share an interest in "
        f"{', '.join(shared)}.\n\n"
        "A workforce exchange is a chance to spend time in each other's work: a visit, shadowing for a day, "
        "or a conversation about how things are done on the other side.\n\n"
        f"Reply to this email to write to {other.name} ({other.email}). They have had the same introduction "
        "to you.\n",
        reply_to=other.email, community_id=community.id,
    )


def introduce(community: Community, chosen: list[tuple[int, int]], by: Person | None) -> list[ExchangePair]:
    """Store the chosen pairs and queue their introductions, in the caller's transaction. Every pair is
    checked again: both in the community, different organisations, an interest shared, neither introduced."""
    if not chosen:
        raise PairRefused("Choose at least one pair to introduce.")
    paired = paired_person_ids(community)
    made = []
    for first_id, second_id in chosen:
        members = members_by_id(community.id, (first_id, second_id))
        first, second = (members.get(pid) for pid in sorted((first_id, second_id)))
        if first is None or second is None or first.id == second.id or first.record is None or second.record is None:
            raise PairRefused("A chosen pair is not two people of this community.")
        if first.id in paired or second.id in paired:
            raise PairRefused(f"{first.name} or {second.name} has been introduced to an exchange partner already.")
        if not can_pair(first, second):
            raise PairRefused(f"{first.name} and {second.name} are in the same organisation or share no interest.")
        paired.update((first.id, second.id))
        shared = shared_interests(first, second)
        pair = ExchangePair(community_id=community.id, first=first.person, second=second.person,
                            shared_interests=one_line(", ".join(shared))[:500], introduced_by_id=by.id if by else None)
        db.session.add(pair)
        _introduction(community, first, second, shared)
        _introduction(community, second, first, shared)
        made.append(pair)
    db.session.flush()
    return made


def introduced(community: Community, person: Person) -> ExchangePair | None:
    return db.session.execute(
        select(ExchangePair).where(ExchangePair.community_id == community.id,
                                   or_(ExchangePair.first_id == person.id, ExchangePair.second_id == person.id))
    ).scalar_one_or_none()
