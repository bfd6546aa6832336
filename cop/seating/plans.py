"""Seating plans: build a cop.mixing problem from an event's people, solve it, keep versions.

Who is seated: before the event, the people with a confirmed place; on the night,
the people checked in. Their organisation, sector, profession and place are what
the tables mix, in the order the facilitator chose; pairs who sat at one table at an
earlier event of the same community are passed as `met_before`, weighted by how
recently and how often (`history_weight`), so each event brings new table-mates. The
engine ranks history below every mix-by attribute: it only breaks ties.

`form_choices` is what the facilitator's form starts from and `problem_for` the problem
it solves; `flask --app wsgi cop seating-problem EVENT_ID` prints that same problem as
cop.mixing JSON, so any plan can be reproduced with `python -m cop.mixing`.

Versions: every generation, regeneration and re-seating is a new version. A plan
in use (current, or printed) is never replaced silently: a new version is a draft
until the facilitator makes it current, and a printed version is never edited in
place (a change to it is saved as a new version, and the printed one is kept).
Rounds and tables are numbered from 1 here and in the database; cop.mixing counts
from 0, and only the functions that talk to it convert.
"""
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from cop import mixing
from cop.clock import utcnow
from cop.communities.members import Member, as_members
from cop.communities.models import Membership
from cop.events.models import Attendance, Event
from cop.extensions import db
from cop.invitations.models import Invitation
from cop.people.models import Person
from cop.seating.models import IN_USE, Seat, SeatingPlan

SOURCES = {"confirmed": "People with a confirmed place", "checked_in": "People checked in at the door"}
MIX_ATTRIBUTES = {"organisation": "Organisation", "sector": "Sector", "profession": "Profession", "place": "Place"}
MAX_ROUNDS = 6
ACCESSIBLE_WORDS = ("wheelchair",)
# History: each round two people shared a table at an earlier event weighs HISTORY_SCALE halved
# every HISTORY_HALF_LIFE_DAYS before this event (last month about 6, a year ago 0.5), summed
# over their sittings and rounded, at least 1: recent and frequent table-mates weigh most.
HISTORY_SCALE = 8
HISTORY_HALF_LIFE_DAYS = 91


class SeatingRefused(ValueError):
    """The plan cannot be made or changed; the message says why, in the facilitator's words."""


@dataclass
class Budget:
    """How long the engine may search: CPU seconds of the solving thread (so the machine's load
    changes when the plan comes, not what it is), or a fixed number of moves (reproducible)."""

    seconds: float = 3.0
    iterations: int | None = None

    @classmethod
    def from_config(cls, config) -> "Budget":
        """The app's budget: SEATING_SECONDS (CPU seconds), or SEATING_ITERATIONS moves if set."""
        return cls(seconds=config["SEATING_SECONDS"], iterations=config["SEATING_ITERATIONS"])


@dataclass
class SeatingChoices:
    """What the facilitator chose on the form. Person ids throughout; tables and rounds from 1."""

    source: str = "confirmed"
    tables: list[int] = field(default_factory=list)
    rounds: int = 1
    mix_by: list[str] = field(default_factory=lambda: list(MIX_ATTRIBUTES))
    # None: the community's facilitators among the people seated.
    facilitator_ids: list[int] | None = None
    apart: list[tuple[int, int]] = field(default_factory=list)
    together: list[tuple[int, ...]] = field(default_factory=list)
    # People whose access needs mention a wheelchair sit at this table (every round).
    accessible_table: int | None = None
    seed: int = 0
    # Locks carried from version to version: these tables (every round) and people stay where they sit
    # when the rest is re-generated or re-seated.
    locked_tables: list[int] = field(default_factory=list)
    locked_people: list[int] = field(default_factory=list)

    def to_settings(self) -> dict:
        return {
            "source": self.source, "tables": list(self.tables), "rounds": self.rounds, "mix_by": list(self.mix_by),
            "facilitator_ids": None if self.facilitator_ids is None else list(self.facilitator_ids),
            "apart": [list(p) for p in self.apart], "together": [list(g) for g in self.together],
            "accessible_table": self.accessible_table, "seed": self.seed,
            "locked_tables": sorted(set(self.locked_tables)), "locked_people": sorted(set(self.locked_people)),
        }

    @classmethod
    def from_settings(cls, settings: dict) -> "SeatingChoices":
        return cls(
            source=settings.get("source", "confirmed"), tables=list(settings.get("tables", [])),
            rounds=int(settings.get("rounds", 1)), mix_by=list(settings.get("mix_by", MIX_ATTRIBUTES)),
            facilitator_ids=settings.get("facilitator_ids"),
            apart=[tuple(p) for p in settings.get("apart", [])],
            together=[tuple(g) for g in settings.get("together", [])],
            accessible_table=settings.get("accessible_table"), seed=int(settings.get("seed", 0)),
            locked_tables=list(settings.get("locked_tables", [])),
            locked_people=list(settings.get("locked_people", [])),
        )


