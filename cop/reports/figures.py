"""The report figures, from plain data: who came, which organisations were new, who sat with whom.

No Flask and no database here: cop.reports.queries loads the records, these functions
count. The definitions (the report pages say the same in words):

- Attendance: the people checked in at the door, walk-ins included (cop.door.check_in).
  Invited or confirmed people who were not checked in did not come.
- Organisations never seen before: an attendee's organisation that no attendee of an earlier
  event of the community came from. The first event's organisations are all new. People with
  no organisation recorded count in attendance but never as from a new organisation.
- Table-mates: two attendees at the same table in the same round of the event's seating plan in
  use (current or printed; drafts are ignored). People in the plan who were not checked in did
  not sit there, and are left out. A pair is cross-organisation when both have an organisation
  recorded and the two differ.
- New cross-organisation pairs: cross-organisation table-mates who were not table-mates at any
  earlier event of the community.
- Mixing reach: the distinct cross-organisation table-mate pairs of an event, as a count and as a
  share of what the room allowed (see allowed_cross_pairs).
"""
import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

NOT_RECORDED = "Not recorded"
NO_ORGANISATION = "No organisation recorded"


@dataclass(frozen=True)
class Attendee:
    person_id: int
    organisation_id: int | None
    organisation: str  # the name; "" when none is recorded
    sector: str  # the label, e.g. "Acute trust"; "" when none
    profession: str  # the label, e.g. "Nursing"
    place: str


@dataclass(frozen=True)
class Seating:
    """An event's plan in use: table capacities, and per round the person ids at each table."""

    tables: tuple[int, ...]
    rounds: tuple[tuple[tuple[int, ...], ...], ...]


@dataclass(frozen=True)
class EventRecord:
    event_id: int
    title: str
    starts_at: datetime
    attendees: tuple[Attendee, ...]
    seating: Seating | None = None
    theme: str = ""  # the theme of the year it carried (its name); "" for none


Pair = tuple[int, int]  # person ids, smaller first
OrganisationPair = tuple[str, str]  # organisation names, in alphabetical order


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def tally(values) -> list[tuple[str, int]]:
    """(label, count), most first, then alphabetical."""
    return sorted(Counter(values).items(), key=lambda item: (-item[1], item[0].casefold()))


# --- mixing reach: what the room allowed ----------------------------------------------------------


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def most_pairs_at_tables(capacities, people: int) -> int:
    """The most pairs `people` can form sitting at these tables: fill the largest tables first."""
    pairs = 0
    for capacity in sorted(capacities, reverse=True):
        seated = min(capacity, people)
        pairs += _pairs(seated)
        people -= seated
    return pairs


def fewest_pairs_within(capacities, people: int) -> int:
    """The fewest pairs one organisation's `people` must form at these tables: spread them as
    evenly as the capacities allow (adding each person to the emptiest table with room is optimal,
    as each further person at a table adds one more pair than the last)."""
    heap = [(0, capacity) for capacity in capacities if capacity > 0]
    heapq.heapify(heap)
    pairs = 0
    for _ in range(people):
        if not heap:
            break  # more people than seats: the plan could not hold them, so they add nothing
        sitting, capacity = heapq.heappop(heap)
        pairs += sitting
        if sitting + 1 < capacity:
            heapq.heappush(heap, (sitting + 1, capacity))
    return pairs


def allowed_cross_pairs(capacities, rounds: list[Counter], everyone: Counter) -> int:
    """The most distinct cross-organisation pairs the plan's tables and rounds could have produced
    for these people. `rounds` gives, per round, how many of the people seated in it come from each
    organisation; `everyone` the same for all the people, counted once each.

    Exact maxima would need a search; this is an upper bound, computed exactly, and it is the
    smaller of two numbers:
    1. the cross-organisation pairs that exist among the people at all (everyone from a different
       organisation from everyone else), and
    2. the sum over rounds of: the most pairs the tables can hold for that round's people (largest
       tables filled first) minus, for each organisation, the fewest pairs its own people must form
       (spread as evenly as the tables allow).
    A real seating never beats either, so the mixing reach share is never above 100%.
    """
    per_round_limit = 0
    for sizes in rounds:
        people = sum(sizes.values())
        per_round_limit += most_pairs_at_tables(capacities, people) - sum(
            fewest_pairs_within(capacities, n) for n in sizes.values())
    total = sum(everyone.values())
    existing = _pairs(total) - sum(_pairs(n) for n in everyone.values())
    return max(0, min(existing, per_round_limit))


