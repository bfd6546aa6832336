"""Workforce exchange pairs: two people from different organisations who share an interest.

Pairing is a maximum-weight matching on "shared interests" (the community's record of each member, a comma-separated
list, compared without case), among people of different organisations, done greedily by weight: the
pairs sharing most interests are taken first, each person at most once. Greedy matching by weight
reaches at least half the best total and usually nearly all of it.

It never lists the candidate pairs (at 5,000 people that is millions, and listing them took minutes):
for each number of shared interests s, from the most down to one, the people still free are put in a
bucket per set of s interests they hold; everyone in a bucket shares at least those s. Inside a bucket
the pairs are a maximum matching across organisations, which is exact and linear: people grouped by
organisation, the largest group first, each paired with the one half the bucket further on (no group
bigger than half can span that distance), or, when one organisation holds more than half, everyone else
paired with someone of it. Buckets of scarce interests go first, so common interests do not take their
people. The work is linear in people x interest sets (milliseconds at 5,000 people); ties by name, so
the result is reproducible. People already introduced in this community are left out, so each person
gets one exchange partner and each introduction is sent once (the pair is stored, and the store refuses
the same pair twice).

Each pair is introduced by e-mail through the outbox: one mail to each of the two, naming the
other, with Reply-To set to the other person, so replying starts the conversation.
"""
import itertools
import math
import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from cop.communities.members import Member, PeopleFilter, find_members, members_by_id
from cop.communities.models import Community
from cop.exchange.models import ExchangePair
from cop.extensions import db
from cop.mail.outbox import queue_mail
from cop.people.models import Person
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
    """Greedy maximum-weight matching on shared interests across organisations, by buckets (see the module doc)."""
    people = sorted(people, key=lambda p: (p.name.casefold(), p.id))
    interests = {p.id: sorted(interests_of(p)) for p in people}
    eligible = [p for p in people if p.organisation_id is not None and interests[p.id]]
    most = max((len(interests[p.id]) for p in eligible), default=0)
    taken: set[int] = set()
    pairs = []
    for size in range(most, 0, -1):  # the most interests shared first
        buckets: dict[tuple[str, ...], list[Member]] = defaultdict(list)
        for person in eligible:
            held = interests[person.id]
            if person.id in taken or len(held) < size or math.comb(len(held), size) > MAX_INTEREST_SETS:
                continue  # someone listing very many interests is paired on fewer shared at a time
            for chosen in itertools.combinations(held, size):
                buckets[chosen].append(person)
        for chosen in sorted(buckets, key=lambda key: (len(buckets[key]), key)):  # scarce interests first
            free = [person for person in buckets[chosen] if person.id not in taken]
            for first, second in _across_organisations(free):
                taken.update((first.id, second.id))
                low, high = sorted((first, second), key=lambda p: p.id)
                pairs.append(PairSuggestion(low, high, shared_interests(low, high)))
    return sorted(pairs, key=lambda pair: (-len(pair.shared), pair.first.name.casefold(), pair.first.id))


MAX_INTEREST_SETS = 64  # interest sets one person is put in at one size: C(8, 4) = 70 is past it


def _across_organisations(people: list[Member]) -> list[tuple[Member, Member]]:
    """A maximum matching of these people in which nobody is paired within their organisation."""
    groups: dict[int | None, list[Member]] = defaultdict(list)
    for person in people:
        groups[person.organisation_id].append(person)
    ordered_groups = sorted(groups.values(), key=lambda group: -len(group))  # stable: ties in name order
    if not ordered_groups:
        return []
    largest, others = ordered_groups[0], [p for group in ordered_groups[1:] for p in group]
    if len(largest) > len(people) // 2:
        return list(zip(largest, others))
    ordered = [person for group in ordered_groups for person in group]
    half = len(ordered) // 2
    return [(ordered[i], ordered[i + half]) for i in range(half)]


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


def pairs_of(community: Community, limit: int | None = None) -> list[ExchangePair]:
    """The pairs introduced, newest first (the two people loaded with them: one query each, not per pair)."""
    return list(db.session.execute(
        select(ExchangePair).where(ExchangePair.community_id == community.id)
        .options(selectinload(ExchangePair.first), selectinload(ExchangePair.second))
        .order_by(ExchangePair.introduced_at.desc(), ExchangePair.id.desc()).limit(limit)
    ).scalars())


def count_pairs(community: Community) -> int:
    return db.session.scalar(select(func.count(ExchangePair.id)).where(ExchangePair.community_id == community.id)) or 0


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