# --- who is seated ------------------------------------------------------------------------------


def people_to_seat(event: Event, source: str) -> list[Member]:
    """The confirmed people (before the event) or the checked-in ones (on the night), by name,
    as the event's community knows them."""
    db.session.flush()  # a new event needs its id before the query names it
    if source == "checked_in":
        query = select(Person).join(Attendance, Attendance.person_id == Person.id).where(
            Attendance.event_id == event.id)
    else:
        query = select(Person).join(Invitation, Invitation.person_id == Person.id).where(
            Invitation.event_id == event.id, Invitation.holds_place
        )
    query = query.order_by(func.lower(Person.name), Person.id)
    return as_members(event.community_id, db.session.execute(query).scalars())


def community_facilitator_ids(event: Event) -> set[int]:
    return set(db.session.execute(
        select(Membership.person_id).where(
            Membership.community_id == event.community_id, Membership.role == "facilitator"
        )
    ).scalars())


def needs_step_free_table(event: Event, people: list[Member]) -> list[int]:
    """People whose access needs (on their invitation or their record) mention a wheelchair."""
    answers = dict(db.session.execute(
        select(Invitation.person_id, Invitation.access_needs).where(
            Invitation.event_id == event.id, Invitation.person_id.in_([p.id for p in people])
        )
    ).tuples().all())
    found = []
    for person in people:
        text = f"{person.access_needs} {answers.get(person.id) or ''}".casefold()
        if any(word in text for word in ACCESSIBLE_WORDS):
            found.append(person.id)
    return found


def history_weight(ages_in_days: list[float]) -> int:
    """A pair's weight from the age (days before this event) of each round they shared a table."""
    return max(1, round(sum(HISTORY_SCALE * 0.5 ** (max(0.0, age) / HISTORY_HALF_LIFE_DAYS)
                            for age in ages_in_days)))


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def met_before_pairs(event: Event, person_ids: list[int]) -> dict[tuple[int, int], int]:
    """Pairs of these people who shared a table in a round at an earlier event of the same community
    (in that event's plan in use: current or printed), each with its `history_weight`."""
    earlier_plans = (
        select(SeatingPlan.id).join(Event, Event.id == SeatingPlan.event_id)
        .where(Event.community_id == event.community_id, Event.id != event.id,
               Event.starts_at < event.starts_at, SeatingPlan.status.in_(IN_USE))
    )
    rows = db.session.execute(
        select(Seat.plan_id, Seat.round, Seat.table, Seat.person_id, Event.starts_at)
        .join(SeatingPlan, SeatingPlan.id == Seat.plan_id).join(Event, Event.id == SeatingPlan.event_id)
        .where(Seat.plan_id.in_(earlier_plans), Seat.person_id.in_(person_ids))
    ).all()
    tables: dict[tuple[int, int, int], list[int]] = {}
    when: dict[int, datetime] = {}
    for plan_id, round_, table, person_id, starts_at in rows:
        tables.setdefault((plan_id, round_, table), []).append(person_id)
        when[plan_id] = starts_at
    ages: dict[tuple[int, int], list[float]] = {}
    now = _naive(event.starts_at)
    for (plan_id, _, _), sitting in sorted(tables.items()):
        sitting.sort()
        age = (now - _naive(when[plan_id])).total_seconds() / 86400
        for i, a in enumerate(sitting):
            for b in sitting[i + 1:]:
                ages.setdefault((a, b), []).append(age)
    return {pair: history_weight(found) for pair, found in ages.items()}


# --- the problem ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """Keep a person at a table in a round (1-based) when the rest is re-generated."""

    person_id: int
    round: int
    table: int


def _attributes(person: Member, is_facilitator: bool) -> dict:
    organisation = person.organisation
    attributes = {
        "organisation": organisation.name if organisation else "",
        "sector": organisation.sector if organisation else "",
        "profession": person.profession or "",
        "place": organisation.place if organisation else "",
    }
    if is_facilitator:
        attributes["role"] = "facilitator"
    return attributes


