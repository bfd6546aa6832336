"""Property-based tests of the seat-mixing engine.

Valid problems are made feasible by construction: a hidden seating is dealt
first and every constraint is read off it, so a solver that refuses one or
breaks a hard rule is wrong, never the problem.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cop.mixing import (
    InvalidProblem,
    Person,
    Pin,
    Problem,
    deal_round_robin,
    random_seating,
    score_plan,
    solve,
)
from cop.mixing.model import compile_problem, table_size_bounds
from cop.mixing.score import evaluate
from cop.mixing.search import Search
from cop.mixing.tabu import tabu

ORGANISATIONS = ["NHS A", "NHS B", "Council", "Hospice", "GP"]
SECTORS = ["health", "care", "voluntary"]


@st.composite
def people_and_tables(draw, max_people: int = 24):
    tables = draw(st.lists(st.integers(0, 7), min_size=1, max_size=6))
    assume(sum(tables) > 0)
    n = draw(st.integers(1, min(max_people, sum(tables))))
    people = []
    for i in range(n):
        attributes = {}
        if draw(st.integers(0, 9)):  # now and then someone has no organisation
            attributes["organisation"] = draw(st.sampled_from(ORGANISATIONS))
        attributes["sector"] = draw(st.sampled_from(SECTORS))
        people.append(Person(f"p{i}", attributes))
    return people, tables


def _hidden_seating(units: list[list[str]], tables: list[int], n: int, rounds: int, rng: random.Random):
    """Deal units at random into even-sized tables; None if the packing fails."""
    low, high = table_size_bounds(tables, n)
    seating = []
    for _ in range(rounds):
        order = units[:]
        rng.shuffle(order)
        order.sort(key=len, reverse=True)
        occupancy = [0] * len(tables)
        slack = n - sum(low)
        table_of = {}
        for unit in order:
            fits = []
            for t in range(len(tables)):
                over = max(0, occupancy[t] + len(unit) - low[t]) - max(0, occupancy[t] - low[t])
                if occupancy[t] + len(unit) <= high[t] and over <= slack:
                    fits.append((t, over))
            if not fits:
                return None
            t, over = rng.choice(fits)
            slack -= over
            occupancy[t] += len(unit)
            for pid in unit:
                table_of[pid] = t
        seating.append(table_of)
    return seating


@st.composite
def valid_problems(draw, max_people: int = 24, constraints: bool = True):
    people, tables = draw(people_and_tables(max_people))
    rounds = draw(st.integers(1, 3))
    ids = [p.id for p in people]
    rng = random.Random(draw(st.integers(0, 2**32)))
    units = [[pid] for pid in ids]
    together = []
    if constraints and len(ids) >= 4 and draw(st.booleans()):
        together = [(ids[0], ids[1])]
        units = [[ids[0], ids[1]]] + [[pid] for pid in ids[2:]]
    seating = _hidden_seating(units, tables, len(ids), rounds, rng)
    assume(seating is not None)
    apart, pinned, met_before = [], [], []
    if constraints:
        for _ in range(draw(st.integers(0, 3))):
            a, b = rng.sample(ids, 2) if len(ids) > 1 else (ids[0], ids[0])
            if a != b and all(seating[r][a] != seating[r][b] for r in range(rounds)):
                apart.append((a, b))
        for _ in range(draw(st.integers(0, 3))):
            pid, r = rng.choice(ids), rng.randrange(rounds)
            every_round = all(seating[k][pid] == seating[r][pid] for k in range(rounds))
            pinned.append(Pin(pid, seating[r][pid], None if every_round else r))
        for _ in range(draw(st.integers(0, 6))):
            a, b = rng.sample(ids, 2) if len(ids) > 1 else (ids[0], ids[0])
            if a != b:
                met_before.append((a, b))
        # Facilitators: at most one per table in every round of the hidden seating.
        facilitators = set()
        for pid in rng.sample(ids, min(len(ids), draw(st.integers(0, 4)))):
            trial = facilitators | {pid}
            limit = -(-len(trial) // len(tables))
            if all(
                sum(1 for f in trial if seating[r][f] == t) <= limit
                for r in range(rounds)
                for t in range(len(tables))
            ):
                facilitators = trial
        people = [
            Person(p.id, p.attributes | ({"role": "facilitator"} if p.id in facilitators else {}))
            for p in people
        ]
    return Problem(
        people,
        tables,
        rounds,
        mix_by=["organisation", "sector"],
        apart=apart,
        together=together,
        pinned=pinned,
        met_before=met_before,
    )


FAST = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
ITERATIONS = 3000


def assert_plan_is_a_seating(problem: Problem, rounds) -> None:
    """Everyone exactly once per round, tables in input order, capacities kept."""
    assert len(rounds) == problem.rounds
    everyone = sorted(p.id for p in problem.people)
    for seating in rounds:
        assert len(seating) == len(problem.tables)
        assert sorted(pid for table in seating for pid in table) == everyone
        for table, capacity in zip(seating, problem.tables):
            assert len(table) <= capacity


@FAST
@given(valid_problems())
def test_any_valid_problem_gets_a_plan_that_meets_every_hard_constraint(problem):
    plan = solve(problem, seed=3, iterations=ITERATIONS)
    assert_plan_is_a_seating(problem, plan.rounds)
    assert plan.score.hard_violations == 0, plan.score.hard
    # The reported score is the public scorer's verdict on the plan.
    assert score_plan(problem, plan.rounds) == plan.score
    table_of = [{pid: t for t, table in enumerate(seating) for pid in table} for seating in plan.rounds]
    for a, b in problem.apart:
        assert all(seat[a] != seat[b] for seat in table_of)
    for group in problem.together:
        assert all(len({seat[pid] for pid in group}) == 1 for seat in table_of)
    for pin in problem.pinned:
        rounds = range(problem.rounds) if pin.round is None else [pin.round]
        assert all(table_of[r][pin.person] == pin.table for r in rounds)
    sizes = [[len(table) for table in seating] for seating in plan.rounds]
    if all(c >= -(-len(problem.people) // len(problem.tables)) for c in problem.tables):
        assert all(max(s) - min(s) <= 1 for s in sizes)


@FAST
@given(valid_problems(constraints=False))
def test_engine_never_does_worse_than_the_round_robin_deal(problem):
    plan = solve(problem, seed=1, iterations=ITERATIONS)
    deal = score_plan(problem, deal_round_robin(problem))
    assert plan.score.key() <= deal.key()


@FAST
@given(valid_problems(), st.integers(0, 1000))
def test_same_seed_and_iteration_budget_give_the_same_plan(problem, seed):
    first = solve(problem, seed=seed, iterations=1500)
    again = solve(problem, seed=seed, iterations=1500)
    assert first.rounds == again.rounds
    assert first.score == again.score


@FAST
@given(valid_problems())
def test_no_seating_scores_below_the_lower_bounds(problem):
    for seating in (random_seating(problem, 5), deal_round_robin(problem)):
        score = score_plan(problem, seating)
        if score.hard["balance"] == 0:  # the bounds assume even table sizes
            bounds = score.lower_bounds
            assert score.repeats >= bounds["repeats"]
            assert score.met_before >= bounds["met_before"]
            assert all(score.excess[a] >= bounds["excess"][a] for a in score.excess)


@FAST
@given(valid_problems(), st.integers(0, 2**32))
def test_incremental_terms_match_a_fresh_count(problem, seed):
    """Random swaps through the fast delta and the move code keep every term
    equal to a count from scratch."""
    model = compile_problem(problem)
    rng = random.Random(seed)
    plan = solve(problem, seed=seed, iterations=200)
    search = Search(model)
    where = [[-1] * model.people for _ in range(model.rounds)]
    for r, seating in enumerate(plan.rounds):
        for t, table in enumerate(seating):
            for pid in table:
                where[r][model.index[pid]] = t
    search.load(where)
    for _ in range(30):
        r = rng.randrange(model.rounds)
        p, q = rng.randrange(model.people), rng.randrange(model.people)
        a, b = search.where[r][p], search.where[r][q]
        if a == b:
            continue
        before = search.cost()
        predicted = search.swap_delta(r, p, q)
        search.relocate(r, p, b)
        search.relocate(r, q, a)
        assert search.cost() - before == predicted
        terms = list(search.terms)
        search.load(search.where)
        assert search.terms == terms


# --- refusals ---------------------------------------------------------------


@st.composite
def impossible_problems(draw):
    people, tables = draw(people_and_tables())
    ids = [p.id for p in people]
    kind = draw(
        st.sampled_from(
            ["too many people", "unknown id", "pinned apart", "group too big", "group split", "apart and together"]
        )
    )
    problem = Problem(people, tables, rounds=draw(st.integers(1, 3)))
    if kind == "too many people":
        problem.tables = [len(ids) - 1]
    elif kind == "unknown id":
        field = draw(st.sampled_from(["apart", "together", "pinned"]))
        if field == "pinned":
            problem.pinned = [Pin("nobody", 0)]
        else:
            setattr(problem, field, [(ids[0], "nobody")])
    elif kind == "pinned apart":
        pair = (ids[0], ids[0] + "x")
        problem.people = people + [Person(pair[1])]
        problem.tables = tables + [2]
        problem.apart = [pair]
        problem.pinned = [Pin(pair[0], len(tables)), Pin(pair[1], len(tables), 0)]
    elif kind == "group too big":
        problem.people = people + [Person(f"q{i}") for i in range(3)]
        problem.tables = [len(problem.people) - 1] * 2
        problem.together = [tuple(p.id for p in problem.people)]
    elif kind == "group split":
        problem.people = people + [Person("x1"), Person("x2")]
        problem.tables = tables + [3, 3]
        problem.together = [("x1", "x2")]
        problem.pinned = [Pin("x1", len(tables)), Pin("x2", len(tables) + 1, 0)]
    else:
        problem.people = people + [Person("x1"), Person("x2")]
        problem.tables = tables + [3]
        problem.together = [("x1", "x2")]
        problem.apart = [("x2", "x1")]
    return problem


@FAST
@given(impossible_problems())
def test_impossible_problems_are_refused(problem):
    with pytest.raises(InvalidProblem):
        solve(problem, seed=0, iterations=100)


def _where_of(model, plan) -> list[list[int]]:
    where = [[-1] * model.people for _ in range(model.rounds)]
    for r, seating in enumerate(plan.rounds):
        for t, table in enumerate(seating):
            for pid in table:
                where[r][model.index[pid]] = t
    return where


@FAST
@given(valid_problems(), st.integers(0, 2**32), st.booleans())
def test_tabu_search_keeps_hard_constraints_and_never_returns_worse(problem, seed, pressing_only):
    model = compile_problem(problem)
    plan = solve(problem, seed=seed, iterations=200)
    search = Search(model)
    search.load(_where_of(model, plan))
    start = list(search.terms)
    best, _ = tabu(search, random.Random(seed), 2000, 0.0, pressing_only=pressing_only)
    search.load(best)
    assert search.terms[0] == 0  # the hard tier
    assert search.terms <= start
    assert evaluate(model, best).hard_violations == 0


@FAST
@given(valid_problems(), st.integers(0, 2**32))
def test_itinerary_exchanges_keep_terms_exact_and_repeats_unchanged(problem, seed):
    model = compile_problem(problem)
    rng = random.Random(seed)
    search = Search(model)
    search.use(rng.choice([search.strict_weights, search.soft_weights, search.top_weights, search.hybrid_weights]))
    search.load(_where_of(model, solve(problem, seed=seed, iterations=200)))
    free = search.free_all_event
    assume(len(free) > 1)
    for _ in range(10):
        p, q = rng.sample(free, 2)
        repeats = search.terms[2]
        before = search.cost()
        predicted = search.exchange_delta(p, q)
        search.exchange(p, q)
        assert search.terms[2] == repeats
        assert search.cost() - before == predicted
        terms = list(search.terms)
        search.load(search.where)
        assert search.terms == terms
