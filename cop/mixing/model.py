"""The compiled model: a checked `Problem` as integer indices and flat lists.

`compile_problem` refuses anything that can never be seated (`InvalidProblem`)
and turns the rest into a `Model`, which the scorer, the construction and the
search share. It runs in named steps, in this order (the order decides which
refusal a problem with several faults gets): the people, the room, the
together groups, the pins, the apart pairs, the history, the pairs seated
together on purpose, the attributes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .problem import InvalidProblem, Problem


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
    ids, index = _index_people(problem)
    _check_room(problem, len(ids))
    low, high = table_size_bounds(problem.tables, len(ids))
    units, unit_of = _together_units(problem, ids, index)
    facilitator = [p.is_facilitator for p in problem.people]
    facilitator_limit = math.ceil(sum(facilitator) / len(problem.tables))
    _check_units(problem, ids, units, high, facilitator, facilitator_limit)
    unit_table = _pinned_tables(problem, ids, index, units, high, facilitator, facilitator_limit)
    apart_of, apart_pairs = _apart(problem, index, unit_of, unit_table)
    return Model(
        ids=ids,
        index=index,
        capacity=list(problem.tables),
        rounds=problem.rounds,
        low=low,
        high=high,
        attributes=_attributes(problem),
        facilitator=facilitator,
        facilitator_limit=facilitator_limit,
        units=units,
        unit_of=unit_of,
        unit_table=unit_table,
        apart_of=apart_of,
        apart_pairs=apart_pairs,
        met_before=_met_before(problem, index),
        forced=_forced_pairs(problem.rounds, units, unit_of, unit_table),
    )


def _known(index: dict[str, int], pid: str, where: str) -> int:
    """The index of a person named in `where` (together, pinned, apart)."""
    if pid not in index:
        raise InvalidProblem(f"{where}: unknown person {pid!r}")
    return index[pid]


def _names(ids: list[str], members: list[int]) -> str:
    return ", ".join(ids[m] for m in members)


def _index_people(problem: Problem) -> tuple[list[str], dict[str, int]]:
    """The people's ids in order, and each id's index; an id given twice is refused."""
    ids = [p.id for p in problem.people]
    index: dict[str, int] = {}
    for i, pid in enumerate(ids):
        if pid in index:
            raise InvalidProblem(f"person id {pid!r} appears twice")
        index[pid] = i
    return ids, index


def _check_room(problem: Problem, people: int) -> None:
    """Tables, rounds and seats enough for everyone; mix_by names each attribute once."""
    if len(problem.tables) == 0:
        raise InvalidProblem("there must be at least one table")
    if problem.rounds < 1:
        raise InvalidProblem("there must be at least one round")
    seats = sum(problem.tables)
    if people > seats:
        raise InvalidProblem(f"{people} people but only {seats} seats")
    if len(set(problem.mix_by)) != len(problem.mix_by):
        raise InvalidProblem("mix_by names an attribute twice")


def _together_units(problem: Problem, ids: list[str], index: dict[str, int]) -> tuple[list[list[int]], list[int]]:
    """The units that always move whole: overlapping together groups merged
    (union-find on indices), a singleton for everyone else; and each person's unit."""
    n = len(ids)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for group in problem.together:
        members = [_known(index, pid, "together") for pid in group]
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
    return units, unit_of


def _check_units(
    problem: Problem,
    ids: list[str],
    units: list[list[int]],
    high: list[int],
    facilitator: list[bool],
    facilitator_limit: int,
) -> None:
    """Every group fits at a table, with no more facilitators than one table may have."""
    most = max(high)
    for members in units:
        if len(members) > most:
            raise InvalidProblem(
                f"together: the group {_names(ids, members)} has {len(members)} people but a table "
                f"can seat at most {most} here (capacities {problem.tables}, sizes kept even)"
            )
    for members in units:
        if sum(facilitator[m] for m in members) > facilitator_limit:
            raise InvalidProblem(
                f"together: the group {_names(ids, members)} holds more than {facilitator_limit} "
                "facilitator(s), the most one table may have"
            )


def _pinned_tables(
    problem: Problem,
    ids: list[str],
    index: dict[str, int],
    units: list[list[int]],
    high: list[int],
    facilitator: list[bool],
    facilitator_limit: int,
) -> list[list[int]]:
    """Pins, resolved per round and per unit: [round][unit] -> table, or -1 if
    free. A person pinned to two tables in a round, a group pinned apart, or a
    table pinned beyond its seats or its facilitators is refused."""
    n, tables, rounds = len(ids), len(problem.tables), problem.rounds
    person_table = [[-1] * n for _ in range(rounds)]
    for pin in problem.pinned:
        p = _known(index, pin.person, "pinned")
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
                    f"together: {_names(ids, members)} must sit together but are pinned to "
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
    return unit_table


def _apart(
    problem: Problem, index: dict[str, int], unit_of: list[int], unit_table: list[list[int]]
) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """Each person's apart partners and the apart pairs (low index first, each
    once); a pair kept together or pinned to one table is refused."""
    apart_of: list[list[int]] = [[] for _ in range(len(unit_of))]
    apart_pairs: list[tuple[int, int]] = []
    for a_id, b_id in problem.apart:
        a, b = _known(index, a_id, "apart"), _known(index, b_id, "apart")
        if a == b:
            raise InvalidProblem(f"apart: {a_id!r} cannot be kept apart from themselves")
        if unit_of[a] == unit_of[b]:
            raise InvalidProblem(f"apart: {a_id!r} and {b_id!r} must be apart but are kept together")
        for r in range(problem.rounds):
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
    return apart_of, apart_pairs


def _met_before(problem: Problem, index: dict[str, int]) -> dict[tuple[int, int], int]:
    """History as (low index, high index) -> weight. It may mention people who
    are not at this event: those pairs are moot. A pair listed twice counts
    with the sum of its weights."""
    met_before: dict[tuple[int, int], int] = {}
    for entry in problem.met_before:
        a_id, b_id = entry[0], entry[1]
        weight = entry[2] if len(entry) > 2 else 1
        if a_id in index and b_id in index and a_id != b_id:
            a, b = index[a_id], index[b_id]
            pair = (min(a, b), max(a, b))
            met_before[pair] = met_before.get(pair, 0) + weight
    return met_before


def _forced_pairs(
    rounds: int, units: list[list[int]], unit_of: list[int], unit_table: list[list[int]]
) -> dict[tuple[int, int], int]:
    """Pairs seated together on purpose, with the rounds they must share a
    table: the same together group (every round), or pinned to one table."""
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
    return forced


def _attributes(problem: Problem) -> list[Attribute]:
    """Each mix_by attribute, in order: values numbered as first seen, each
    person's value (-1 for none), and each value's count and per-table bound."""
    tables = len(problem.tables)
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
        for i in value_of:
            if i >= 0:
                count[i] += 1
        bound = [math.ceil(c / tables) for c in count]
        attributes.append(Attribute(name, values, value_of, bound, count))
    return attributes