def build_problem(event: Event, choices: SeatingChoices, people: list[Member], locks: Sequence[Lock] = (),
                  history: bool = True) -> mixing.Problem:
    """The cop.mixing problem for these people. Pairs and pins naming someone absent are left out."""
    present = {p.id for p in people}
    facilitators = (set(choices.facilitator_ids) if choices.facilitator_ids is not None
                    else community_facilitator_ids(event))
    locked = {lock.person_id for lock in locks}
    pinned = [mixing.Pin(str(lock.person_id), lock.table - 1, lock.round - 1)
              for lock in locks if lock.person_id in present]
    if choices.accessible_table:
        # A locked person stays where the lock says; the step-free pin is for everyone else.
        pinned += [mixing.Pin(str(pid), choices.accessible_table - 1, None)
                   for pid in needs_step_free_table(event, people) if pid not in locked]
    met = met_before_pairs(event, sorted(present)) if history else {}
    return mixing.Problem(
        people=[mixing.Person(str(p.id), _attributes(p, p.id in facilitators)) for p in people],
        tables=list(choices.tables),
        rounds=choices.rounds,
        mix_by=list(choices.mix_by),
        apart=[(str(a), str(b)) for a, b in choices.apart if a in present and b in present],
        together=[tuple(str(i) for i in group if i in present) for group in choices.together
                  if sum(1 for i in group if i in present) >= 2],
        pinned=pinned,
        met_before=[(str(a), str(b), weight) for (a, b), weight in sorted(met.items())],
        seed=choices.seed,
    )


def _solve(problem: mixing.Problem, budget: Budget) -> mixing.Plan:
    try:
        return mixing.solve(problem, seconds=budget.seconds, seed=problem.seed, iterations=budget.iterations)
    except mixing.InvalidProblem as refusal:
        raise SeatingRefused(_in_plain_words(str(refusal))) from refusal


def _in_plain_words(message: str) -> str:
    return f"This plan cannot be made: {message}."


def _check_choices(choices: SeatingChoices, people: list[Member]) -> None:
    if not people:
        who = "checked in" if choices.source == "checked_in" else "with a confirmed place"
        raise SeatingRefused(f"There is nobody {who} to seat yet.")
    if not 1 <= choices.rounds <= MAX_ROUNDS:
        raise SeatingRefused(f"Choose from 1 to {MAX_ROUNDS} rounds.")
    seats = sum(choices.tables)
    if seats < len(people):
        raise SeatingRefused(f"There are {len(people)} people to seat but only {seats} seats: add tables or seats.")
    if choices.accessible_table and choices.accessible_table > len(choices.tables):
        raise SeatingRefused(f"There is no table {choices.accessible_table}: there are {len(choices.tables)} tables.")


# --- storing versions ---------------------------------------------------------------------------------


def plans_of(event: Event) -> list[SeatingPlan]:
    return list(db.session.execute(
        select(SeatingPlan).where(SeatingPlan.event_id == event.id).order_by(SeatingPlan.version.desc())
    ).scalars())


def plan_in_use(event: Event) -> SeatingPlan | None:
    return db.session.execute(
        select(SeatingPlan).where(SeatingPlan.event_id == event.id, SeatingPlan.status.in_(IN_USE))
    ).scalar_one_or_none()


def plan_version(event: Event, version: int) -> SeatingPlan | None:
    return db.session.execute(
        select(SeatingPlan).where(SeatingPlan.event_id == event.id, SeatingPlan.version == version)
    ).scalar_one_or_none()


def _next_version(event: Event) -> int:
    # The event row is locked first, so two facilitators saving at once get different numbers.
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    latest = db.session.execute(
        select(func.max(SeatingPlan.version)).where(SeatingPlan.event_id == event.id)
    ).scalar_one()
    return (latest or 0) + 1


def _store(event: Event, settings: dict, rounds: list[list[list[str]]], score: mixing.Score, by: Person | None,
           note: str, use_now: bool) -> SeatingPlan:
    plan = SeatingPlan(event=event, version=_next_version(event), settings=settings, score=score.to_dict(),
                       status="draft", note=note[:300], created_by=by)
    for r, tables in enumerate(rounds, start=1):
        for t, ids in enumerate(tables, start=1):
            plan.seats.extend(Seat(person_id=int(pid), round=r, table=t) for pid in ids)
    db.session.add(plan)
    db.session.flush()
    if use_now or plan_in_use(event) is None:
        make_current(plan)
    return plan