# --- one event ------------------------------------------------------------------------------------


def table_pairs(record: EventRecord) -> dict[Pair, int]:
    """Attendees who shared a table in any round of the plan in use: pair -> rounds shared."""
    if record.seating is None:
        return {}
    present = {a.person_id for a in record.attendees}
    pairs: Counter = Counter()
    for tables in record.seating.rounds:
        for table in tables:
            sitting = sorted(pid for pid in set(table) if pid in present)
            pairs.update((a, b) for i, a in enumerate(sitting) for b in sitting[i + 1:])
    return dict(pairs)


def _organisation_pair(a: Attendee, b: Attendee) -> OrganisationPair | None:
    if a.organisation_id is None or b.organisation_id is None or a.organisation_id == b.organisation_id:
        return None
    first, second = sorted((a.organisation, b.organisation), key=str.casefold)
    return first, second


@dataclass
class EventFigures:
    record: EventRecord
    attendance: int
    by_organisation: list[tuple[str, int]]
    by_sector: list[tuple[str, int]]
    by_profession: list[tuple[str, int]]
    by_place: list[tuple[str, int]]
    organisations: int
    new_organisations: list[str]
    from_new_organisations: int
    seated: int  # attendees seated in the plan in use
    cross_pairs: int  # mixing reach: distinct cross-organisation table-mate pairs
    allowed_pairs: int | None  # what the room allowed (None without a plan)
    new_cross_pairs: int
    # organisation pair -> distinct person pairs from the two who shared a table at this event
    links: dict[OrganisationPair, int] = field(default_factory=dict)
    # The same by organisation ids (smaller first), and the new cross pairs alone: what is kept (cop.reports.store)
    id_links: dict[tuple[int, int], int] = field(default_factory=dict)
    new_id_links: dict[tuple[int, int], int] = field(default_factory=dict)
    new_organisation_ids: list[int] = field(default_factory=list)
    new_organisation_pairs: int = 0  # pairs of organisations whose people shared a table for the first time
    plan_in_use: bool | None = None  # kept figures say so; None: the record's seating does

    @property
    def new_organisation_share(self) -> float | None:
        return share(self.from_new_organisations, self.attendance)

    @property
    def reach_share(self) -> float | None:
        return share(self.cross_pairs, self.allowed_pairs or 0)

    @property
    def has_plan(self) -> bool:
        return self.plan_in_use if self.plan_in_use is not None else self.record.seating is not None

    # For the trend lines: an event without a plan in use leaves a gap, not a zero.
    @property
    def cross_pairs_if_seated(self) -> int | None:
        return self.cross_pairs if self.has_plan else None

    @property
    def new_cross_pairs_if_seated(self) -> int | None:
        return self.new_cross_pairs if self.has_plan else None


def _breakdowns(attendees) -> dict[str, list[tuple[str, int]]]:
    return {
        "organisation": tally(a.organisation or NO_ORGANISATION for a in attendees),
        "sector": tally(a.sector or NOT_RECORDED for a in attendees),
        "profession": tally(a.profession or NOT_RECORDED for a in attendees),
        "place": tally(a.place or NOT_RECORDED for a in attendees),
    }


def _id_pair(a: Attendee, b: Attendee) -> tuple[int, int] | None:
    if a.organisation_id is None or b.organisation_id is None or a.organisation_id == b.organisation_id:
        return None
    return (a.organisation_id, b.organisation_id) if a.organisation_id < b.organisation_id else (
        b.organisation_id, a.organisation_id)


