"""The starting seating: the design-theory deal of README.md's step 2."""

from __future__ import annotations

import random
from collections.abc import Sequence

from .design import design_table
from .model import Model
from .problem import InvalidProblem
from .score import evaluate


def deal_order(model: Model) -> list[int]:
    """Units in the order they are dealt: groups first (largest first), then
    facilitators, then everyone by organisation (largest first), then by the
    next attributes, so that dealing in turn spreads each value."""

    def key(u: int) -> tuple[int | tuple[int, int], ...]:
        members = model.units[u]
        first = members[0]
        values = []
        for attr in model.attributes:
            v = attr.value_of[first]
            values.append((-attr.count[v], v) if v >= 0 else (1, 0))
        facilitators = sum(model.facilitator[m] for m in members)
        return (-len(members), -facilitators, *values, first)

    order = sorted(range(len(model.units)), key=key)
    return _packed(model, order) if model.attributes and model.tables > 1 else order


def _packed(model: Model, order: list[int]) -> list[int]:
    """The deal order with each organisation (first attribute) packed into
    runs of T positions (T tables) as far as it can: the design seats the
    people dealt at positions bT to bT + T - 1 at T different tables in every
    repeat-free round, so a value that keeps within whole runs plus one run
    never exceeds ceil(count / T) at a table. Full runs first, then the
    remainders first-fit, largest first; groups keep the lead, and
    facilitators are packed as if they were one organisation."""
    T, value_of = model.tables, model.attributes[0].value_of
    lead = [u for u in order if len(model.units[u]) > 1]
    rest = [u for u in order if len(model.units[u]) == 1]
    used = sum(len(model.units[u]) for u in lead)
    runs = -(-(used + len(rest)) // T)
    room = [T] * runs
    for b in range(runs):  # the lead takes the first positions
        taken = min(T, max(0, used - b * T))
        room[b] -= taken
    by_value: dict[int, list[int]] = {}
    facilitators = len(value_of)  # a key no value has: they are spread like one
    for u in rest:
        p = model.units[u][0]
        v = facilitators if model.facilitator[p] else value_of[p]
        by_value.setdefault(v if v >= 0 else -1 - u, []).append(u)
    parts = []
    for people in by_value.values():
        while len(people) >= T:
            parts.append(people[:T])
            people = people[T:]
        if people:
            parts.append(people)
    rank = {u: k for k, u in enumerate(order)}
    parts.sort(key=lambda part: (-len(part), rank[part[0]]))
    placed: list[list[int]] = [[] for _ in range(runs)]
    for part in parts:
        fits = [b for b in range(runs) if room[b] >= len(part)]
        if fits:
            b = fits[0]
            placed[b] += part
            room[b] -= len(part)
            continue
        for u in part:  # no run has room for all of it: fill the gaps
            b = next(b for b in range(runs) if room[b] > 0)
            placed[b].append(u)
            room[b] -= 1
    return lead + [u for run in placed for u in run]


def _construct_round(
    model: Model,
    r: int,
    order: list[int],
    anchor: list[int] | None,
    avoid_met: bool = True,
    earlier: Sequence[list[int]] = (),
) -> list[int] | None:
    """Deal one round; None if the units cannot be fitted at even table sizes.
    A unit whose design table is taken (pins, groups, facilitators break the
    design's rhythm) goes to the nearest legal table with the fewest people it
    sat with in the `earlier` rounds, then of its first attribute's value at
    that value's bound, then met at earlier events."""
    n, T = model.people, model.tables
    low, high, units = model.low, model.high, model.units
    limit = model.facilitator_limit
    seats = max(high)
    full_equal_room = n == sum(model.capacity) and len(set(model.capacity)) == 1
    occupancy, facilitators = [0] * T, [0] * T
    table_of = [-1] * n
    met_of: list[list[int]] = [[] for _ in range(n)]
    for a, b in model.met_before if avoid_met else ():
        if (a, b) not in model.forced:
            met_of[a].append(b)
            met_of[b].append(a)
    slack = n - sum(low)  # people that may still sit above a table's low mark
    seen = [0] * n  # bitsets: whom each person sat with in the earlier rounds
    for done in earlier:
        members = [0] * T
        for p, t in enumerate(done):
            members[t] |= 1 << p
        for p, t in enumerate(done):
            seen[p] |= members[t]
    at_table = [0] * T
    first = model.attributes[0] if model.attributes else None
    spread = [0] * (T * len(first.values)) if first else []  # first attribute's counts

    def over_low(t: int, size: int) -> int:
        return max(0, occupancy[t] + size - low[t]) - max(0, occupancy[t] - low[t])

    def seat(u: int, t: int) -> None:
        nonlocal slack
        slack -= over_low(t, len(units[u]))
        occupancy[t] += len(units[u])
        for m in units[u]:
            table_of[m] = t
            facilitators[t] += model.facilitator[m]
            at_table[t] |= 1 << m
            if first is not None and first.value_of[m] >= 0:
                spread[t * len(first.values) + first.value_of[m]] += 1

    for u, t in enumerate(model.unit_table[r]):
        if t != -1:
            seat(u, t)
    if slack < 0:
        return None
    free = [u for u in order if model.unit_table[r][u] == -1]
    homes: dict[int, int] = {}
    if anchor is not None:
        for u in free:
            tables = {anchor[m] for m in units[u]}
            if len(tables) == 1 and -1 not in tables:
                homes[u] = tables.pop()
        free = [u for u in free if u in homes] + [u for u in free if u not in homes]
    position = 0
    for u in free:
        size = len(units[u])
        if u in homes:
            home = homes[u]
        else:
            home = design_table(position, r, T, seats, full_equal_room, model.rounds)
            position += size
        unit_facilitators = sum(model.facilitator[m] for m in units[u])
        met_here = 0
        for m in units[u]:
            met_here |= seen[m]
        chosen = fallback = -1
        chosen_key = None
        for step in range(T):
            t = (home + step) % T
            if occupancy[t] + size > high[t] or over_low(t, size) > slack:
                continue
            if fallback < 0:
                fallback = t
            if facilitators[t] + unit_facilitators > limit:
                continue
            if any(table_of[y] == t for m in units[u] for y in model.apart_of[m]):
                continue
            key = (
                (met_here & at_table[t]).bit_count(),  # sat together in earlier rounds
                sum(
                    1
                    for m in units[u]
                    if first is not None
                    and first.value_of[m] >= 0
                    and spread[t * len(first.values) + first.value_of[m]] >= first.bound[first.value_of[m]]
                ),  # the first attribute's value already at its bound here
                sum(1 for m in units[u] for y in met_of[m] if table_of[y] == t),  # met at earlier events
            )
            if chosen_key is None or key < chosen_key:
                chosen, chosen_key = t, key
                if key == (0, 0, 0):
                    break
        if chosen < 0:
            chosen = fallback
        if chosen < 0:
            return None
        seat(u, chosen)
    return table_of


def construct(model: Model, rng: random.Random, anchor: list[list[int]] | None) -> list[list[int]]:
    """The design-theory deal; with history, also the deal that steers people
    away from those they met before (which breaks the design's structure, so
    it may cost repeats): whichever scores better."""
    first = _construct_with(model, rng, anchor, avoid_met=False)
    if not model.met_before:
        return first
    second = _construct_with(model, rng, anchor, avoid_met=True)
    return second if evaluate(model, second).key() < evaluate(model, first).key() else first


def _steered(model: Model, order: list[int]) -> list[int]:
    """The deal order with people who sit alone reordered within each run of
    T positions so that, one by one, each takes the position whose design
    tables (in every round) hold the fewest people they met before. A run
    keeps its people, so the first attribute keeps its spread, and the design
    keeps repeats at 0."""
    T, R, n = model.tables, model.rounds, model.people
    seats = max(model.high)
    full_equal_room = n == sum(model.capacity) and len(set(model.capacity)) == 1
    met = [0] * n
    for a, b in model.met_before:
        if (a, b) not in model.forced:
            met[a] |= 1 << b
            met[b] |= 1 << a
    placed = [[0] * T for _ in range(R)]
    slots: dict[int, list[int]] = {}  # run -> positions of people who sit alone
    runs: dict[int, list[int]] = {}  # run -> those units
    position = 0
    for u in order:
        members = model.units[u]
        if len(members) == 1:
            slots.setdefault(position // T, []).append(position)
            runs.setdefault(position // T, []).append(u)
        else:
            for k, m in enumerate(members):
                for r in range(R):
                    placed[r][design_table(position + k, r, T, seats, full_equal_room, R)] |= 1 << m
        position += len(members)
    at: dict[int, int] = {}
    for run, units in runs.items():
        free = slots[run]
        for u in sorted(units, key=lambda u: -met[model.units[u][0]].bit_count()):
            p = model.units[u][0]
            best, best_hits = free[0], None
            for pos in free:
                hits = sum(
                    (met[p] & placed[r][design_table(pos, r, T, seats, full_equal_room, R)]).bit_count()
                    for r in range(R)
                )
                if best_hits is None or hits < best_hits:
                    best, best_hits = pos, hits
            free.remove(best)
            at[best] = u
            for r in range(R):
                placed[r][design_table(best, r, T, seats, full_equal_room, R)] |= 1 << p
    result, position = [], 0
    for u in order:
        if len(model.units[u]) == 1:
            result.append(at[position])
        else:
            result.append(u)
        position += len(model.units[u])
    return result


def _construct_with(
    model: Model, rng: random.Random, anchor: list[list[int]] | None, avoid_met: bool
) -> list[list[int]]:
    order = deal_order(model)
    if model.met_before and not avoid_met:
        order = _steered(model, order)
    where: list[list[int]] = []
    for r in range(model.rounds):
        table_of = _construct_round(model, r, order, anchor[r] if anchor else None, avoid_met, where)
        for _ in range(50):
            if table_of is not None:
                break
            # Bin-packing trouble: retry with the groups in random order (and
            # without homes, which may be what blocks the packing).
            shuffled = order[:]
            rng.shuffle(shuffled)
            shuffled.sort(key=lambda u: -len(model.units[u]))
            table_of = _construct_round(model, r, shuffled, None, avoid_met, where)
        if table_of is None:
            raise InvalidProblem(
                f"round {r}: the together groups and pins leave no way to seat everyone "
                f"at tables of even size (capacities {model.capacity})"
            )
        where.append(table_of)
    return where