def make_current(plan: SeatingPlan) -> None:
    """Use this version; the one in use before is kept as a version (printed ones stay marked printed)."""
    for other in plans_of(plan.event):
        if other.id != plan.id and other.in_use:
            other.status = "draft"
    plan.status = "printed" if plan.printed_at else "current"
    db.session.flush()


def mark_printed(plan: SeatingPlan) -> None:
    plan.printed_at = utcnow()
    if plan.in_use:
        plan.status = "printed"
    db.session.flush()


def form_choices(event: Event, candidate_ids: set[int] | None = None) -> SeatingChoices:
    """What the facilitator's generate form starts from, as it submits it: the settings of the plan in
    use (the form carries no seed and no locks), or the venue's layout (10 tables of 10 without one),
    3 rounds for a Big Room (else 1), and the community's facilitators among the people who can be seated."""
    shown = plan_in_use(event)
    if shown is not None:
        choices = SeatingChoices.from_settings(shown.settings)
        choices.seed, choices.locked_tables, choices.locked_people = 0, [], []
        return choices
    if candidate_ids is None:
        candidate_ids = {p.id for source in SOURCES for p in people_to_seat(event, source)}
    layout = event.venue.table_layout if event.venue and event.venue.table_layout else [10] * 10
    return SeatingChoices(tables=list(layout), rounds=3 if event.format == "big_room" else 1,
                          facilitator_ids=sorted(community_facilitator_ids(event) & set(candidate_ids)))


def problem_for(event: Event, choices: SeatingChoices, budget: Budget) -> tuple[mixing.Problem, list[Member]]:
    """The problem `generate` solves for these choices, with the budget and seed in it (so its JSON,
    `mixing.problem_to_dict`, reproduces the plan with `python -m cop.mixing`), and the people."""
    people = people_to_seat(event, choices.source)
    _check_choices(choices, people)
    if choices.facilitator_ids is None:
        choices.facilitator_ids = sorted(community_facilitator_ids(event) & {p.id for p in people})
    problem = build_problem(event, choices, people)
    problem.seconds, problem.iterations = budget.seconds, budget.iterations
    return problem, people


def generate(event: Event, choices: SeatingChoices, by: Person | None, budget: Budget) -> SeatingPlan:
    """Seat the event's people afresh and store the plan as a new version (current if none is in use)."""
    problem, people = problem_for(event, choices, budget)
    plan = _solve(problem, budget)
    return _store(event, choices.to_settings(), plan.rounds, plan.score, by,
                  f"Generated for {len(people)} people", use_now=False)


def regenerate_around(plan: SeatingPlan, locked_tables: list[int], locked_people: list[int], by: Person | None,
                      budget: Budget) -> SeatingPlan:
    """Keep the locked tables and people where they sit in `plan` and seat everyone else afresh (a new version)."""
    choices = SeatingChoices.from_settings(plan.settings)
    # What was locked before stays locked; the new choices are added, and the union is stored.
    chosen_tables = set(locked_tables) | set(choices.locked_tables)
    chosen_people = set(locked_people) | set(choices.locked_people)
    if not chosen_tables and not chosen_people:
        raise SeatingRefused("Choose at least one table or person to keep where they are.")
    choices.locked_tables, choices.locked_people = sorted(chosen_tables), sorted(chosen_people)
    people = seated_people(plan)
    problem = build_problem(plan.event, choices, people, locks_of(plan, choices))
    _close_locked_tables(problem, plan, chosen_tables)
    solved = _solve(problem, budget)
    rounds, score = _keep_locked_tables_exactly(problem, plan, chosen_tables, solved)
    kept = [f"table {t}" for t in sorted(chosen_tables)] + [f"{len(chosen_people)} people"] * bool(chosen_people)
    what = ", ".join(kept)
    return _store(plan.event, choices.to_settings(),
                  rounds, score, by, f"Re-generated from version {plan.version}, keeping {what}",
                  use_now=False)