def event_figures(record: EventRecord, seen_organisations: set[int], seen_pairs: set[Pair],
                  seen_organisation_pairs: set[tuple[int, int]] | None = None) -> EventFigures:
    """The figures of one event, given the organisations, table-mate pairs and (by ids) organisation pairs
    of the earlier ones."""
    attendees = {a.person_id: a for a in record.attendees}
    organisations = {a.organisation_id for a in attendees.values() if a.organisation_id is not None}
    new = organisations - seen_organisations
    names = {a.organisation_id: a.organisation for a in attendees.values()}
    links: Counter = Counter()
    id_links: Counter = Counter()
    new_id_links: Counter = Counter()
    cross, fresh = 0, 0
    for pair in table_pairs(record):
        id_pair = _id_pair(attendees[pair[0]], attendees[pair[1]])
        if id_pair is None:
            continue
        first, second = sorted((names[id_pair[0]], names[id_pair[1]]), key=str.casefold)
        cross += 1
        id_links[id_pair] += 1
        if pair not in seen_pairs:
            fresh += 1
            new_id_links[id_pair] += 1
        links[(first, second)] += 1
    allowed, seated = None, 0
    if record.seating is not None:
        seated = len({pid for tables in record.seating.rounds for table in tables for pid in table} & set(attendees))
        rounds = [Counter(attendees[pid].organisation_id for table in tables for pid in set(table)
                          if pid in attendees and attendees[pid].organisation_id is not None)
                  for tables in record.seating.rounds]
        everyone = Counter(attendees[pid].organisation_id
                           for pid in {p for tables in record.seating.rounds for table in tables for p in table}
                           if pid in attendees and attendees[pid].organisation_id is not None)
        allowed = allowed_cross_pairs(record.seating.tables, rounds, everyone)
    breakdowns = _breakdowns(attendees.values())
    return EventFigures(
        record=record, attendance=len(attendees),
        by_organisation=breakdowns["organisation"], by_sector=breakdowns["sector"],
        by_profession=breakdowns["profession"], by_place=breakdowns["place"],
        organisations=len(organisations),
        new_organisations=sorted((names[o] for o in new), key=str.casefold),
        from_new_organisations=sum(1 for a in attendees.values() if a.organisation_id in new),
        seated=seated, cross_pairs=cross, allowed_pairs=allowed, new_cross_pairs=fresh, links=dict(links),
        id_links=dict(id_links), new_id_links=dict(new_id_links), new_organisation_ids=sorted(new),
        new_organisation_pairs=len(set(id_links) - (seen_organisation_pairs or set())),
    )


# --- a community over time ---------------------------------------------------------------------------


@dataclass
class BreakdownRow:
    label: str
    attendances: int  # people x events
    people: int  # distinct people


@dataclass
class CommunityFigures:
    events: list[EventFigures]  # in date order
    attendances: int
    people: int
    organisations: int
    cross_pairs: int  # distinct cross-organisation table-mate pairs over all events
    # organisations reached so far, after each event (the trend)
    organisations_reached: list[int]
    breakdowns: dict[str, list[BreakdownRow]]
    # organisation pair -> distinct person pairs from the two who have shared a table
    links: dict[OrganisationPair, int]
    # organisation -> attendances, for the network picture's nodes
    organisation_attendances: dict[str, int]
    themes: list["ThemeRow"] = field(default_factory=list)
    network: "NetworkSummary | None" = None

    def attendances_by(self, dimension: str) -> list[tuple[str, int]]:
        return [(row.label, row.attendances) for row in self.breakdowns[dimension]]


# How an attendee is labelled in each breakdown (a missing value is said, never left blank).
LABEL_OF: dict[str, Callable[["Attendee"], str]] = {
    "organisation": lambda a: a.organisation or NO_ORGANISATION,
    "sector": lambda a: a.sector or NOT_RECORDED,
    "profession": lambda a: a.profession or NOT_RECORDED,
    "place": lambda a: a.place or NOT_RECORDED,
}


def _community_breakdowns(records: list[EventRecord]) -> dict[str, list[BreakdownRow]]:
    result = {}
    for name, label_of in LABEL_OF.items():
        attendances: Counter = Counter()
        people: dict[str, set[int]] = {}
        for record in records:
            for attendee in record.attendees:
                label = label_of(attendee)
                attendances[label] += 1
                people.setdefault(label, set()).add(attendee.person_id)
        result[name] = [BreakdownRow(label, count, len(people[label]))
                        for label, count in tally(attendances.elements())]
    return result


