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

# Cost tiers, most important first; one excess tier per mix_by attribute
# follows (from ATTR, in the order chosen), then history (met before) last:
# it only breaks ties among seatings equally good on every attribute.
HARD, MOVED, REPEATS, ATTR = range(4)
FOCUS = 0.6  # share of moves that start from a person who is part of a cost
# Annealing temperatures (first, last) in units of the lowest tier the phase's
# weights count: a short quench keeps a good construction's structure and takes
# its easy gains, then full anneals (top, hybrid or soft, then strict weights)
# explore from the best.
QUENCH, ANNEAL = (0.05, 0.05), (1.0, 0.05)
QUENCH_SHARE = 0.05  # of the time or move budget
SOFT_SHARE = 0.6  # of the rest: anneal with soft weights, then strict again
PRESSING_SHARE = 0.5  # of the strict phase, at most, for a tabu search on repeats/history
SOFT_RATIO = 2  # soft weights: each active tier counts this many times the next
TOP_SHARE = 0.8  # of the rest, at most, for the tiers down to the first attribute
ITINERARY = 0.1  # share of moves that exchange two people's whole itineraries
ITINERARY_TIGHT = 0.5  # the same where repeats are unavoidable: swaps mostly add some
ALIKE = 0.5  # share of exchanges with someone from the same run of the deal
# Tabu search, for social golfer problems whose repeats the quench leaves above
# their bound: steps a swap stays tabu, steps without a new best before a
# restart from the best seating, random swaps that shake it then.
TABU_SEATS = 1000  # people x rounds at most
TABU_TENURE = (4, 12)
TABU_STALL = 200
TABU_SHAKE = 3


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
    meet[p] maps q to p and q's meetings (absent: 0), lowered by (forced - 1)
    for pairs seated together on purpose, so "a meeting is a repeat once
    meet >= 1" holds for every pair. Memory is linear in the meetings, not n².
    """

    def __init__(self, model: Model, anchor: list[list[int]] | None = None):
        self.model = model
        self.n, self.T, self.R = model.people, model.tables, model.rounds
        self.units, self.unit_of = model.units, model.unit_of
        self.facilitator = [1 if f else 0 for f in model.facilitator]
        # Whether a swap can touch a hard rule at all (facilitators, apart pairs).
        self.hard_rules = any(self.facilitator) or any(model.apart_of)
        self.anchor = anchor
        self.attributes = [(a.value_of, a.bound, len(a.values)) for a in model.attributes]
        n = self.n
        self.MET = ATTR + len(self.attributes)  # the history tier, last
        # History weights: met[p] maps q to the pair's weight (None: no history).
        self.met = None
        history = {pair: w for pair, w in model.met_before.items() if pair not in model.forced}
        if history:
            self.met = [{} for _ in range(n)]
            for (a, b), w in history.items():
                self.met[a][b] = self.met[b][a] = w
        # Bitsets (Python ints, bit q for person q) of whom each person met
        # before, one per binary digit of the weights: planes[k][p] holds q
        # when bit k of their weight is set; met_bits[p] any weight.
        heaviest = max(history.values(), default=0)
        self.heaviest = heaviest
        self.planes = [[0] * n for _ in range(heaviest.bit_length())]
        self.met_bits = [0] * n
        for (a, b), w in history.items():
            for k, plane in enumerate(self.planes):
                if w >> k & 1:
                    plane[a] |= 1 << b
                    plane[b] |= 1 << a
            self.met_bits[a] |= 1 << b
            self.met_bits[b] |= 1 << a
        self.weighted_planes = list(enumerate(self.planes))
        self.mobile = [
            [p for p in range(n) if model.unit_table[r][model.unit_of[p]] == -1]
            for r in range(self.R)
        ]
        # People who may trade whole itineraries: alone in their unit, never pinned.
        self.free_all_event = [
            p for p in range(n)
            if len(self.units[self.unit_of[p]]) == 1
            and all(pins[self.unit_of[p]] == -1 for pins in model.unit_table)
        ]
        # Exchange partners that keep the first attribute's spread: people in
        # the same run of T positions of the deal (the design seats a run at
        # T different tables in every round, and the deal packs each value
        # into whole runs).
        self.alike: list[list[int]] = [[] for _ in range(n)]
        if model.attributes:
            free = set(self.free_all_event)
            groups: dict[int, list[int]] = {}
            position = 0
            for u in _deal_order(model):
                for p in model.units[u]:
                    if p in free:
                        groups.setdefault(position // self.T, []).append(p)
                    position += 1
            for people in groups.values():
                for p in people:
                    self.alike[p] = people  # shared (p included): linear memory
        bounds = lower_bounds(model)
        self.floor = [0, 0, bounds["repeats"], *bounds["excess"].values(), bounds["met_before"]]
        self.strict_weights = self._weights()
        self.soft_weights = self._soft_weights()
        # Soft weights on the tiers down to the first attribute only: the lower
        # attributes' noise would pin the search where the first one needs room.
        self.top_weights = [w if k <= ATTR else 0 for k, w in enumerate(self.soft_weights)]
        self.hybrid_weights = self._hybrid_weights()
        self.use(self.strict_weights)

    def use(self, weights: list[int]) -> None:
        """Search with these tier weights (strict or soft) from now on."""
        self.weights = weights
        self.floor_cost = sum(w * f for w, f in zip(weights, self.floor))
        # Temperatures are in units of the lowest tier these weights count.
        active = [w for w, r in zip(weights, self.reach) if r and w]
        self.temperature_unit = min(active) if active else 1
        if hasattr(self, "count"):
            self._rows()

    def _rows(self) -> None:
        """Per round, the attributes these weights count, with their counts
        (the lists `relocate` updates in place), for swap_delta."""
        self.rows = [
            [
                (value_of, bound, values, self.count[k][r], self.weights[ATTR + k])
                for k, (value_of, bound, values) in enumerate(self.attributes)
                if values and self.weights[ATTR + k]
            ]
            for r in range(self.R)
        ]

    def _weights(self) -> list[int]:
        """Tier weights such that a swap of two people that improves a tier
        always beats what it can do to all lower tiers (a locally lexicographic
        cost; group moves are only nearly so, and the final choice between
        seatings is made on the exact lexicographic score)."""
        seats = max(self.model.high)
        reach = [0, 2 if self.anchor else 0, 4 * seats if self.R > 1 else 0]
        reach += [4 if values else 0 for _, _, values in self.attributes]
        reach.append(4 * seats * self.heaviest if self.met else 0)
        weights = [0] * len(reach)
        below = 0
        for k in range(len(reach) - 1, -1, -1):
            weights[k] = 1 + below
            below += weights[k] * reach[k]
        self.reach = reach  # how far one swap can move each tier (0: inactive)
        active = [w for w, r in zip(weights, reach) if r] or [1]
        self.temperature_unit = min(active)
        return weights

    def _soft_weights(self) -> list[int]:
        """Finite weights for the soft tiers: each active tier counts
        SOFT_RATIO times the next, so the search may take a repeat or a
        met-before hit for a while to fix enough diversity (the best seating
        is still judged lexicographically). Hard rules and moves stay strict."""
        weights = list(self.strict_weights)
        step = 1
        for k in range(len(weights) - 1, REPEATS - 1, -1):
            weights[k] = step
            if self.reach[k]:
                step *= SOFT_RATIO
        return weights

    def _hybrid_weights(self) -> list[int]:
        """Soft weights on the attributes after the first, strict ones from
        the first attribute up: the lower attributes trade among themselves,
        never against the tiers above."""
        weights = list(self.soft_weights)
        below = sum(w * r for w, r in zip(weights[ATTR + 1 :], self.reach[ATTR + 1 :]))
        for k in range(min(ATTR, len(weights) - 1), -1, -1):
            weights[k] = 1 + below
            below += weights[k] * self.reach[k]
        return weights

    # --- state ----------------------------------------------------------------

    def load(self, where: list[list[int]]) -> None:
        """Seat everyone as given: the first time every term is computed from
        scratch (linear in the meetings), later only the seats that differ
        from the current seating are moved, term by term."""
        if getattr(self, "where", None) is not None:
            for r, (table_of, now) in enumerate(zip(where, self.where)):
                for p, t in enumerate(table_of):
                    if now[p] != t:
                        self.relocate(r, p, t)
            return
        n, T, model = self.n, self.T, self.model
        self.where = [list(w) for w in where]
        self.seated = [[[] for _ in range(T)] for _ in range(self.R)]
        for r, table_of in enumerate(self.where):
            for p, t in enumerate(table_of):
                self.seated[r][t].append(p)
        terms = [0] * (self.MET + 1)
        meet: list[dict[int, int]] = [{} for _ in range(n)]
        for (a, b), forced in model.forced.items():
            meet[a][b] = meet[b][a] = 1 - max(1, forced)
        met = self.met
        for tables in self.seated:
            for people in tables:
                for x, a in enumerate(people):
                    row = meet[a]
                    for b in people[x + 1 :]:
                        c = row.get(b, 0)
                        if c >= 1:
                            terms[REPEATS] += 1
                        row[b] = meet[b][a] = c + 1
                        if met is not None:
                            terms[self.MET] += met[a].get(b, 0)
        self.meet = meet
        # Bitsets kept beside the counts, for swap_delta: who sits at each
        # table, and whom each person meets at least once / twice in the event.
        self.members = [[sum(1 << p for p in people) for people in tables] for tables in self.seated]
        self.once = [sum(1 << q for q, c in row.items() if c >= 1) for row in meet]
        self.twice = [sum(1 << q for q, c in row.items() if c >= 2) for row in meet]
        self.count = []
        for k, (value_of, bound, values) in enumerate(self.attributes):
            per_round = []
            for table_of in self.where:
                count = [0] * (T * values)
                for p, v in enumerate(value_of):
                    if v >= 0:
                        count[table_of[p] * values + v] += 1
                terms[ATTR + k] += sum(max(0, c - bound[i % values]) for i, c in enumerate(count))
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
        self._rows()
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
        once, twice = self.once, self.twice
        bit_p = 1 << p
        for x in leaving:
            c = row.get(x, 0)
            if c >= 2:
                repeats -= 1
                if c == 2:
                    twice[p] &= ~(1 << x)
                    twice[x] &= ~bit_p
            elif c == 1:
                once[p] &= ~(1 << x)
                once[x] &= ~bit_p
            row[x] = meet[x][p] = c - 1
            if met is not None:
                met_before -= met.get(x, 0)
        joining = self.seated[r][dest]
        for y in joining:
            c = row.get(y, 0)
            if c >= 1:
                repeats += 1
                if c == 1:
                    twice[p] |= 1 << y
                    twice[y] |= bit_p
            elif c == 0:
                once[p] |= 1 << y
                once[y] |= bit_p
            row[y] = meet[y][p] = c + 1
            if met is not None:
                met_before += met.get(y, 0)
        members = self.members[r]
        members[src] &= ~bit_p
        members[dest] |= bit_p
        joining.append(p)
        where[p] = dest
        terms[REPEATS] += repeats
        terms[self.MET] += met_before
        for k, (value_of, bound, values) in enumerate(self.attributes):
            v = value_of[p]
            if v >= 0:
                count = self.count[k][r]
                i = src * values + v
                if count[i] > bound[v]:
                    terms[ATTR + k] -= 1
                count[i] -= 1
                i = dest * values + v
                if count[i] >= bound[v]:
                    terms[ATTR + k] += 1
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

    def swap_delta(self, r: int, p: int, q: int, repeats: bool = True) -> int:
        """Cost change of swapping two people (each alone in their unit) at
        different tables of round r, without making the move; without the
        repeats term if `repeats` is false (see exchange_delta)."""
        weights = self.weights
        where = self.where[r]
        a, b = where[p], where[q]
        members = self.members[r]
        at_a = members[a] & ~(1 << p)
        at_b = members[b] & ~(1 << q)
        delta = 0
        if repeats:
            once, twice = self.once, self.twice
            delta = weights[REPEATS] * (
                (once[q] & at_a).bit_count()
                - (twice[p] & at_a).bit_count()
                + (once[p] & at_b).bit_count()
                - (twice[q] & at_b).bit_count()
            )
        if self.met is not None and weights[self.MET]:
            hits = 0
            for k, plane in self.weighted_planes:
                met_p, met_q = plane[p], plane[q]
                hits += (
                    (met_q & at_a).bit_count()
                    - (met_p & at_a).bit_count()
                    + (met_p & at_b).bit_count()
                    - (met_q & at_b).bit_count()
                ) << k
            delta += hits * weights[self.MET]
        for value_of, bound, values, count, weight in self.rows[r]:
            vp, vq = value_of[p], value_of[q]
            if vp != vq:
                excess = 0
                if vp >= 0:
                    excess += (count[b * values + vp] >= bound[vp]) - (count[a * values + vp] > bound[vp])
                if vq >= 0:
                    excess += (count[a * values + vq] >= bound[vq]) - (count[b * values + vq] > bound[vq])
                delta += excess * weight
        if self.hard_rules:
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
        """(round, person) seats that take part in some cost: where moves pay.
        Under strict weights, while a tier above diversity (hard rules, moves,
        repeats) is above its floor, only seats in those tiers: diversity
        seats would swamp the few that matter most. History seats (the lowest
        tier) only once no diversity seat is left."""
        twice, met_bits, apart_of = self.twice, self.met_bits, self.model.apart_of
        history = self.met is not None and self.weights[self.MET] > 0
        limit = self.model.facilitator_limit
        pressing_hot, diverse_hot, history_hot = [], [], []
        for r in range(self.R):
            where = self.where[r]
            pressing = [False] * self.n
            diverse = [False] * self.n
            met = [False] * self.n
            members = self.members[r]
            for t, people in enumerate(self.seated[r]):
                bits = members[t]
                for a in people:
                    if twice[a] & bits:
                        pressing[a] = True
                    elif apart_of[a] and any(where[y] == t for y in apart_of[a]):
                        pressing[a] = True
                    if history and met_bits[a] & bits:
                        met[a] = True
                for k, (value_of, bound, values) in enumerate(self.attributes):
                    if not self.weights[ATTR + k]:
                        continue
                    count = self.count[k][r]
                    for a in people:
                        v = value_of[a]
                        if v >= 0 and count[t * values + v] > bound[v]:
                            diverse[a] = True
                if self.facilitators[r][t] > limit:
                    for a in people:
                        pressing[a] = pressing[a] or self.facilitator[a] == 1
            if self.anchor:
                for p, home in enumerate(self.anchor[r]):
                    pressing[p] = pressing[p] or home not in (-1, where[p])
            pressing_hot += [(r, p) for p in self.mobile[r] if pressing[p]]
            diverse_hot += [(r, p) for p in self.mobile[r] if diverse[p] and not pressing[p]]
            history_hot += [(r, p) for p in self.mobile[r] if met[p] and not pressing[p] and not diverse[p]]
        strict = self.weights is self.strict_weights
        if strict and pressing_hot and self.pressing_above_floor():
            return pressing_hot
        return pressing_hot + (diverse_hot or history_hot)

    def pressing_above_floor(self) -> bool:
        """Whether a tier above diversity is above its floor."""
        return any(self.terms[k] > self.floor[k] for k in (HARD, MOVED, REPEATS))

    def exchange_delta(self, p: int, q: int) -> int:
        """Cost change of p and q trading seats in every round. Repeats do not
        change (it only renames who meets whom); every other term is counted
        round by round, so the rounds' swap deltas add up exactly."""
        delta = 0
        for r in range(self.R):
            where = self.where[r]
            if where[p] != where[q]:
                delta += self.swap_delta(r, p, q, repeats=False)
        return delta

    def _exchange(self, p: int, q: int) -> None:
        """p and q trade seats in every round (its own inverse)."""
        for r in range(self.R):
            a, b = self.where[r][p], self.where[r][q]
            if a != b:
                self.relocate(r, p, b)
                self.relocate(r, q, a)

    def _trade(self, r: int, mover, partner, a: int, b: int) -> None:
        """Send `mover` from table a to b and `partner` from b to a in round r."""
        for x in mover:
            self.relocate(r, x, b)
        for y in partner:
            self.relocate(r, y, a)

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

    def tabu(
        self, rng: random.Random, iterations: int | None, deadline: float, pressing_only: bool = False
    ) -> tuple[list[list[int]], int]:
        """Conflict-directed tabu search (Dotu & Van Hentenryck, "Scheduling
        Social Golfers Locally"). Each step makes the best swap of a person who
        takes part in a cost with anyone at another table of that round, even
        if it makes things worse; swapping a pair back is tabu for a few steps
        unless it beats the best cost seen. After a long stall the search goes
        back to the best seating and shakes it with a few random swaps.
        With `pressing_only` it stops once the tiers above diversity are at
        their floor. Returns the lexicographically best seating seen and the
        swaps weighed (the budget `iterations` counts those, like moves in
        `anneal`)."""
        best = [list(w) for w in self.where]
        best_terms = list(self.terms)
        cost = best_cost = self.cost()
        units, unit_of = self.units, self.unit_of
        loners = [[p for p in self.mobile[r] if len(units[unit_of[p]]) == 1] for r in range(self.R)]
        tabu_until: dict[tuple[int, int, int], int] = {}
        weighed = step = last_gain = 0
        while self.pressing_above_floor() if pressing_only else cost > self.floor_cost:
            if iterations is not None and weighed >= iterations:
                break
            if iterations is None and time.thread_time() >= deadline:
                break
            step += 1
            if step - last_gain > TABU_STALL:
                self.load(best)
                self._shake(rng, loners)
                cost = self.cost()
                tabu_until.clear()
                last_gain = step
            chosen, chosen_delta, ties = None, math.inf, 0
            # Swaps need people who sit alone in their unit.
            hot = [(r, p) for r, p in self.hot_spots() if len(units[unit_of[p]]) == 1]
            if pressing_only and hot:  # a large room: one seat's swaps a step
                hot = [hot[int(rng.random() * len(hot))]]
            for r, p in hot:
                where = self.where[r]
                a = where[p]
                for q in loners[r]:
                    if where[q] == a:
                        continue
                    delta = self.swap_delta(r, p, q)
                    weighed += 1
                    if delta > chosen_delta:
                        continue
                    move = (r, p, q) if p < q else (r, q, p)
                    if tabu_until.get(move, 0) > step and cost + delta >= best_cost:
                        continue
                    if delta < chosen_delta:
                        chosen, chosen_delta, ties = move, delta, 1
                    else:  # a fair pick among equally good swaps
                        ties += 1
                        if rng.random() * ties < 1:
                            chosen = move
            if chosen is None:
                break
            r, p, q = chosen
            a, b = self.where[r][p], self.where[r][q]
            self.relocate(r, p, b)
            self.relocate(r, q, a)
            cost += chosen_delta
            best_cost = min(best_cost, cost)
            tabu_until[chosen] = step + rng.randint(*TABU_TENURE)
            if self.terms < best_terms:
                best = [list(w) for w in self.where]
                best_terms = list(self.terms)
                last_gain = step
        return best, weighed

    def _shake(self, rng: random.Random, loners: list[list[int]]) -> None:
        """A few random swaps of people who sit alone in their unit."""
        rounds = [r for r in range(self.R) if len(loners[r]) > 1]
        for _ in range(TABU_SHAKE if rounds else 0):
            r = rng.choice(rounds)
            p, q = rng.sample(loners[r], 2)
            a, b = self.where[r][p], self.where[r][q]
            if a != b:
                self.relocate(r, p, b)
                self.relocate(r, q, a)

    def anneal(
        self, rng: random.Random, cooling: tuple[float, float], iterations: int | None, deadline: float
    ) -> tuple[list[list[int]], int]:
        """Simulated annealing over swaps and moves, cooling geometrically
        from cooling[0] to cooling[1] over the budget (`iterations` moves, or
        until `deadline`); returns the best seating seen and the moves tried."""
        best = [list(w) for w in self.where]
        best_terms = list(self.terms)
        cost = self.cost()
        rounds = [r for r in range(self.R) if self.mobile[r]]
        if self.T < 2 or not rounds or cost <= self.floor_cost:
            return best, 0
        low, high, T = self.model.low, self.model.high, self.T
        units, unit_of, unit_table = self.units, self.unit_of, self.model.unit_table
        hot_start, hot_end = cooling
        unit = self.temperature_unit
        refresh = max(100, self.R * self.n)
        started = time.thread_time()
        best_is_current = True
        temperature = hot_start * unit
        hot: list[tuple[int, int]] = []
        random_ = rng.random
        exchangeable_list = self.free_all_event
        exchangeable = set(exchangeable_list)
        # Exchanges keep the shape of who meets whom: worth it wherever repeats
        # are at their floor (a tight meeting structure that swaps would break).
        exchanges = self.R > 1 and len(exchangeable_list) > 1
        alike = self.alike  # exchangeable people who share the first attribute's value
        # Exchanges cost several swaps' work: rarer where swaps alone can reach
        # the repeats' floor.
        itinerary = ITINERARY_TIGHT if self.floor[REPEATS] > 0 else ITINERARY
        it = 0
        while True:
            if it & 127 == 0:
                if iterations is not None:
                    progress = it / iterations if iterations else 1.0
                else:
                    now = time.thread_time()
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
            if exchanges and random_() < itinerary and p in exchangeable:
                # Two people trade their whole itineraries: who meets whom keeps
                # its shape (repeats stay put), only the names at each seat change.
                same = alike[p]
                if same and random_() < ALIKE:
                    # Same value of the first attribute: its excess stays put too.
                    q = same[int(random_() * len(same))]
                else:
                    q = exchangeable_list[int(random_() * len(exchangeable_list))]
                if self.terms[REPEATS] > self.floor[REPEATS] and self.floor[REPEATS] == 0:
                    q = p  # while repeats can still fall, swaps do better
                if q == p:
                    continue
                delta = self.exchange_delta(p, q)
                if delta > 0 and random_() >= math.exp(-delta / temperature):
                    continue
                self._exchange(p, q)
                cost += delta
                if self.terms < best_terms:
                    best_terms = list(self.terms)
                    best_is_current = True
                elif best_is_current and self.terms != best_terms:
                    self._exchange(p, q)
                    best = [list(w) for w in self.where]
                    self._exchange(p, q)
                    best_is_current = False
                continue
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
                mover, partner = (p,), (q,)
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
                self._trade(r, mover, partner, a, b)
                delta = self.cost() - cost
                if delta > 0 and random_() >= math.exp(-delta / temperature):
                    self._trade(r, partner, mover, a, b)
                    continue
            cost += delta
            # The best seating is judged on the exact lexicographic terms,
            # whatever the weights; it is copied only when the search leaves it.
            if self.terms < best_terms:
                best_terms = list(self.terms)
                best_is_current = True
            elif best_is_current and self.terms != best_terms:
                self._trade(r, partner, mover, a, b)
                best = [list(w) for w in self.where]
                self._trade(r, mover, partner, a, b)
                best_is_current = False
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
    earlier: list[list[int]] = (),
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