def _keep_locked_tables_exactly(problem: mixing.Problem, plan: SeatingPlan, locked_tables,
                                solved: mixing.Plan) -> tuple[list[list[list[str]]], mixing.Score]:
    """Where a locked table had a free seat in one round but not in another, the engine may still seat
    someone new there in that round: move them to the emptiest unlocked table with room."""
    rounds = [[list(table) for table in round_] for round_ in solved.rounds]
    changed = False
    for r, round_ in enumerate(rounds):
        for number in locked_tables:
            if not 1 <= number <= len(round_):
                continue
            kept = {str(s.person_id) for s in plan.seats if s.table == number and s.round == r + 1}
            for pid in [pid for pid in round_[number - 1] if pid not in kept]:
                room = [t for t in range(len(round_)) if t + 1 not in locked_tables
                        and len(round_[t]) < problem.tables[t]]
                if not room:
                    continue
                round_[number - 1].remove(pid)
                round_[min(room, key=lambda t: len(round_[t]))].append(pid)
                changed = True
    return (rounds, mixing.score_plan(problem, rounds)) if changed else (solved.rounds, solved.score)


def _close_locked_tables(problem: mixing.Problem, plan: SeatingPlan, locked_tables) -> None:
    """A locked table keeps exactly its people: its free seats are taken out of the problem, so nobody new
    is seated there (the engine once filled a locked table's free seat on "Re-generate the rest")."""
    for number in locked_tables:
        if 1 <= number <= len(problem.tables):
            counts = [sum(1 for s in plan.seats if s.table == number and s.round == r)
                      for r in range(1, plan.rounds + 1)]
            problem.tables[number - 1] = max(counts, default=0)


def _fill_free_seats(problem: mixing.Problem, base: list[list[list[str]]],
                     locked_tables: set[int]) -> list[list[list[str]]] | None:
    """The night's minimal re-seat: everyone still here keeps their seat; each arrival takes, in each round,
    the free seat (never at a locked table) that adds the fewest repeated pairs, then the least sameness
    in the mix-by order, then the fewest earlier meetings. None when an arrival has no seat that keeps the
    hard rules (pins, apart, together): the engine then re-seats."""
    present = {p.id for p in problem.people}
    attributes = {p.id: p.attributes for p in problem.people}
    rounds = [[[pid for pid in (round_[t] if t < len(round_) else []) if pid in present]
               for t in range(len(problem.tables))] for round_ in base[:problem.rounds]]
    while len(rounds) < problem.rounds:
        rounds.append([[] for _ in problem.tables])
    pins = {(pin.person, pin.round): pin.table for pin in problem.pinned}
    apart = {frozenset(pair) for pair in problem.apart}
    met = {frozenset((a, b)) for a, b, *_weight in problem.met_before}
    groups = {pid: group for group in problem.together for pid in group}
    seated = {pid for round_ in rounds for table in round_ for pid in table}
    arrivals = [p.id for p in problem.people if p.id not in seated]
    for pid in arrivals:
        for r, round_ in enumerate(rounds):
            candidates = [t for t, table in enumerate(round_)
                          if t + 1 not in locked_tables and len(table) < problem.tables[t]]
            pinned = pins.get((pid, r), pins.get((pid, None)))
            if pinned is not None:
                candidates = [t for t in candidates if t == pinned]
            partners = {t for t, table in enumerate(round_) for q in groups.get(pid, ()) if q != pid and q in table}
            if partners:
                candidates = [t for t in candidates if t in partners]
            candidates = [t for t in candidates if not any(frozenset((pid, q)) in apart for q in round_[t])]
            if not candidates:
                return None

            def cost(t: int, r: int = r, round_: list = round_) -> tuple:
                mates = round_[t]
                repeats = sum(1 for q in mates for r2, other in enumerate(rounds)
                              if r2 != r and any(pid in table and q in table for table in other))
                same = [sum(1 for q in mates if attributes[pid].get(name) and
                            attributes[q].get(name) == attributes[pid].get(name)) for name in problem.mix_by]
                history = sum(1 for q in mates if frozenset((pid, q)) in met)
                return (repeats, *same, history, len(mates), t)

            round_[min(candidates, key=cost)].append(pid)
    return rounds


def locks_of(plan: SeatingPlan, choices: SeatingChoices | None = None) -> list[Lock]:
    """The seats the plan's locks hold: everyone at a locked table, and each locked person, in every round."""
    choices = choices or SeatingChoices.from_settings(plan.settings)
    tables, people = set(choices.locked_tables), set(choices.locked_people)
    return [Lock(s.person_id, s.round, s.table) for s in plan.seats if s.table in tables or s.person_id in people]