def community_figures(records: list[EventRecord]) -> CommunityFigures:
    """Each event's figures in date order (each judged against the ones before it), and the totals."""
    records = sorted(records, key=lambda r: (r.starts_at, r.event_id))
    seen_organisations: set[int] = set()
    seen_pairs: set[Pair] = set()
    seen_organisation_pairs: set[tuple[int, int]] = set()
    cross_pairs: dict[Pair, OrganisationPair] = {}
    figures, reached = [], []
    for record in records:
        figure = event_figures(record, seen_organisations, seen_pairs, seen_organisation_pairs)
        seen_organisation_pairs |= set(figure.id_links)
        figures.append(figure)
        attendees = {a.person_id: a for a in record.attendees}
        for pair in table_pairs(record):
            seen_pairs.add(pair)
            organisation_pair = _organisation_pair(attendees[pair[0]], attendees[pair[1]])
            if organisation_pair is not None:
                cross_pairs[pair] = organisation_pair
        seen_organisations |= {a.organisation_id for a in record.attendees if a.organisation_id is not None}
        reached.append(len(seen_organisations))
    people = {a.person_id for r in records for a in r.attendees}
    return CommunityFigures(
        events=figures,
        attendances=sum(f.attendance for f in figures),
        people=len(people),
        organisations=len(seen_organisations),
        cross_pairs=len(cross_pairs),
        organisations_reached=reached,
        breakdowns=_community_breakdowns(records),
        links=dict(Counter(cross_pairs.values())),
        organisation_attendances=dict(Counter(a.organisation for r in records for a in r.attendees if a.organisation)),
    )


# --- by theme of the year ------------------------------------------------------------------------------

NO_THEME = "No theme"


@dataclass
class ThemeRow:
    """A theme's events added up, from their figures (each event judged against all the earlier ones)."""

    theme: str
    events: int
    attendances: int
    people: int  # distinct people at the theme's events
    organisations: int  # distinct organisations at the theme's events
    from_new_organisations: int  # attendees from organisations never seen at the community before
    seated_events: int  # events with a seating plan in use
    cross_pairs: int  # mixing reach added up over the seated events
    allowed_pairs: int  # what their rooms allowed, added up
    new_cross_pairs: int

    @property
    def new_organisation_share(self) -> float | None:
        return share(self.from_new_organisations, self.attendances)

    @property
    def reach_share(self) -> float | None:
        return share(self.cross_pairs, self.allowed_pairs)


def theme_figures(events: list[EventFigures], distinct: dict[str, tuple[int, int]] | None = None) -> list[ThemeRow]:
    """Attendance and mixing by theme, from the events' own figures: a row per theme (most attendances first,
    then by name), the events without a theme last. `distinct` gives each theme's (people, organisations)
    counted once each; without it they are counted from the records' attendees."""
    grouped: dict[str, list[EventFigures]] = {}
    for figure in events:
        grouped.setdefault(figure.record.theme or NO_THEME, []).append(figure)
    rows = []
    for theme, figures in grouped.items():
        attendees = [a for f in figures for a in f.record.attendees]
        seated = [f for f in figures if f.has_plan]
        if distinct is not None:
            people, organisations = distinct.get(theme, (0, 0))
        else:
            people = len({a.person_id for a in attendees})
            organisations = len({a.organisation_id for a in attendees if a.organisation_id is not None})
        rows.append(ThemeRow(
            theme=theme, events=len(figures), attendances=sum(f.attendance for f in figures),
            people=people, organisations=organisations,
            from_new_organisations=sum(f.from_new_organisations for f in figures), seated_events=len(seated),
            cross_pairs=sum(f.cross_pairs for f in seated), allowed_pairs=sum(f.allowed_pairs or 0 for f in seated),
            new_cross_pairs=sum(f.new_cross_pairs for f in seated)))
    return sorted(rows, key=lambda r: (r.theme == NO_THEME, -r.attendances, r.theme.casefold()))


# --- follow-up intentions from feedback -----------------------------------------------------------------


@dataclass
class FollowUps:
    intentions: int  # every (answerer, chosen person) pair
    cross_organisation: int  # the answerer's organisation is known and differs from the chosen person's
    unknown_organisation: int  # the answer was anonymous, or either side has no organisation recorded
    people_chosen: int  # distinct people someone means to follow up with


def follow_up_figures(pairs, organisation_of: dict[int, int | None]) -> FollowUps:
    """Count "Who will you follow up with?" answers: pairs of (answering person id, or None for an
    anonymous answer; chosen person id). `organisation_of` maps person ids to organisation ids."""
    pairs = list(pairs)
    cross = unknown = 0
    for answerer, chosen in pairs:
        theirs = organisation_of.get(answerer) if answerer is not None else None
        chosen_organisation = organisation_of.get(chosen)
        if theirs is None or chosen_organisation is None:
            unknown += 1
        elif theirs != chosen_organisation:
            cross += 1
    return FollowUps(intentions=len(pairs), cross_organisation=cross, unknown_organisation=unknown,
                     people_chosen=len({chosen for _, chosen in pairs}))


