"""The engine's public entry points, `solve` and `reseat`: compile the problem,
construct a start, then search in phases within the budget (see README.md)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from .anneal import anneal
from .baselines import deal_round_robin
from .construct import construct
from .model import Model, compile_problem
from .problem import InvalidProblem, Problem
from .score import HARD_RULES, Score, evaluate
from .search import ATTR, REPEATS, Search
from .tabu import tabu

# Annealing temperatures (first, last) in units of the lowest tier the phase's
# weights count: a short quench keeps a good construction's structure and takes
# its easy gains, then full anneals (top, hybrid or soft, then strict weights)
# explore from the best.
QUENCH, ANNEAL = (0.05, 0.05), (1.0, 0.05)
QUENCH_SHARE = 0.05  # of the time or move budget
SOFT_SHARE = 0.6  # of the rest: anneal with soft weights, then strict again
PRESSING_SHARE = 0.5  # of the strict phase, at most, for a tabu search on repeats/history
TOP_SHARE = 0.8  # of the rest, at most, for the tiers down to the first attribute
# The tabu search follows the quench on social golfer problems this small.
TABU_SEATS = 1000  # people x rounds at most


@dataclass
class Plan:
    rounds: list[list[list[str]]]  # rounds x tables (input order) x person ids
    score: Score
    iterations: int = 0
    seconds: float = 0.0
    moves: int | None = None  # reseat only: (person, round) seats that changed


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


def _golfers_left(search: Search, model: Model) -> bool:
    """Whether the tabu search should follow the quench: a social golfer
    problem (repeats are the only soft term) in a small room (the tabu search
    weighs many swaps a step) with repeats still above their bound."""
    small = model.people * model.rounds <= TABU_SEATS
    only_repeats = not any(search.reach[ATTR:])
    return small and only_repeats and search.terms[REPEATS] > search.floor[REPEATS]


def _run(
    problem: Problem,
    seconds: float | None,
    seed: int | None,
    iterations: int | None,
    current: list[list[list[str]]] | None,
) -> Plan:
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
    search = Search(model, anchor)
    start = construct(model, rng, anchor)
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
    found, tried = anneal(search, rng, QUENCH, *budget(QUENCH_SHARE))
    done += tried
    search.use(search.strict_weights)
    search.load(found)
    if _golfers_left(search, model):
        found, tried = tabu(search, rng, *budget(1.0))
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
            found, tried = anneal(search, rng, ANNEAL, *budget(TOP_SHARE))
            done += tried
            search.use(search.hybrid_weights)
        else:
            search.use(search.soft_weights)
        search.load(found)
        found, tried = anneal(search, rng, ANNEAL, *budget(SOFT_SHARE))
        done += tried
        search.use(search.strict_weights)
        search.load(found)
        if search.pressing_above_floor():
            found, tried = tabu(search, rng, *budget(PRESSING_SHARE), pressing_only=True)
            done += tried
            search.load(found)
        found, tried = anneal(search, rng, ANNEAL, *budget(1.0))
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