def set_lock(plan: SeatingPlan, locked: bool, table: int | None = None, person_id: int | None = None) -> None:
    """Lock (or unlock) a table or a person on this version. Locks change no seat, so a printed version
    can take them too; the next version made from this one carries them."""
    choices = SeatingChoices.from_settings(plan.settings)
    if table is not None:
        if not 1 <= table <= len(plan.tables):
            raise SeatingRefused(f"Choose a table from 1 to {len(plan.tables)}.")
        tables = set(choices.locked_tables)
        tables = tables | {table} if locked else tables - {table}
        choices.locked_tables = sorted(tables)
    elif person_id is not None:
        if person_id not in {s.person_id for s in plan.seats}:
            raise SeatingRefused("That person is not seated in this plan.")
        people = set(choices.locked_people)
        people = people | {person_id} if locked else people - {person_id}
        choices.locked_people = sorted(people)
    else:
        raise SeatingRefused("Choose a table or a person.")
    # A new dict, so the JSON column sees the change.
    plan.settings = {**plan.settings, "locked_tables": choices.locked_tables, "locked_people": choices.locked_people}
    db.session.flush()


@dataclass
class ReseatReport:
    plan: SeatingPlan
    arrived: list[Member]
    absent: list[Member]
    moves: int


def reseat_from_check_in(event: Event, by: Person | None, budget: Budget) -> ReseatReport:
    """On the night: seat late arrivals and drop no-shows (from check-in) in the plan in use, moving as
    few people as possible. The result is a new version and is used at once; the old one is kept."""
    base = plan_in_use(event)
    if base is None:
        raise SeatingRefused("There is no plan in use to re-seat: generate one first.")
    people = people_to_seat(event, "checked_in")
    if not people:
        raise SeatingRefused("Nobody has checked in yet, so there is nobody to re-seat.")
    choices = SeatingChoices.from_settings(base.settings)
    choices.source = "checked_in"
    _check_choices(choices, people)
    seated = {s.person_id for s in base.seats}
    present = {p.id for p in people}
    problem = build_problem(event, choices, people, locks_of(base, choices))
    # Moved: only who must be. Everyone still here keeps their seat and the arrivals take free seats, the
    # fewest new repeats first; tables left a little uneven by no-shows stay so (issue 17: the engine evened
    # them, moving 3-20 people and adding 2-6 repeats). The engine re-seats only when no free seat keeps the
    # hard rules for an arrival.
    filled = _fill_free_seats(problem, rounds_of(base), set(choices.locked_tables))
    score = mixing.score_plan(problem, filled) if filled is not None else None
    if filled is not None and score is not None and not any(
            count for rule, count in score.hard.items() if rule != "balance"):
        rounds, moves = filled, 0
    else:
        _close_locked_tables(problem, base, choices.locked_tables)
        try:
            solved = mixing.reseat(problem, rounds_of(base), seconds=budget.seconds, seed=choices.seed,
                                   iterations=budget.iterations)
        except mixing.InvalidProblem as refusal:
            raise SeatingRefused(_in_plain_words(str(refusal))) from refusal
        rounds, score, moves = solved.rounds, solved.score, solved.moves or 0
    arrived = [p for p in people if p.id not in seated]
    absent = [p for p in seated_people(base) if p.id not in present]
    plan = _store(event, choices.to_settings(), rounds, score, by,
                  f"Re-seated from check-in: {len(arrived)} arrived, {len(absent)} not here, "
                  f"{moves} seats changed", use_now=True)
    return ReseatReport(plan, arrived, absent, moves)


# --- hand changes ----------------------------------------------------------------------------------


def rounds_of(plan: SeatingPlan) -> list[list[list[str]]]:
    """The plan as cop.mixing reads it: rounds x tables x person ids."""
    rounds: list[list[list[str]]] = [[[] for _ in plan.tables] for _ in range(plan.rounds)]
    for seat in plan.seats:
        rounds[seat.round - 1][seat.table - 1].append(str(seat.person_id))
    return rounds


def seated_people(plan: SeatingPlan) -> list[Member]:
    ids = {s.person_id for s in plan.seats}
    return as_members(plan.event.community_id, db.session.execute(
        select(Person).where(Person.id.in_(ids)).order_by(func.lower(Person.name), Person.id)
    ).scalars())


def rescore(plan: SeatingPlan) -> None:
    """Score the plan as it now stands (after a hand change), with the same rules it was made with."""
    choices = SeatingChoices.from_settings(plan.settings)
    problem = build_problem(plan.event, choices, seated_people(plan))
    plan.score = mixing.score_plan(problem, rounds_of(plan)).to_dict()


