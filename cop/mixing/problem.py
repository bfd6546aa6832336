"""The seating problem: typed input, JSON parsing and validation.

`Problem` is what callers build (or parse from JSON with `problem_from_dict`).
`compile_problem` checks it and turns it into a `Model`: the same facts as
integer indices and flat lists, which the scorer and the solver share.
Anything that can never be seated is refused here with `InvalidProblem`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

FACILITATOR = "facilitator"
DEFAULT_MIX_BY = ("organisation", "sector", "profession", "place")


class InvalidProblem(ValueError):
    """The problem is malformed or cannot be seated; the message says why."""


@dataclass(frozen=True)
class Person:
    """One person. `attributes` holds every field but the id (role included)."""

    id: str
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def role(self) -> str | None:
        return self.attributes.get("role")

    @property
    def is_facilitator(self) -> bool:
        return (self.role or "").strip().casefold() == FACILITATOR


@dataclass(frozen=True)
class Pin:
    """Seat `person` at `table` (0-based) in `round` (0-based), or every round if None."""

    person: str
    table: int
    round: int | None = None


@dataclass
class Problem:
    people: list[Person]
    tables: list[int]
    rounds: int = 1
    mix_by: list[str] = field(default_factory=lambda: list(DEFAULT_MIX_BY))
    apart: list[tuple[str, str]] = field(default_factory=list)
    together: list[tuple[str, ...]] = field(default_factory=list)
    pinned: list[Pin] = field(default_factory=list)
    # Pairs from earlier events: (a, b) or (a, b, weight), weight a whole number >= 1 (default 1): how much
    # sitting them together again costs (the app weighs recent and frequent sittings more).
    met_before: list[tuple] = field(default_factory=list)
    seconds: float = 1.0  # CPU seconds of the solving thread
    seed: int = 0
    iterations: int | None = None  # a move budget instead of time: reproducible


# --- JSON -------------------------------------------------------------------


def _ident(value, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidProblem(f"{where}: a person id must be a string, got {value!r}")
    return str(value)


def _id_list(value, where: str, exact: int | None = None) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InvalidProblem(f"{where}: expected a list of person ids, got {value!r}")
    ids = tuple(_ident(v, where) for v in value)
    if exact is not None and len(ids) != exact:
        raise InvalidProblem(f"{where}: expected {exact} person ids, got {len(ids)}")
    return ids


def _int(value, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidProblem(f"{where}: expected an integer >= {minimum}, got {value!r}")
    return value


def _met_before(value, where: str) -> tuple:
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise InvalidProblem(f"{where}: expected [id, id] or [id, id, weight], got {value!r}")
    pair = (_ident(value[0], where), _ident(value[1], where))
    if len(value) == 3:
        weight = _int(value[2], f"{where} weight", minimum=1)
        return (*pair, weight)
    return pair


def problem_from_dict(data) -> Problem:
    """Parse the problem JSON (already decoded) described in the README."""
    if not isinstance(data, dict):
        raise InvalidProblem("the problem must be a JSON object")
    people = []
    raw_people = data.get("people")
    if not isinstance(raw_people, list):
        raise InvalidProblem("people: expected a list of people")
    for n, raw in enumerate(raw_people):
        if not isinstance(raw, dict) or "id" not in raw:
            raise InvalidProblem(f"people[{n}]: expected an object with an id")
        attributes = {
            str(k): str(v) for k, v in raw.items() if k != "id" and v is not None and v != ""
        }
        people.append(Person(_ident(raw["id"], f"people[{n}].id"), attributes))

    tables = data.get("tables")
    if not isinstance(tables, list) or not tables:
        raise InvalidProblem("tables: expected a non-empty list of capacities")
    tables = [_int(c, f"tables[{n}]") for n, c in enumerate(tables)]

    mix_by = data.get("mix_by", list(DEFAULT_MIX_BY))
    if not isinstance(mix_by, list) or not all(isinstance(a, str) for a in mix_by):
        raise InvalidProblem("mix_by: expected a list of attribute names")

    pinned = []
    for n, raw in enumerate(data.get("pinned") or []):
        if not isinstance(raw, dict) or "person" not in raw or "table" not in raw:
            raise InvalidProblem(f"pinned[{n}]: expected {{person, table, round}}")
        round_ = raw.get("round")
        pinned.append(
            Pin(
                _ident(raw["person"], f"pinned[{n}].person"),
                _int(raw["table"], f"pinned[{n}].table"),
                None if round_ is None else _int(round_, f"pinned[{n}].round"),
            )
        )

    seconds = data.get("seconds", 1.0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
        raise InvalidProblem(f"seconds: expected a positive number, got {seconds!r}")

    return Problem(
        people=people,
        tables=tables,
        rounds=_int(data.get("rounds", 1), "rounds", minimum=1),
        mix_by=list(mix_by),
        apart=[_id_list(p, f"apart[{n}]", exact=2) for n, p in enumerate(data.get("apart") or [])],
        together=[_id_list(g, f"together[{n}]") for n, g in enumerate(data.get("together") or [])],
        pinned=pinned,
        met_before=[_met_before(p, f"met_before[{n}]") for n, p in enumerate(data.get("met_before") or [])],
        seconds=float(seconds),
        seed=_int(data.get("seed", 0), "seed"),
        iterations=None if data.get("iterations") is None else _int(data["iterations"], "iterations"),
    )


def problem_to_dict(problem: Problem) -> dict:
    """The problem JSON that `problem_from_dict` reads back to an equal problem."""
    data = {
        "people": [{"id": p.id, **p.attributes} for p in problem.people],
        "tables": list(problem.tables),
        "rounds": problem.rounds,
        "mix_by": list(problem.mix_by),
        "apart": [list(pair) for pair in problem.apart],
        "together": [list(group) for group in problem.together],
        "pinned": [{"person": p.person, "table": p.table, "round": p.round} for p in problem.pinned],
        "met_before": [list(pair) for pair in problem.met_before],
        "seconds": problem.seconds,
        "seed": problem.seed,
    }
    if problem.iterations is not None:
        data["iterations"] = problem.iterations
    return data


# --- The compiled model -----------------------------------------------------


@dataclass
class Attribute:
    """One `mix_by` attribute: each person's value index (-1 = none) and the
    per-table bound ceil(count / tables) for each value."""

    name: str
    values: list[str]
    value_of: list[int]
    bound: list[int]
    count: list[int]


@dataclass
class Model:
    ids: list[str]
    index: dict[str, int]
    capacity: list[int]
    rounds: int
    low: list[int]  # fewest people a table may seat (even sizes)
    high: list[int]  # most people a table may seat (even sizes and capacity)
    attributes: list[Attribute]  # in mix_by order
    facilitator: list[bool]
    facilitator_limit: int
    units: list[list[int]]  # people kept together; a singleton for everyone else
    unit_of: list[int]
    unit_table: list[list[int]]  # [round][unit] -> pinned table, or -1 if free
    apart_of: list[list[int]]
    apart_pairs: list[tuple[int, int]]
    met_before: dict[tuple[int, int], int]  # (low index, high index) -> weight
    forced: dict[tuple[int, int], int]  # pair -> rounds it must share a table

    @property
    def people(self) -> int:
        return len(self.ids)

    @property
    def tables(self) -> int:
        return len(self.capacity)


def table_size_bounds(capacity: list[int], people: int) -> tuple[list[int], list[int]]:
    """Occupancy range per table that keeps sizes as even as capacities allow.

    Fill level L is the largest with sum(min(c, L)) <= people; every table then
    seats min(c, L) or min(c, L + 1), so sizes differ by at most one wherever
    tables could hold the average.
    """
    level = 0
    while level < max(capacity) and sum(min(c, level + 1) for c in capacity) <= people:
        level += 1
    return [min(c, level) for c in capacity], [min(c, level + 1) for c in capacity]


def compile_problem(problem: Problem) -> Model:
    """Check the problem and index it; raise InvalidProblem if it is refused."""
    ids = [p.id for p in problem.people]
    index: dict[str, int] = {}
    for i, pid in enumerate(ids):
        if pid in index:
            raise InvalidProblem(f"person id {pid!r} appears twice")
        index[pid] = i
    n, tables, rounds = len(ids), len(problem.tables), problem.rounds
    if tables == 0:
        raise InvalidProblem("there must be at least one table")
    if rounds < 1:
        raise InvalidProblem("there must be at least one round")
    seats = sum(problem.tables)
    if n > seats:
        raise InvalidProblem(f"{n} people but only {seats} seats")
    if len(set(problem.mix_by)) != len(problem.mix_by):
        raise InvalidProblem("mix_by names an attribute twice")

    def known(pid: str, where: str) -> int:
        if pid not in index:
            raise InvalidProblem(f"{where}: unknown person {pid!r}")
        return index[pid]

    low, high = table_size_bounds(problem.tables, n)

    # Together groups: merge overlapping groups (union-find on indices).
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for group in problem.together:
        members = [known(pid, "together") for pid in group]
        if len(members) < 2:
            raise InvalidProblem(f"together: a group needs at least two people, got {list(group)}")
        for m in members[1:]:
            a, b = root(members[0]), root(m)
            if a != b:
                parent[max(a, b)] = min(a, b)
    by_root: dict[int, list[int]] = {}
    for i in range(n):
        by_root.setdefault(root(i), []).append(i)
    units = [by_root[r] for r in sorted(by_root)]
    unit_of = [0] * n
    for u, members in enumerate(units):
        for m in members:
            unit_of[m] = u

    def names(members) -> str:
        return ", ".join(ids[m] for m in members)

    most = max(high)
    for members in units:
        if len(members) > most:
            raise InvalidProblem(
                f"together: the group {names(members)} has {len(members)} people but a table "
                f"can seat at most {most} here (capacities {problem.tables}, sizes kept even)"
            )

    facilitator = [p.is_facilitator for p in problem.people]
    facilitator_limit = math.ceil(sum(facilitator) / tables)
    for members in units:
        if sum(facilitator[m] for m in members) > facilitator_limit:
            raise InvalidProblem(
                f"together: the group {names(members)} holds more than {facilitator_limit} "
                "facilitator(s), the most one table may have"
            )

    # Pins, resolved per round and per unit.
    person_table = [[-1] * n for _ in range(rounds)]
    for pin in problem.pinned:
        p = known(pin.person, "pinned")
        if not 0 <= pin.table < tables:
            raise InvalidProblem(f"pinned: table {pin.table} for {pin.person!r} does not exist")
        if pin.round is not None and not 0 <= pin.round < rounds:
            raise InvalidProblem(f"pinned: round {pin.round} for {pin.person!r} does not exist")
        for r in range(rounds) if pin.round is None else [pin.round]:
            if person_table[r][p] not in (-1, pin.table):
                raise InvalidProblem(
                    f"pinned: {pin.person!r} is pinned to tables {person_table[r][p]} and "
                    f"{pin.table} in round {r}"
                )
            person_table[r][p] = pin.table
    unit_table = [[-1] * len(units) for _ in range(rounds)]
    for r in range(rounds):
        load = [0] * tables
        facilitators = [0] * tables
        for u, members in enumerate(units):
            pinned_tables = sorted({person_table[r][m] for m in members} - {-1})
            if len(pinned_tables) > 1:
                raise InvalidProblem(
                    f"together: {names(members)} must sit together but are pinned to "
                    f"tables {pinned_tables} in round {r}"
                )
            if pinned_tables:
                t = pinned_tables[0]
                unit_table[r][u] = t
                load[t] += len(members)
                facilitators[t] += sum(facilitator[m] for m in members)
        for t in range(tables):
            if load[t] > high[t]:
                raise InvalidProblem(
                    f"pinned: {load[t]} people are pinned to table {t} in round {r}, which "
                    f"may seat at most {high[t]} (capacity {problem.tables[t]}, sizes kept even)"
                )
            if facilitators[t] > facilitator_limit:
                raise InvalidProblem(
                    f"pinned: {facilitators[t]} facilitators are pinned to table {t} in round "
                    f"{r}; at most {facilitator_limit} per table"
                )

    apart_of: list[list[int]] = [[] for _ in range(n)]
    apart_pairs = []
    for a_id, b_id in problem.apart:
        a, b = known(a_id, "apart"), known(b_id, "apart")
        if a == b:
            raise InvalidProblem(f"apart: {a_id!r} cannot be kept apart from themselves")
        if unit_of[a] == unit_of[b]:
            raise InvalidProblem(f"apart: {a_id!r} and {b_id!r} must be apart but are kept together")
        for r in range(rounds):
            ta, tb = unit_table[r][unit_of[a]], unit_table[r][unit_of[b]]
            if ta != -1 and ta == tb:
                raise InvalidProblem(
                    f"apart: {a_id!r} and {b_id!r} must be apart but are both pinned to "
                    f"table {ta} in round {r}"
                )
        pair = (min(a, b), max(a, b))
        if pair not in apart_pairs:
            apart_pairs.append(pair)
            apart_of[a].append(b)
            apart_of[b].append(a)

    # History may mention people who are not at this event: those pairs are moot.
    # A pair listed twice counts with the sum of its weights.
    met_before: dict[tuple[int, int], int] = {}
    for entry in problem.met_before:
        a_id, b_id = entry[0], entry[1]
        weight = entry[2] if len(entry) > 2 else 1
        if a_id in index and b_id in index and a_id != b_id:
            a, b = index[a_id], index[b_id]
            pair = (min(a, b), max(a, b))
            met_before[pair] = met_before.get(pair, 0) + weight

    # Pairs seated together on purpose: same together group, or pinned to one table.
    forced: dict[tuple[int, int], int] = {}
    for members in units:
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                forced[(members[x], members[y])] = rounds
    for r in range(rounds):
        fixed_at: dict[int, list[int]] = {}
        for u, t in enumerate(unit_table[r]):
            if t != -1:
                fixed_at.setdefault(t, []).extend(units[u])
        for t in sorted(fixed_at):
            people = sorted(fixed_at[t])
            for x in range(len(people)):
                for y in range(x + 1, len(people)):
                    if unit_of[people[x]] != unit_of[people[y]]:
                        pair = (people[x], people[y])
                        forced[pair] = forced.get(pair, 0) + 1

    attributes = []
    for name in problem.mix_by:
        values: list[str] = []
        value_index: dict[str, int] = {}
        value_of = []
        for person in problem.people:
            v = person.attributes.get(name)
            if v is None:
                value_of.append(-1)
                continue
            if v not in value_index:
                value_index[v] = len(values)
                values.append(v)
            value_of.append(value_index[v])
        count = [0] * len(values)
        for v in value_of:
            if v >= 0:
                count[v] += 1
        bound = [math.ceil(c / tables) for c in count]
        attributes.append(Attribute(name, values, value_of, bound, count))

    return Model(
        ids=ids,
        index=index,
        capacity=list(problem.tables),
        rounds=rounds,
        low=low,
        high=high,
        attributes=attributes,
        facilitator=facilitator,
        facilitator_limit=facilitator_limit,
        units=units,
        unit_of=unit_of,
        unit_table=unit_table,
        apart_of=apart_of,
        apart_pairs=apart_pairs,
        met_before=met_before,
        forced=forced,
    )