# --- channels: where people, and new organisations, come from ----------------------------------------------

WALK_IN = "walk-in (not invited)"


@dataclass
class ChannelRow:
    channel: str
    reached: int = 0  # invited, or registered and confirmed, through this channel
    said_yes: int = 0
    came: int = 0  # checked in
    new_organisations: int = 0  # organisations never seen before that this channel brought first
    from_new_organisations: int = 0  # attendees from organisations new at that event


def channel_figures_by_event(records: list[EventRecord], arrivals) -> dict[int, list[ChannelRow]]:
    """Per event, per channel: reached, said yes, came, and new organisations. `arrivals` are (event_id,
    person_id, channel, said_yes) for the invitations (see cop.invitations.channels); attendees without one
    are walk-ins. "New" is judged against all earlier records, as in event_figures. A new organisation is
    credited to the channel of its first attendee at that event (by person id). The rows of several
    events add up (add_channels)."""
    records = sorted(records, key=lambda r: (r.starts_at, r.event_id))
    channel_at = {(a.event_id, a.person_id): a.channel for a in arrivals}
    per_event: dict[int, dict[str, ChannelRow]] = {r.event_id: {} for r in records}
    for arrival in arrivals:
        rows = per_event.get(arrival.event_id)
        if rows is not None:
            row = rows.setdefault(arrival.channel, ChannelRow(arrival.channel))
            row.reached += 1
            row.said_yes += arrival.said_yes
    seen: set[int] = set()
    for record in records:
        rows = per_event[record.event_id]
        credited: set[int] = set()
        for attendee in sorted(record.attendees, key=lambda a: a.person_id):
            label = channel_at.get((record.event_id, attendee.person_id), WALK_IN)
            channel = rows.setdefault(label, ChannelRow(label))
            channel.came += 1
            organisation = attendee.organisation_id
            if organisation is not None and organisation not in seen:
                channel.from_new_organisations += 1
                if organisation not in credited:
                    credited.add(organisation)
                    channel.new_organisations += 1
        seen |= {a.organisation_id for a in record.attendees if a.organisation_id is not None}
    return {event_id: list(rows.values()) for event_id, rows in per_event.items()}


def add_channels(groups) -> list[ChannelRow]:
    """Several events' channel rows added up, channel by channel: most new organisations first, then most came."""
    rows: dict[str, ChannelRow] = {}
    for group in groups:
        for row in group:
            total = rows.setdefault(row.channel, ChannelRow(row.channel))
            total.reached += row.reached
            total.said_yes += row.said_yes
            total.came += row.came
            total.new_organisations += row.new_organisations
            total.from_new_organisations += row.from_new_organisations
    return sorted(rows.values(), key=lambda r: (-r.new_organisations, -r.came, r.channel))


def channel_figures(records: list[EventRecord], arrivals, counted: set[int] | None = None) -> list[ChannelRow]:
    """Reached, said yes, came and new organisations by channel, for the events in `counted` (None: all)."""
    by_event = channel_figures_by_event(records, arrivals)
    return add_channels(rows for event_id, rows in by_event.items() if counted is None or event_id in counted)


# --- kept figures: what cop.reports.store keeps per event, and the reports built from them ---------------


def history(records: list[EventRecord], arrivals) -> list[tuple[EventFigures, list[ChannelRow]]]:
    """Every event's figures and channels in date order, each judged against the events before it."""
    records = sorted(records, key=lambda r: (r.starts_at, r.event_id))
    channels = channel_figures_by_event(records, arrivals)
    seen_organisations: set[int] = set()
    seen_pairs: set[Pair] = set()
    seen_organisation_pairs: set[tuple[int, int]] = set()
    result = []
    for record in records:
        figure = event_figures(record, seen_organisations, seen_pairs, seen_organisation_pairs)
        seen_pairs.update(table_pairs(record))
        seen_organisation_pairs |= set(figure.id_links)
        seen_organisations |= {a.organisation_id for a in record.attendees if a.organisation_id is not None}
        result.append((figure, channels[record.event_id]))
    return result


