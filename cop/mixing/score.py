"""Scoring a seating: the lexicographic score of the README and its lower bounds.

Terms, most important first:
  hard_violations  broken hard rules (the breakdown is in `hard`)
  repeats          extra meetings of a pair within the event: meeting twice
                   counts 1, three times 2; meetings forced by together groups
                   or by pins to one table are not counted
  excess[a]        for each mix_by attribute a, in order: over all rounds and
                   tables, how far each value's count exceeds ceil(total / tables)
  met_before       (round, pair) sittings of pairs listed in met_before,
                   forced meetings excepted, each counted with its weight: only
                   a tie-break among seatings equally good on every attribute
`met_before_sittings` (the same sittings unweighted) and `mean_new_contacts`
are reported but not optimised directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypedDict

from .model import Model, compile_problem
from .problem import Problem

HARD_RULES = (
    "rounds",  # wrong number of rounds in the plan
    "tables",  # a round with the wrong number of tables
    "unknown",  # seats given to ids that are not in the problem
    "unseated",  # people missing from a round
    "seated_twice",  # extra appearances of a person within a round
    "capacity",  # people over a table's capacity
    "balance",  # people outside the even table-size range
    "pinned",  # pins not honoured
    "apart",  # apart pairs sharing a table
    "together",  # together groups split (extra tables used by a group)
    "facilitators",  # facilitators over ceil(facilitators / tables) at a table
)


class LowerBounds(TypedDict):
    """Values no plan can beat: repeats, history (weighted), excess per mix_by attribute."""

    repeats: int
    met_before: int
    excess: dict[str, int]


@dataclass(frozen=True)
class Score:
    hard_violations: int
    hard: dict[str, int]
    repeats: int
    met_before: int
    excess: dict[str, int]
    mean_new_contacts: float
    lower_bounds: LowerBounds
    met_before_sittings: int = 0

    def key(self) -> tuple[int, ...]:
        """Lexicographic key: smaller is better. The mix_by attributes, in the
        order chosen, come before history."""
        return (self.hard_violations, self.repeats, *self.excess.values(), self.met_before)

    @property
    def at_lower_bound(self) -> bool:
        bounds = self.lower_bounds
        return (
            self.hard_violations == 0
            and self.repeats <= bounds["repeats"]
            and self.met_before <= bounds["met_before"]
            and all(self.excess[a] <= bounds["excess"][a] for a in self.excess)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "hard_violations": self.hard_violations,
            "hard": dict(self.hard),
            "repeats": self.repeats,
            "met_before": self.met_before,
            "met_before_sittings": self.met_before_sittings,
            "excess": dict(self.excess),
            "mean_new_contacts": round(self.mean_new_contacts, 3),
            "lower_bounds": {
                "repeats": self.lower_bounds["repeats"],
                "met_before": self.lower_bounds["met_before"],
                "excess": dict(self.lower_bounds["excess"]),
            },
            "at_lower_bound": self.at_lower_bound,
        }


def lower_bounds(model: Model) -> LowerBounds:
    """Values no plan can beat (valid bounds, not always reachable)."""
    n, tables, rounds = model.people, model.tables, model.rounds
    low, high = model.low, model.high
    # The most even sizes also minimise meetings per round.
    extra = n - sum(low)
    level = max(low)
    meetings = sum(c * (c - 1) // 2 for c in low) + extra * level
    beyond_first = sum(max(1, f) - 1 for f in model.forced.values())
    by_total = rounds * meetings - n * (n - 1) // 2 - beyond_first
    # Everyone sits with at least `mates` others a round.
    open_tables = [max(lo, 1) for lo, hi in zip(low, high) if hi > 0]
    mates = min(open_tables) - 1 if open_tables else 0
    by_person = math.ceil(n * max(0, rounds * mates - (n - 1)) / 2) - beyond_first
    # Pigeonhole: a table of s people spreads over T tables next round, so at
    # least `spread(s)` of its pairs meet again; summed over pairs of rounds,
    # and since a pair meeting m <= R times has m - 1 >= C(m, 2) * 2 / R.
    def spread(s: int) -> int:
        q, extra_people = divmod(s, tables)
        return extra_people * (q + 1) * q // 2 + (tables - extra_people) * q * (q - 1) // 2

    again = rounds * (rounds - 1) // 2 * sum(spread(s) for s in low)
    by_pigeonhole = math.ceil(2 * again / rounds) - (rounds - 1) * len(model.forced)
    repeats = max(0, by_total, by_person, by_pigeonhole)

    # Someone who met all but k of the others before sits with at least
    # mates - k of them a round: at least the lightest such weights.
    weights_of: list[list[int]] = [[] for _ in range(n)]
    for pair, weight in model.met_before.items():
        if pair not in model.forced:
            weights_of[pair[0]].append(weight)
            weights_of[pair[1]].append(weight)
    unavoidable = 0
    for p in range(n):
        forced_hits = max(0, mates - (n - 1 - len(weights_of[p])))
        if forced_hits:
            unavoidable += sum(sorted(weights_of[p])[:forced_hits])
    met_before = math.ceil(unavoidable * rounds / 2)

    excess: dict[str, int] = {}
    for attr in model.attributes:
        per_round = sum(
            max(0, count - sum(min(h, bound) for h in high))
            for count, bound in zip(attr.count, attr.bound)
        )
        excess[attr.name] = per_round * rounds
    return {"repeats": repeats, "met_before": met_before, "excess": excess}


def evaluate(model: Model, where: list[list[int]], hard: dict[str, int] | None = None) -> Score:
    """Score a seating given as where[round][person] = table (-1 = unseated).

    `hard` carries violations already counted by the caller (unknown ids...).
    """
    n, tables = model.people, model.tables
    hard = dict.fromkeys(HARD_RULES, 0) | (hard or {})
    pair_meetings: dict[tuple[int, int], int] = {}
    met_before_hits = sittings = 0
    excess = dict.fromkeys((a.name for a in model.attributes), 0)
    for r, table_of in enumerate(where):
        seated: list[list[int]] = [[] for _ in range(tables)]
        for p in range(n):
            if table_of[p] >= 0:
                seated[table_of[p]].append(p)
            else:
                hard["unseated"] += 1
        pins = model.unit_table[r] if r < model.rounds else None
        for t, people in enumerate(seated):
            size = len(people)
            hard["capacity"] += max(0, size - model.capacity[t])
            hard["balance"] += max(0, model.low[t] - size, size - model.high[t])
            facilitators = sum(model.facilitator[p] for p in people)
            hard["facilitators"] += max(0, facilitators - model.facilitator_limit)
            for x in range(size):
                for y in range(x + 1, size):
                    pair = (people[x], people[y])
                    pair_meetings[pair] = pair_meetings.get(pair, 0) + 1
                    if pair in model.met_before and pair not in model.forced:
                        met_before_hits += model.met_before[pair]
                        sittings += 1
            for attr in model.attributes:
                counts: dict[int, int] = {}
                for p in people:
                    v = attr.value_of[p]
                    if v >= 0:
                        counts[v] = counts.get(v, 0) + 1
                excess[attr.name] += sum(max(0, c - attr.bound[v]) for v, c in counts.items())
        if pins is not None:
            for u, members in enumerate(model.units):
                used = {table_of[m] for m in members if table_of[m] >= 0}
                hard["together"] += max(0, len(used) - 1)
                if pins[u] != -1:
                    hard["pinned"] += sum(1 for m in members if table_of[m] != pins[u])
        for a, b in model.apart_pairs:
            if table_of[a] >= 0 and table_of[a] == table_of[b]:
                hard["apart"] += 1

    repeats = sum(
        max(0, m - max(1, model.forced.get(pair, 0))) for pair, m in pair_meetings.items()
    )
    new_contacts = [0] * n
    for (a, b) in pair_meetings:
        if (a, b) not in model.met_before:
            new_contacts[a] += 1
            new_contacts[b] += 1
    return Score(
        hard_violations=sum(hard.values()),
        hard=hard,
        repeats=repeats,
        met_before=met_before_hits,
        excess=excess,
        mean_new_contacts=sum(new_contacts) / n if n else 0.0,
        lower_bounds=lower_bounds(model),
        met_before_sittings=sittings,
    )


def score_plan(problem: Problem, rounds: list[list[list[str]]]) -> Score:
    """Score any seating given as rounds x tables x person ids.

    Mistakes in the seating itself (unknown ids, people missing or seated twice,
    wrong numbers of rounds or tables) are counted as hard violations, so a
    plan edited by hand can be rescored safely.
    """
    model = compile_problem(problem)
    hard = dict.fromkeys(HARD_RULES, 0)
    hard["rounds"] = abs(len(rounds) - model.rounds)
    where = []
    for seating in rounds[: model.rounds]:
        hard["tables"] += abs(len(seating) - model.tables)
        table_of = [-1] * model.people
        for t, people in enumerate(seating):
            for pid in people:
                p = model.index.get(pid)
                if p is None:
                    hard["unknown"] += 1
                elif table_of[p] != -1:
                    hard["seated_twice"] += 1
                elif t < model.tables:  # else at a table that does not exist: unseated
                    table_of[p] = t
        where.append(table_of)
    where += [[-1] * model.people for _ in range(model.rounds - len(where))]
    return evaluate(model, where, hard)