def _editable(plan: SeatingPlan, by: Person | None) -> SeatingPlan:
    """The plan to change: itself, or for a printed one (on paper) a new version that is used instead."""
    if plan.printed_at is None:
        return plan
    copy = SeatingPlan(event=plan.event, version=_next_version(plan.event), settings=dict(plan.settings),
                       score=dict(plan.score), status="draft", created_by=by,
                       note=f"Changed by hand from printed version {plan.version}")
    copy.seats = [Seat(person_id=s.person_id, round=s.round, table=s.table) for s in plan.seats]
    db.session.add(copy)
    db.session.flush()
    if plan.in_use:
        make_current(copy)
    return copy


def _seat_of(plan: SeatingPlan, person_id: int, round_: int) -> Seat:
    for seat in plan.seats:
        if seat.person_id == person_id and seat.round == round_:
            return seat
    raise SeatingRefused("That person is not seated in that round of this plan.")


def move_person(plan: SeatingPlan, person_id: int, round_: int, table: int, by: Person | None) -> SeatingPlan:
    """Move someone to another table in one round (where there is a free seat); the score is redone."""
    if not 1 <= round_ <= plan.rounds:
        raise SeatingRefused(f"Choose a round from 1 to {plan.rounds}.")
    if not 1 <= table <= len(plan.tables):
        raise SeatingRefused(f"Choose a table from 1 to {len(plan.tables)}.")
    seat = _seat_of(plan, person_id, round_)
    if seat.table == table:
        raise SeatingRefused(f"They are already at table {table} in round {round_}.")
    taken = sum(1 for s in plan.seats if s.round == round_ and s.table == table)
    if taken >= plan.tables[table - 1]:
        raise SeatingRefused(f"Table {table} is full in round {round_}: swap two people instead.")
    plan = _editable(plan, by)
    _seat_of(plan, person_id, round_).table = table
    rescore(plan)
    db.session.flush()
    return plan


def swap_people(plan: SeatingPlan, person_id: int, other_id: int, round_: int, by: Person | None) -> SeatingPlan:
    """Swap two people's tables in one round; the score is redone."""
    if not 1 <= round_ <= plan.rounds:
        raise SeatingRefused(f"Choose a round from 1 to {plan.rounds}.")
    if person_id == other_id:
        raise SeatingRefused("Choose two different people to swap.")
    first, second = _seat_of(plan, person_id, round_), _seat_of(plan, other_id, round_)
    if first.table == second.table:
        raise SeatingRefused(f"They already sit at the same table (table {first.table}) in round {round_}.")
    plan = _editable(plan, by)
    first, second = _seat_of(plan, person_id, round_), _seat_of(plan, other_id, round_)
    first.table, second.table = second.table, first.table
    rescore(plan)
    db.session.flush()
    return plan


# --- reading a plan ---------------------------------------------------------------------------------


@dataclass
class TableView:
    number: int
    capacity: int
    people: list[Member]


@dataclass
class PlanView:
    plan: SeatingPlan
    rounds: list[list[TableView]]
    # Everyone, alphabetically, with their table in each round.
    find_your_table: list[tuple[Member, list[int]]]
    facilitator_ids: set[int]
    locked_tables: set[int] = field(default_factory=set)
    locked_people: set[int] = field(default_factory=set)


def plan_view(plan: SeatingPlan) -> PlanView:
    people = {p.id: p for p in seated_people(plan)}
    rounds = [[TableView(t, capacity, []) for t, capacity in enumerate(plan.tables, start=1)]
              for _ in range(plan.rounds)]
    tables_of: dict[int, list[int]] = {pid: [0] * plan.rounds for pid in people}
    for seat in plan.seats:
        rounds[seat.round - 1][seat.table - 1].people.append(people[seat.person_id])
        tables_of[seat.person_id][seat.round - 1] = seat.table
    for tables in rounds:
        for table in tables:
            table.people.sort(key=lambda p: (p.name.casefold(), p.id))
    return PlanView(
        plan=plan, rounds=rounds,
        find_your_table=[(p, tables_of[p.id]) for p in people.values()],
        facilitator_ids=set(plan.settings.get("facilitator_ids") or []),
        locked_tables=set(plan.settings.get("locked_tables") or []),
        locked_people=set(plan.settings.get("locked_people") or []),
    )


