"""The search state: a seating with its cost terms kept up to date move by move.

`Search` holds where everyone sits, every cost term (hard rules, seats moved,
repeats, excess per attribute, history) and the bitsets and counts that give a
move's change in cost without making it; `anneal.py` and `tabu.py` search with
it. See README.md for the algorithm.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .construct import deal_order
from .model import Model
from .score import lower_bounds

# Cost tiers, most important first; one excess tier per mix_by attribute
# follows (from ATTR, in the order chosen), then history (met before) last:
# it only breaks ties among seatings equally good on every attribute.
HARD, MOVED, REPEATS, ATTR = range(4)
SOFT_RATIO = 2  # soft weights: each active tier counts this many times the next


class Search:
    """A seating with its cost terms kept up to date move by move.

    where[r][p] is p's table in round r; seated[r][t] lists table t's people.
    meet[p] maps q to p and q's meetings (absent: 0), lowered by (forced - 1)
    for pairs seated together on purpose, so "a meeting is a repeat once
    meet >= 1" holds for every pair. Memory is linear in the meetings, not n².
    """

    # Set by the first `load` (absent until then).
    where: list[list[int]]
    seated: list[list[list[int]]]
    terms: list[int]
    meet: list[dict[int, int]]
    members: list[list[int]]  # [round][table] -> bitset of its people
    once: list[int]  # bitsets: whom each person meets at least once in the event
    twice: list[int]  # ... and at least twice
    count: list[list[list[int]]]  # [attribute][round][table * values + value] -> people
    facilitators: list[list[int]]  # [round][table] -> facilitators
    rows: list[list[tuple[list[int], list[int], int, list[int], int]]]  # see _rows

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
        self.met: list[dict[int, int]] | None = None
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
            for u in deal_order(model):
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

    def exchange(self, p: int, q: int) -> None:
        """p and q trade seats in every round (its own inverse)."""
        for r in range(self.R):
            a, b = self.where[r][p], self.where[r][q]
            if a != b:
                self.relocate(r, p, b)
                self.relocate(r, q, a)

    def trade(self, r: int, mover: Sequence[int], partner: Sequence[int], a: int, b: int) -> None:
        """Send `mover` from table a to b and `partner` from b to a in round r."""
        for x in mover:
            self.relocate(r, x, b)
        for y in partner:
            self.relocate(r, y, a)

    def loners(
        self, rng: random.Random, r: int, t: int, count: int, including: tuple[int, ...]
    ) -> list[int] | None:
        """`count` people at table t in round r who are free and in no group
        (`including` first), or None if there are not enough."""
        unit_of, units, pins = self.unit_of, self.units, self.model.unit_table[r]
        pool = [
            x for x in self.seated[r][t]
            if x not in including and len(units[unit_of[x]]) == 1 and pins[unit_of[x]] == -1
        ]
        wanted = count - len(including)
        return list(including) + rng.sample(pool, wanted) if len(pool) >= wanted else None