def link_rows(figure: EventFigures) -> list[tuple[int, int, int, int]]:
    """What is kept of an event's organisation pairs: (organisation id, organisation id, pairs of people, of them
    pairs who had never shared a table before)."""
    return [(a, b, n, figure.new_id_links.get((a, b), 0)) for (a, b), n in sorted(figure.id_links.items())]


def to_kept(figure: EventFigures, channels: list[ChannelRow]) -> dict:
    """What is kept of an event's figures (JSON): counts, organisation ids and channel names; no names of people."""
    return {
        "attendance": figure.attendance, "organisations": figure.organisations,
        "new_organisations": figure.new_organisation_ids, "from_new_organisations": figure.from_new_organisations,
        "plan": figure.has_plan, "seated": figure.seated, "cross_pairs": figure.cross_pairs,
        "allowed_pairs": figure.allowed_pairs, "new_cross_pairs": figure.new_cross_pairs,
        "new_organisation_pairs": figure.new_organisation_pairs,
        "channels": [[c.channel, c.reached, c.said_yes, c.came, c.new_organisations, c.from_new_organisations]
                     for c in channels],
    }


def kept_channels(kept: dict) -> list[ChannelRow]:
    return [ChannelRow(*row) for row in kept["channels"]]


def _named(links: dict[tuple[int, int], int], names: dict[int, str]) -> dict[OrganisationPair, int]:
    named: Counter = Counter()
    for (a, b), n in links.items():
        first, second = sorted((names.get(a, ""), names.get(b, "")), key=str.casefold)
        named[(first, second)] += n
    return dict(named)


def from_kept(record: EventRecord, kept: dict, names: dict[int, str],
              links: Sequence[tuple[int, int, int, int]] = ()) -> EventFigures:
    """An event's figures from what was kept (`links` as link_rows gives them; none on the community page, which
    adds them up in the database); `names` gives organisation names by id. The breakdowns come from the record's
    attendees (none on the community page, which counts people once each instead)."""
    breakdowns = _breakdowns(record.attendees)
    id_links = {(a, b): n for a, b, n, _ in links}
    return EventFigures(
        record=record, attendance=kept["attendance"],
        by_organisation=breakdowns["organisation"], by_sector=breakdowns["sector"],
        by_profession=breakdowns["profession"], by_place=breakdowns["place"],
        organisations=kept["organisations"],
        new_organisations=sorted((names.get(o, "") for o in kept["new_organisations"]), key=str.casefold),
        from_new_organisations=kept["from_new_organisations"], seated=kept["seated"],
        cross_pairs=kept["cross_pairs"], allowed_pairs=kept["allowed_pairs"], new_cross_pairs=kept["new_cross_pairs"],
        links=_named(id_links, names), id_links=id_links, new_id_links={(a, b): n for a, b, _, n in links if n},
        new_organisation_ids=list(kept["new_organisations"]),
        new_organisation_pairs=kept["new_organisation_pairs"], plan_in_use=kept["plan"],
    )


@dataclass(frozen=True)
class PersonAttendances:
    """Someone who came to the community's events, as the community records them, and how many times."""

    attendee: Attendee
    attendances: int


@dataclass
class NetworkSummary:
    """The organisation-pair network in numbers: the page shows these; the CSV lists every pair."""

    organisation_pairs: int  # pairs of organisations whose people have shared a table
    person_pairs: int  # pairs of people from different organisations who have shared a table
    top: list[tuple[OrganisationPair, int]]  # the pairs with most pairs of people
    by_sector: list[tuple[str, str, int, int]]  # (sector, sector, organisation pairs, pairs of people)
    chart: dict[OrganisationPair, int]  # the pairs the picture draws: the CHART_LINKS heaviest
    new_organisation_pairs: int | None = None  # an event's: pairs of organisations meeting for the first time


CHART_LINKS = 150