def score_in_words(score: dict, mix_by: list[str]) -> list[tuple[str, str]]:
    """The score panel: (what, how it went) in plain words, in the engine's order of priority (the mix-by
    attributes as chosen, then history), each with its lower bound: a figure no plan can beat, said to be
    reached when it is, and called a bound (not "the fewest possible") when it may not be reachable."""
    bounds = score.get("lower_bounds", {})
    lines = []
    uneven = score.get("hard", {}).get("balance", 0)
    broken = score.get("hard_violations", 0) - uneven
    if broken:
        rules = ", ".join(f"{name.replace('_', ' ')} ({count})" for name, count in score["hard"].items()
                          if count and name != "balance")
        rules_are = "rule is" if broken == 1 else "rules are"
        lines.append(("Rules", f"{broken} {rules_are} broken by hand changes: {rules}."))
    if uneven:
        lines.append(("Table sizes", "Some tables are less even than they could be (after no-shows, or by hand): "
                                     "nobody is moved just to even them."))

    def bound(value: int, least: int) -> str:
        if value <= least:
            return " (no plan can do better)"
        return f" (no plan can go below {least}; that bound may not be reachable)"

    repeats, least = score.get("repeats", 0), bounds.get("repeats", 0)
    lines.append(("Meeting again tonight", "Nobody sits with the same person twice." if repeats == 0 else
                  f"{repeats} {'time' if repeats == 1 else 'times'} two people share a table again"
                  f"{bound(repeats, least)}."))
    for attribute in mix_by:
        excess = score.get("excess", {}).get(attribute, 0)
        least = bounds.get("excess", {}).get(attribute, 0)
        label = MIX_ATTRIBUTES.get(attribute, attribute)
        lines.append((f"Mix of {label.lower()}", f"Every table has its fair share of each {label.lower()} or fewer."
                      if excess == 0 else f"{excess} {'seat goes' if excess == 1 else 'seats go'} over a table's fair "
                      f"share of one {label.lower()}{bound(excess, least)}."))
    history, least = score.get("met_before", 0), bounds.get("met_before", 0)
    sittings = score.get("met_before_sittings", history)
    weighing = f", weighing {history} (recent and frequent table-mates weigh more)" if history != sittings else ""
    lines.append(("Met at earlier events", "Nobody sits with someone they sat with at an earlier event."
                  if history == 0 else f"{sittings} {'time' if sittings == 1 else 'times'} people share a table "
                  f"with someone they sat with at an earlier event"
                  f"{weighing}"
                  f"{bound(history, least)}. The mix comes first: history only decides between plans that mix "
                  "equally well."))
    lines.append(("New contacts", f"On average each person meets {score.get('mean_new_contacts', 0):.1f} people "
                  "they have not sat with before."))
    return lines


def score_lines_in_use(event: Event) -> list[tuple[str, str]]:
    """The score panel of the event's plan in use (empty without one): what the report shows, so the
    seating page and the report speak the same numbers."""
    plan = plan_in_use(event)
    return score_in_words(plan.score, plan.settings.get("mix_by", [])) if plan is not None else []


# --- reading plans for reports ----------------------------------------------------------------------


@dataclass
class SeatingInUse:
    """An event's plan in use as plain values: table capacities, and rounds x tables x person ids."""

    tables: list[int]
    rounds: list[list[list[int]]]


def seatings_in_use(event_ids: list[int]) -> dict[int, SeatingInUse]:
    """The plan in use (current or printed) of each of these events that has one: two queries."""
    if not event_ids:
        return {}
    plans = db.session.execute(
        select(SeatingPlan.id, SeatingPlan.event_id, SeatingPlan.settings)
        .where(SeatingPlan.event_id.in_(event_ids), SeatingPlan.status.in_(IN_USE))
    ).all()
    found, event_of = {}, {}
    for plan_id, event_id, settings in plans:
        tables = [int(t) for t in (settings or {}).get("tables", [])]
        rounds = int((settings or {}).get("rounds", 1))
        found[event_id] = SeatingInUse(tables, [[[] for _ in tables] for _ in range(rounds)])
        event_of[plan_id] = event_id
    if event_of:
        seats = db.session.execute(
            select(Seat.plan_id, Seat.round, Seat.table, Seat.person_id)
            .where(Seat.plan_id.in_(list(event_of))).order_by(Seat.plan_id, Seat.round, Seat.table, Seat.person_id)
        ).all()
        for plan_id, round_, table, person_id in seats:
            found[event_of[plan_id]].rounds[round_ - 1][table - 1].append(person_id)
    return found
