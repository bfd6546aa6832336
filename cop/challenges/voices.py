"""Who is speaking: participation and support broken down by organisation, sector and profession, from the
community's own member records (cop.communities.members), and the groups to seat by idea.

Logic only: reads, never writes.
"""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from cop.challenges import ideas as idea_logic
from cop.challenges.models import Challenge, Idea, IdeaComment, IdeaSupport
from cop.communities.members import Member, members_by_id
from cop.extensions import db
from cop.people.models import PROFESSIONS, SECTORS

UNKNOWN = "Not recorded"
# An idea supported by people of at least this many organisations is "across organisations".
ACROSS_ORGANISATIONS = 3


@dataclass
class Breakdown:
    """Counts of people by organisation, sector and profession, largest first."""

    people: int = 0
    organisations: list[tuple[str, int]] = field(default_factory=list)
    sectors: list[tuple[str, int]] = field(default_factory=list)
    professions: list[tuple[str, int]] = field(default_factory=list)

    @property
    def organisation_count(self) -> int:
        return len([name for name, _ in self.organisations if name != UNKNOWN])


def breakdown(people: list[Member]) -> Breakdown:
    organisations = Counter(m.organisation.name if m.organisation else UNKNOWN for m in people)
    sectors = Counter(SECTORS[m.organisation.sector] if m.organisation else UNKNOWN for m in people)
    professions = Counter(PROFESSIONS[m.profession] for m in people)

    def ordered(counter: Counter) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda item: (-item[1], item[0].casefold()))

    return Breakdown(len(people), ordered(organisations), ordered(sectors), ordered(professions))


def spread_of(supporters: list[Member]) -> str:
    """"across" (supported across many organisations), "within" (all from one), or "" (neither, or too few)."""
    organisations = {m.organisation_id for m in supporters if m.organisation_id}
    if len(organisations) >= ACROSS_ORGANISATIONS:
        return "across"
    if len(supporters) >= 2 and len(organisations) == 1 and all(m.organisation_id for m in supporters):
        return "within"
    return ""


SPREAD_LABELS = {"across": f"Supported across {ACROSS_ORGANISATIONS} or more organisations",
                 "within": "Supported within one organisation", "": ""}


def participant_ids(challenge: Challenge) -> set[int]:
    """Everyone who gave, supported or commented on an idea of the challenge."""
    in_challenge = select(Idea.id).where(Idea.challenge_id == challenge.id)
    ids = set(db.session.execute(select(Idea.author_id).where(Idea.challenge_id == challenge.id)).scalars())
    ids.update(db.session.execute(select(IdeaSupport.person_id).where(IdeaSupport.idea_id.in_(in_challenge))).scalars())
    ids.update(db.session.execute(select(IdeaComment.author_id).where(IdeaComment.idea_id.in_(in_challenge))).scalars())
    return ids


@dataclass
class IdeaVoices:
    row: idea_logic.IdeaRow
    supporters: list[Member]
    breakdown: Breakdown
    spread: str

    @property
    def organisations(self) -> int:
        return self.breakdown.organisation_count


@dataclass
class ChallengeVoices:
    participants: Breakdown
    ideas: list[IdeaVoices]


def challenge_voices(challenge: Challenge, include_hidden: bool = True) -> ChallengeVoices:
    rows = idea_logic.find_ideas(challenge, idea_logic.IdeaFilter(sort="supported"), include_hidden=include_hidden)
    by_idea = idea_logic.supporter_ids(r.idea.id for r in rows)
    people = members_by_id(challenge.community_id, participant_ids(challenge))
    ideas = []
    for row in rows:
        supporters = [people[i] for i in by_idea[row.idea.id] if i in people]
        ideas.append(IdeaVoices(row, supporters, breakdown(supporters), spread_of(supporters)))
    return ChallengeVoices(breakdown(list(people.values())), ideas)


def organisation_total(found: ChallengeVoices) -> int:
    """How many organisations took part: the most any one idea's supporters could come from."""
    return found.participants.organisation_count


def idea_voices(idea: Idea) -> tuple[Breakdown, str]:
    ids = idea_logic.supporter_ids([idea.id])[idea.id]
    people = members_by_id(idea.challenge.community_id, ids)
    supporters = [people[i] for i in ids if i in people]
    return breakdown(supporters), spread_of(supporters)


# --- Seating by idea ------------------------------------------------------------------------------------

SEATING_STAGES = ("shortlisted",)


@dataclass
class SeatingGroup:
    idea: Idea
    people: list[Member]


def seating_groups(challenge: Challenge, seatable: list[Member], size: int) -> list[SeatingGroup]:
    """People who supported the same shortlisted idea, in groups of at most `size` to sit at one table:
    each idea's supporters among those who can be seated, dealt in turn by organisation so that every
    group mixes organisations. Someone who supported several shortlisted ideas sits with the first (the
    most supported) only; groups of one are left to the engine."""
    size = max(2, size)
    seatable_by_id = {m.id: m for m in seatable}
    rows = [r for r in idea_logic.find_ideas(challenge, idea_logic.IdeaFilter(sort="supported"))
            if r.idea.stage in SEATING_STAGES]
    by_idea = idea_logic.supporter_ids(r.idea.id for r in rows)
    placed: set[int] = set()
    groups: list[SeatingGroup] = []
    for row in rows:
        people = [seatable_by_id[i] for i in by_idea[row.idea.id] if i in seatable_by_id and i not in placed]
        if len(people) < 2:
            continue
        placed.update(m.id for m in people)
        chunks = -(-len(people) // size)
        # Deal organisation by organisation (largest first), one person to each group in turn.
        by_org: dict[object, list[Member]] = {}
        for member in sorted(people, key=lambda m: (m.name.casefold(), m.id)):
            by_org.setdefault(member.organisation_id, []).append(member)
        dealt = [m for _, ms in sorted(by_org.items(), key=lambda kv: -len(kv[1])) for m in ms]
        parts: list[list[Member]] = [[] for _ in range(chunks)]
        for index, member in enumerate(dealt):
            parts[index % chunks].append(member)
        groups.extend(SeatingGroup(row.idea, part) for part in parts if len(part) >= 2)
    return groups