def network_summary(id_links: dict[tuple[int, int], int], names: dict[int, str], sectors: dict[int, str],
                    top: int = 20, new_organisation_pairs: int | None = None) -> NetworkSummary:
    """Count the network by organisation ids: its size, the heaviest `top` pairs (most pairs of people first,
    then by name) and the pairs by sector pair (organisations with no sector recorded under "Not recorded")."""
    wanted = max(top, CHART_LINKS)
    if len(id_links) > wanted:
        cutoff = heapq.nlargest(wanted, id_links.values())[-1]
        heavy = {pair: n for pair, n in id_links.items() if n >= cutoff}
    else:
        heavy = id_links
    by_sector: Counter = Counter()
    for (a, b), n in id_links.items():
        by_sector[(sectors.get(a) or NOT_RECORDED, sectors.get(b) or NOT_RECORDED, 1)] += 1
        by_sector[(sectors.get(a) or NOT_RECORDED, sectors.get(b) or NOT_RECORDED, 0)] += n
    sector_rows = [(a, b, by_sector[(a, b, 1)], by_sector[(a, b, 0)]) for a, b, kind in by_sector if kind == 1]
    return summary_of(len(id_links), sum(id_links.values()), heavy, sector_rows, names, top, new_organisation_pairs)


def summary_of(organisation_pairs: int, person_pairs: int, heavy: dict[tuple[int, int], int],
               sector_rows: list[tuple[str, str, int, int]], names: dict[int, str], top: int = 20,
               new_organisation_pairs: int | None = None) -> NetworkSummary:
    """The summary from its parts: the network's size, its heaviest pairs by ids (at least the CHART_LINKS
    heaviest, with any tied), and its pairs by sector labels (either way round; added up here)."""
    wanted = max(top, CHART_LINKS)
    heaviest = sorted(_named(heavy, names).items(),
                      key=lambda item: (-item[1], item[0][0].casefold(), item[0][1].casefold()))[:wanted]
    by_sector: dict[tuple[str, str], list[int]] = {}
    for first, second, pairs_of_organisations, pairs_of_people in sector_rows:
        if first.casefold() > second.casefold():
            first, second = second, first
        counts = by_sector.setdefault((first, second), [0, 0])
        counts[0] += pairs_of_organisations
        counts[1] += pairs_of_people
    ordered = sorted(((a, b, o, p) for (a, b), (o, p) in by_sector.items()),
                     key=lambda row: (-row[3], row[0].casefold(), row[1].casefold()))
    return NetworkSummary(organisation_pairs=organisation_pairs, person_pairs=person_pairs, top=heaviest[:top],
                          by_sector=ordered, chart=dict(heaviest[:CHART_LINKS]),
                          new_organisation_pairs=new_organisation_pairs)


def _person_breakdowns(people: list[PersonAttendances]) -> dict[str, list[BreakdownRow]]:
    result = {}
    for name, label_of in LABEL_OF.items():
        attendances: Counter = Counter()
        persons: Counter = Counter()
        for person in people:
            label = label_of(person.attendee)
            attendances[label] += person.attendances
            persons[label] += 1
        rows = sorted(attendances.items(), key=lambda item: (-item[1], item[0].casefold()))
        result[name] = [BreakdownRow(label, count, persons[label]) for label, count in rows]
    return result


def community_from_kept(events: list[EventFigures], people: list[PersonAttendances],
                        theme_people: dict[str, tuple[int, int]], network: NetworkSummary,
                        id_links: dict[tuple[int, int], int] | None = None) -> "CommunityFigures":
    """The community's figures from its events' kept figures (in date order), its attendees counted by person
    (one row each), each theme's (distinct people, distinct organisations), its network's summary and (for
    the CSV) `id_links`: the distinct pairs of people who have shared a table, by pair of organisation ids."""
    reached, total = [], 0
    for figure in events:
        total += len(figure.new_organisation_ids)
        reached.append(total)
    names = {p.attendee.organisation_id: p.attendee.organisation for p in people
             if p.attendee.organisation_id is not None}
    organisation_attendances: Counter = Counter()
    for person in people:
        if person.attendee.organisation:
            organisation_attendances[person.attendee.organisation] += person.attendances
    return CommunityFigures(
        events=events, attendances=sum(p.attendances for p in people), people=len(people),
        organisations=len(names), cross_pairs=sum(f.new_cross_pairs for f in events if f.has_plan),
        organisations_reached=reached, breakdowns=_person_breakdowns(people),
        links=_named(id_links, names) if id_links is not None else {},
        organisation_attendances=dict(organisation_attendances),
        themes=theme_figures(events, theme_people), network=network,
    )
