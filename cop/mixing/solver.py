"""Construction and local search (see README.md for the algorithm)."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from .baselines import deal_round_robin
from .design import design_table
from .problem import InvalidProblem, Model, Problem, compile_problem
from .score import HARD_RULES, Score, evaluate, lower_bounds

# Cost tiers, most important first; one excess tier per mix_by attribute follows.
HARD, MOVED, REPEATS, MET_BEFORE = range(4)
FOCUS = 0.6  # share of moves that start from a person who is part of a cost
# Annealing temperatures (first, last) in units of the lowest active tier's
# weight: a short quench keeps a good construction's structure and takes its
# easy gains, then a full anneal explores from the best seating found.
QUENCH, ANNEAL = (0.05, 0.05), (1.0, 0.05)
QUENCH_SHARE = 0.1  # of the time or move budget  # annealing temperature, first and last, in lowest-tier units


@dataclass
class Plan:
    rounds: list[list[list[str]]]  # rounds x tables (input order) x person ids
    score: Score
    iterations: int = 0
    seconds: float = 0.0
    moves: int | None = None  # reseat only: (person, round) seats that changed


class _Search:
    """A seating with its cost terms kept up to date move by move.

    where[r][p] is p's table in round r; seated[r][t] lists table t's people.
    meet[p][q] counts p and q's meetings, lowered by (forced - 1) for pairs
    seated together on purpose, so "a meeting is a repeat once meet >= 1"
    holds for every pair.
    """

    def __init__(self, model: Model, anchor: list[list[int]] | None = None):
        self.model = model
        self.n, self.T, self.R = model.people, model.tables, model.rounds
        self.units, self.unit_of = model.units, model.unit_of
        self.facilitator = [1 if f else 0 for f in model.facilitator]
        self.anchor = anchor
        self.attributes = [(a.value_of, a.bound, len(a.values)) for a in model.attributes]
        n = self.n
        self.met = None
        if any(pair not in model.forced for pair in model.met_before):
            self.met = [bytearray(n) for _ in range(n)]
            for a, b in model.met_before:
                if (a, b) not in model.forced:
                    self.met[a][b] = self.met[b][a] = 1
        self.mobile = [
            [p for p in range(n) if model.unit_table[r][model.unit_of[p]] == -1]
            for r in range(self.R)
        ]
        self.weights = self._weights()
        bounds = lower_bounds(model)
        floor = [0, 0, bounds["repeats"], bounds["met_before"], *bounds["excess"].values()]
        self.floor_cost = sum(w * f for w, f in zip(self.weights, floor))

    def _weights(self) -> list[int]:
        """Tier weights such that a swap of two people that improves a tier
        always beats what it can do to all lower tiers (a locally lexicographic
        cost; group moves are only nearly so, and the final choice between
        seatings is made on the exact lexicographic score)."""
        seats = max(self.model.high)
        reach = [0, 2 if self.anchor else 0, 4 * seats if self.R > 1 else 0]
        reach.append(4 * seats if self.met else 0)
        reach += [4 if values else 0 for _, _, values in self.attributes]
        weights = [0] * len(reach)
        below = 0
        for k in range(len(reach) - 1, -1, -1):
            weights[k] = 1 + below
            below += weights[k] * reach[k]
        active = [w for w, r in zip(weights, reach) if r] or [1]
        self.temperature_unit = min(active)
        return weights

    # --- state ----------------------------------------------------------------

    def load(self, where: list[list[int]]) -> None:
        """Seat everyone as given and compute every term from scratch."""
        n, T, model = self.n, self.T, self.model
        self.where = [list(w) for w in where]
        self.seated = [[[] for _ in range(T)] for _ in range(self.R)]
        for r, table_of in enumerate(self.where):
            for p, t in enumerate(table_of):
                self.seated[r][t].append(p)
        terms = [0] * (4 + len(self.attributes))
        meet = [[0] * n for _ in range(n)]
        for (a, b), forced in model.forced.items():
            meet[a][b] = meet[b][a] = 1 - max(1, forced)
        met = self.met
        for tables in self.seated:
            for people in tables:
                for x, a in enumerate(people):
                    for b in people[x + 1 :]:
                        if meet[a][b] >= 1:
                            terms[REPEATS] += 1
                        meet[a][b] += 1
                        meet[b][a] += 1
                        if met is not None and met[a][b]:
                            terms[MET_BEFORE] += 1
        self.meet = meet
        self.count = []
        for k, (value_of, bound, values) in enumerate(self.attributes):
            per_round = []
            for table_of in self.where:
                count = [0] * (T * values)
                for p, v in enumerate(value_of):
                    if v >= 0:
                        count[table_of[p] * values + v] += 1
                terms[4 + k] += sum(max(0, c - bound[i % values]) for i, c in enumerate(count))
                per_round.append(count)
            self.count.append(per_round)
        self.facilitators = []
        limit = self.model.facilitator_limit
        for table_of in self.where:
            count = [0] * T
            for p in range(n):
                count[table_of[p]] += self.facilitator[p]
            terms[HARD] += sum(max(0, c - limit) for c in count)
            self.facilitators.append(count)
        for a, b in model.apart_pairs:
            terms[HARD] += sum(1 for table_of in self.where if table_of[a] == table_of[b])
        if self.anchor:
            for table_of, anchored in zip(self.where, self.anchor):
                terms[MOVED] += sum(1 for t, a in zip(table_of, anchored) if a >= 0 and t != a)
        self.terms = terms

    def cost(self) -> int:
        return sum(w * t for w, t in zip(self.weights, self.terms))

    def relocate(self, r: int, p: int, dest: int) -> None:
        """Move p to table `dest` in round r, updating every term."""
        terms, meet = self.terms, self.meet
        where = self.where[r]
        src = where[p]
        row = meet[p]
        met = self.met[p] if self.met is not None else None
        repeats = met_before = hard = 0
        leaving = self.seated[r][src]
        leaving.remove(p)
        for x in leaving:
            c = row[x]
            if c >= 2:
                repeats -= 1
            row[x] = meet[x][p] = c - 1
            if met is not None and met[x]:
                met_before -= 1
        joining = self.seated[r][dest]
        for y in joining:
            c = row[y]
            if c >= 1:
                repeats += 1
            row[y] = meet[y][p] = c + 1
            if met is not None and met[y]:
                met_before += 1
        joining.append(p)
        where[p] = dest
        terms[REPEATS] += repeats
        terms[MET_BEFORE] += met_before
        for k, (value_of, bound, values) in enumerate(self.attributes):
            v = value_of[p]
            if v >= 0:
                count = self.count[k][r]
                i = src * values + v
                if count[i] > bound[v]:
                    terms[4 + k] -= 1
                count[i] -= 1
                i = dest * values + v
                if count[i] >= bound[v]:
                    terms[4 + k] += 1
                count[i] += 1
        if self.facilitator[p]:
            count, limit = self.facilitators[r], self.model.facilitator_limit
            hard -= count[src] > limit
            count[src] -= 1
            hard += count[dest] >= limit
            count[dest] += 1
        for y in self.model.apart_of[p]:
            hard += (where[y] == dest) - (where[y] == src)
        terms[HARD] += hard
        if self.anchor:
            home = self.anchor[r][p]
            if home >= 0:
                terms[MOVED] += (dest != home) - (src != home)

    def swap_delta(self, r: int, p: int, q: int) -> int:
        """Cost change of swapping two people (each alone in their unit) at
        different tables of round r, without making the move."""
        weights = self.weights
        where = self.where[r]
        a, b = where[p], where[q]
        at_a, at_b = self.seated[r][a], self.seated[r][b]
        meet_p, meet_q = self.meet[p], self.meet[q]
        repeats = 0
        for x in at_a:
            if meet_p[x] >= 2 and x != p:
                repeats -= 1
            if meet_q[x] >= 1 and x != p:
                repeats += 1
        for y in at_b:
            if meet_q[y] >= 2 and y != q:
                repeats -= 1
            if meet_p[y] >= 1 and y != q:
                repeats += 1
        delta = repeats * weights[REPEATS]
        if self.met is not None:
            met_p, met_q = self.met[p], self.met[q]
            hits = 0
            for x in at_a:
                if x != p:
                    hits += met_q[x] - met_p[x]
            for y in at_b:
                if y != q:
                    hits += met_p[y] - met_q[y]
            delta += hits * weights[MET_BEFORE]
        for k, (value_of, bound, values) in enumerate(self.attributes):
            vp, vq = value_of[p], value_of[q]
            if vp != vq:
                count = self.count[k][r]
                excess = 0
                if vp >= 0:
                    excess += (count[b * values + vp] >= bound[vp]) - (count[a * values + vp] > bound[vp])
                if vq >= 0:
                    excess += (count[a * values + vq] >= bound[vq]) - (count[b * values + vq] > bound[vq])
                delta += excess * weights[4 + k]
        hard = 0
        if self.facilitator[p] != self.facilitator[q]:
            count, limit = self.facilitators[r], self.model.facilitator_limit
            src, dest = (a, b) if self.facilitator[p] else (b, a)
            hard += (count[dest] >= limit) - (count[src] > limit)
        apart_of = self.model.apart_of
        for y in apart_of[p]:
            if y != q:
                hard += (where[y] == b) - (where[y] == a)
        for y in apart_of[q]:
            if y != p:
                hard += (where[y] == a) - (where[y] == b)
        delta += hard * weights[HARD]
        if self.anchor:
            home_p, home_q = self.anchor[r][p], self.anchor[r][q]
            moved = 0
            if home_p >= 0:
                moved += (b != home_p) - (a != home_p)
            if home_q >= 0:
                moved += (a != home_q) - (b != home_q)
            delta += moved * weights[MOVED]
        return delta

    def hot_spots(self) -> list[tuple[int, int]]:
        """(round, person) seats that take part in some cost: where moves pay."""
        meet, met, apart_of = self.meet, self.met, self.model.apart_of
        limit = self.model.facilitator_limit
        hot = []
        for r in range(self.R):
            where = self.where[r]
            flagged = [False] * self.n
            for t, people in enumerate(self.seated[r]):
                for x, a in enumerate(people):
                    meet_a = meet[a]
                    met_a = met[a] if met is not None else None
                    for b in people[x + 1 :]:
                        if meet_a[b] >= 2 or (met_a is not None and met_a[b]):
                            flagged[a] = flagged[b] = True
                    if any(where[y] == t for y in apart_of[a]):
                        flagged[a] = True
                for k, (value_of, bound, values) in enumerate(self.attributes):
                    count = self.count[k][r]
                    for a in people:
                        v = value_of[a]
                        if v >= 0 and count[t * values + v] > bound[v]:
                            flagged[a] = True
                if self.facilitators[r][t] > limit:
                    for a in people:
                        flagged[a] = flagged[a] or self.facilitator[a] == 1
            if self.anchor:
                for p, home in enumerate(self.anchor[r]):
                    flagged[p] = flagged[p] or home not in (-1, where[p])
            hot += [(r, p) for p in self.mobile[r] if flagged[p]]
        return hot

    def _loners(self, rng: random.Random, r: int, t: int, count: int, including: tuple[int, ...]):
        """`count` people at table t in round r who are free and in no group
        (`including` first), or None if there are not enough."""
        unit_of, units, pins = self.unit_of, self.units, self.model.unit_table[r]
        pool = [
            x for x in self.seated[r][t] if x not in including and len(units[unit_of[x]]) == 1 and pins[unit_of[x]] == -1
        ]
        wanted = count - len(including)
        return list(including) + rng.sample(pool, wanted) if len(pool) >= wanted else None

    # --- search ---------------------------------------------------------------

    def anneal(
        self, rng: random.Random, cooling: tuple[float, float], iterations: int | None, deadline: float
    ) -> tuple[list[list[int]], int]:
        """Simulated annealing over swaps and moves, cooling geometrically
        from cooling[0] to cooling[1] over the budget (`iterations` moves, or
        until `deadline`); returns the best seating seen and the moves tried."""
        best = [list(w) for w in self.where]
        cost = best_cost = self.cost()
        rounds = [r for r in range(self.R) if self.mobile[r]]
        if self.T < 2 or not rounds or cost <= self.floor_cost:
            return best, 0
        low, high, T = self.model.low, self.model.high, self.T
        units, unit_of, unit_table = self.units, self.unit_of, self.model.unit_table
        hot_start, hot_end = cooling
        unit = self.temperature_unit
        refresh = max(100, self.R * self.n)
        started = time.perf_counter()
        best_is_current = True
        temperature = hot_start * unit
        hot: list[tuple[int, int]] = []
        random_ = rng.random
        it = 0
        while True:
            if it & 127 == 0:
                if iterations is not None:
                    progress = it / iterations if iterations else 1.0
                else:
                    now = time.perf_counter()
                    progress = (now - started) / max(1e-9, deadline - started)
                if progress >= 1.0 or cost <= self.floor_cost:
                    break
                temperature = unit * hot_start * (hot_end / hot_start) ** progress
            if it % refresh == 0:
                hot = self.hot_spots()
            it += 1
            # int(random() * k) rather than randrange(k): same role, much faster.
            if hot and random_() < FOCUS:
                r, p = hot[int(random_() * len(hot))]
            else:
                r = rounds[int(random_() * len(rounds))]
                mobile = self.mobile[r]
                p = mobile[int(random_() * len(mobile))]
            where, seated = self.where[r], self.seated[r]
            a = where[p]
            b = int(random_() * (T - 1))
            if b >= a:
                b += 1
            mover = units[unit_of[p]]
            size = len(mover)
            others = seated[b]
            can_move = len(others) + size <= high[b] and len(seated[a]) - size >= low[a]
            if can_move and (not others or random_() < 0.5):
                q, partner = -1, ()
            elif others:
                q = others[int(random_() * len(others))]
                if unit_table[r][unit_of[q]] != -1:
                    continue
                partner = units[unit_of[q]]
            else:
                continue
            if size == 1 and len(partner) == 1:
                delta = self.swap_delta(r, p, q)
                if delta > 0 and random_() >= math.exp(-delta / temperature):
                    continue
                if best_is_current and delta > 0:
                    best = [list(w) for w in self.where]
                    best_is_current = False
                self.relocate(r, p, b)
                self.relocate(r, q, a)
            else:
                if len(partner) != size and q != -1:
                    # A group trades places with as many people who sit alone.
                    if size > 1:
                        partner = self._loners(rng, r, b, size, ())
                    else:
                        mover = self._loners(rng, r, a, len(partner), (p,))
                    if partner is None or mover is None:
                        continue
                new_a = len(seated[a]) - len(mover) + len(partner)
                new_b = len(others) - len(partner) + len(mover)
                if not (low[a] <= new_a <= high[a] and low[b] <= new_b <= high[b]):
                    continue
                for x in mover:
                    self.relocate(r, x, b)
                for y in partner:
                    self.relocate(r, y, a)
                delta = self.cost() - cost
                if delta > 0 and random_() >= math.exp(-delta / temperature):
                    for y in partner:
                        self.relocate(r, y, b)
                    for x in mover:
                        self.relocate(r, x, a)
                    continue
                if best_is_current and delta > 0:
                    # The move is already made: undo it for the snapshot.
                    for y in partner:
                        self.relocate(r, y, b)
                    for x in mover:
                        self.relocate(r, x, a)
                    best = [list(w) for w in self.where]
                    best_is_current = False
                    for x in mover:
                        self.relocate(r, x, b)
                    for y in partner:
                        self.relocate(r, y, a)
            cost += delta
            if cost < best_cost:
                best_cost = cost
                best_is_current = True
        if best_is_current:
            best = [list(w) for w in self.where]
        return best, it


# --- construction -------------------------------------------------------------


def _deal_order(model: Model) -> list[int]:
    """Units in the order they are dealt: groups first (largest first), then
    facilitators, then everyone by organisation (largest first), then by the
    next attributes, so that dealing in turn spreads each value."""

    def key(u: int):
        members = model.units[u]
        first = members[0]
        values = []
        for attr in model.attributes:
            v = attr.value_of[first]
            values.append((-attr.count[v], v) if v >= 0 else (1, 0))
        facilitators = sum(model.facilitator[m] for m in members)
        return (-len(members), -facilitators, *values, first)

    return sorted(range(len(model.units)), key=key)


def _construct_round(
    model: Model, r: int, order: list[int], anchor: list[int] | None
) -> list[int] | None:
    """Deal one round; None if the units cannot be fitted at even table sizes."""
    n, T = model.people, model.tables
    low, high, units = model.low, model.high, model.units
    limit = model.facilitator_limit
    seats = max(high)
    full_equal_room = n == sum(model.capacity) and len(set(model.capacity)) == 1
    occupancy, facilitators = [0] * T, [0] * T
    table_of = [-1] * n
    met_of: list[list[int]] = [[] for _ in range(n)]
    for a, b in model.met_before:
        if (a, b) not in model.forced:
            met_of[a].append(b)
            met_of[b].append(a)
    slack = n - sum(low)  # people that may still sit above a table's low mark

    def over_low(t: int, size: int) -> int:
        return max(0, occupancy[t] + size - low[t]) - max(0, occupancy[t] - low[t])

    def seat(u: int, t: int) -> None:
        nonlocal slack
        slack -= over_low(t, len(units[u]))
        occupancy[t] += len(units[u])
        for m in units[u]:
            table_of[m] = t
            facilitators[t] += model.facilitator[m]

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
            home = design_table(position, r, T, seats, full_equal_room)
            position += size
        unit_facilitators = sum(model.facilitator[m] for m in units[u])
        chosen = allowed = fallback = -1
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
            if allowed < 0:
                allowed = t
            if not any(table_of[y] == t for m in units[u] for y in met_of[m]):
                chosen = t  # no one here they met at earlier events
                break
        if chosen < 0:
            chosen = allowed if allowed >= 0 else fallback
        if chosen < 0:
            return None
        seat(u, chosen)
    return table_of


def _construct(model: Model, rng: random.Random, anchor: list[list[int]] | None) -> list[list[int]]:
    order = _deal_order(model)
    where = []
    for r in range(model.rounds):
        table_of = _construct_round(model, r, order, anchor[r] if anchor else None)
        for _ in range(50):
            if table_of is not None:
                break
            # Bin-packing trouble: retry with the groups in random order (and
            # without homes, which may be what blocks the packing).
            shuffled = order[:]
            rng.shuffle(shuffled)
            shuffled.sort(key=lambda u: -len(model.units[u]))
            table_of = _construct_round(model, r, shuffled, None)
        if table_of is None:
            raise InvalidProblem(
                f"round {r}: the together groups and pins leave no way to seat everyone "
                f"at tables of even size (capacities {model.capacity})"
            )
        where.append(table_of)
    return where


# --- public entry points ------------------------------------------------------


def _to_ids(model: Model, where: list[list[int]]) -> list[list[list[str]]]:
    rounds = []
    for table_of in where:
        seating: list[list[str]] = [[] for _ in range(model.tables)]
        for p, t in enumerate(table_of):
            seating[t].append(model.ids[p])
        rounds.append(seating)
    return rounds


def _to_where(model: Model, rounds: list[list[list[str]]]) -> list[list[int]]:
    where = []
    for r in range(model.rounds):
        table_of = [-1] * model.people
        seating = rounds[r] if r < len(rounds) else []
        for t, people in enumerate(seating[: model.tables]):
            for pid in people:
                p = model.index.get(pid)
                if p is not None and table_of[p] == -1:
                    table_of[p] = t
        where.append(table_of)
    return where


def _run(problem: Problem, seconds, seed, iterations, current) -> Plan:
    started = time.perf_counter()
    model = compile_problem(problem)
    seconds = problem.seconds if seconds is None else seconds
    rng = random.Random(problem.seed if seed is None else seed)
    anchor = _to_where(model, current) if current is not None else None
    search = _Search(model, anchor)
    start = _construct(model, rng, anchor)
    timer = time.perf_counter()
    start_score = evaluate(model, start)
    # Keep time to score the result and still return within the budget.
    finish_by = started + seconds - 3 * (time.perf_counter() - timer) - 0.005
    if anchor is None:
        # Start from the organisers' deal instead when it is legal and better.
        deal = _to_where(model, deal_round_robin(problem))
        deal_score = evaluate(model, deal)
        if deal_score.hard_violations == 0 and deal_score.key() < start_score.key():
            start, start_score = deal, deal_score
    found, done = start, 0
    for cooling, share in ((QUENCH, QUENCH_SHARE), (ANNEAL, 1.0)):
        budget = None if iterations is None else max(0, round(share * (iterations - done)))
        deadline = time.perf_counter() + share * (finish_by - time.perf_counter())
        search.load(found)
        found, tried = search.anneal(rng, cooling, budget, deadline)
        done += tried
    # The search minimises a locally lexicographic cost; keep the start if it
    # is lexicographically better after all.
    score = evaluate(model, found)
    if start_score.key() < score.key():
        found, score = start, start_score
    if score.hard_violations:
        broken = ", ".join(f"{rule} {score.hard[rule]}" for rule in HARD_RULES if score.hard[rule])
        raise InvalidProblem(f"no seating found that meets every hard constraint ({broken})")
    moves = None
    if anchor is not None:
        moves = sum(
            1 for table_of, home in zip(found, anchor) for t, h in zip(table_of, home) if h >= 0 and t != h
        )
    return Plan(_to_ids(model, found), score, done, time.perf_counter() - started, moves)


def solve(
    problem: Problem,
    seconds: float | None = None,
    seed: int | None = None,
    iterations: int | None = None,
) -> Plan:
    """Seat the problem. Stops when the time is up (`seconds`, default the
    problem's), when every term is at its lower bound, or after `iterations`
    moves if given (then the time limit is ignored and the plan depends only on
    the problem and the seed)."""
    return _run(problem, seconds, seed, iterations, None)


def reseat(
    problem: Problem,
    current: list[list[list[str]]],
    seconds: float | None = None,
    seed: int | None = None,
    iterations: int | None = None,
) -> Plan:
    """Re-seat after changes (late arrivals, no-shows, new pins) moving as few
    people as possible: everyone in `current` who is still in the problem keeps
    their seat unless a hard constraint needs it (fewest moves outranks every
    soft term); newcomers fill the gaps; absentees are dropped.
    `Plan.moves` counts the (person, round) seats that changed."""
    return _run(problem, seconds, seed, iterations, current)