def _construct(model: Model, rng: random.Random, anchor: list[list[int]] | None) -> list[list[int]]:
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


def _construct_with(model: Model, rng: random.Random, anchor, avoid_met: bool) -> list[list[int]]:
    order = _deal_order(model)
    if model.met_before and not avoid_met:
        order = _steered(model, order)
    where = []
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


def _golfers_left(search: _Search, model: Model) -> bool:
    """Whether the tabu search should follow the quench: a social golfer
    problem (repeats are the only soft term) in a small room (the tabu search
    weighs many swaps a step) with repeats still above their bound."""
    small = model.people * model.rounds <= TABU_SEATS
    only_repeats = not any(search.reach[ATTR:])
    return small and only_repeats and search.terms[REPEATS] > search.floor[REPEATS]


def _run(problem: Problem, seconds, seed, iterations, current) -> Plan:
    # The budget is CPU time of this thread (or moves), not wall-clock time:
    # on a busy machine, or beside other requests in a threaded server, the
    # search gets the same work done, only later.
    started = time.thread_time()
    model = compile_problem(problem)
    seconds = problem.seconds if seconds is None else seconds
    if iterations is None:
        iterations = problem.iterations
    rng = random.Random(problem.seed if seed is None else seed)
    anchor = _to_where(model, current) if current is not None else None
    search = _Search(model, anchor)
    start = _construct(model, rng, anchor)
    timer = time.thread_time()
    start_score = evaluate(model, start)
    # Keep time to score the result and still return within the budget.
    finish_by = started + seconds - 3 * (time.thread_time() - timer) - 0.002
    if anchor is None:
        # Start from the organisers' deal instead when it is legal and better.
        deal = _to_where(model, deal_round_robin(problem))
        deal_score = evaluate(model, deal)
        if deal_score.hard_violations == 0 and deal_score.key() < start_score.key():
            start, start_score = deal, deal_score
    found, done = start, 0

    def budget(share: float) -> tuple[int | None, float]:
        """Moves and deadline for a phase: `share` of what is left."""
        moves = None if iterations is None else max(0, round(share * (iterations - done)))
        return moves, time.thread_time() + share * (finish_by - time.thread_time())

    # Quench with strict weights.
    top_first = len(model.attributes) > 1
    search.load(found)
    found, tried = search.anneal(rng, QUENCH, *budget(QUENCH_SHARE))
    done += tried
    search.use(search.strict_weights)
    search.load(found)
    if _golfers_left(search, model):
        found, tried = search.tabu(rng, *budget(1.0))
        done += tried
    else:
        # Anneal with soft weights, then with strict weights again; a tabu
        # search first if repeats or history hits are stuck above their floor
        # (no single swap removes them: it takes a worse step first).
        if top_first:
            # First the tiers down to the first attribute alone (it stops once
            # they are at their floor), then the lower attributes under them.
            search.use(search.top_weights)
            search.load(found)
            found, tried = search.anneal(rng, ANNEAL, *budget(TOP_SHARE))
            done += tried
            search.use(search.hybrid_weights)
        else:
            search.use(search.soft_weights)
        search.load(found)
        found, tried = search.anneal(rng, ANNEAL, *budget(SOFT_SHARE))
        done += tried
        search.use(search.strict_weights)
        search.load(found)
        if search.pressing_above_floor():
            found, tried = search.tabu(rng, *budget(PRESSING_SHARE), pressing_only=True)
            done += tried
            search.load(found)
        found, tried = search.anneal(rng, ANNEAL, *budget(1.0))
        done += tried
    # Every phase returns its lexicographically best seating; a last check on
    # the exact score keeps the start should the search not have beaten it.
    score = evaluate(model, found)

    def moved(where: list[list[int]]) -> int:
        if anchor is None:
            return 0
        return sum(1 for table_of, home in zip(where, anchor) for t, h in zip(table_of, home) if h >= 0 and t != h)

    def judged(where: list[list[int]], scored: Score) -> tuple[int, ...]:
        # Re-seating: fewest seats changed right after the hard rules, as in the search.
        return (scored.hard_violations, moved(where), *scored.key()[1:])

    if judged(start, start_score) < judged(found, score):
        found, score = start, start_score
    if score.hard_violations:
        broken = ", ".join(f"{rule} {score.hard[rule]}" for rule in HARD_RULES if score.hard[rule])
        raise InvalidProblem(f"no seating found that meets every hard constraint ({broken})")
    moves = None if anchor is None else moved(found)
    return Plan(_to_ids(model, found), score, done, time.thread_time() - started, moves)


def solve(
    problem: Problem,
    seconds: float | None = None,
    seed: int | None = None,
    iterations: int | None = None,
) -> Plan:
    """Seat the problem. Stops when the time is up (`seconds` of CPU time of
    this thread, default the problem's), when every term is at its lower
    bound, or after `iterations` moves if given, or the problem's (then the
    time limit is ignored and the plan depends only on the problem and the
    seed)."""
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
