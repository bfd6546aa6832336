"""The design-theory starts: repeat-free as far as the theory promises, and the
deal order spreads organisations from the start."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from cop.mixing import Person, Problem, solve
from cop.mixing.construct import construct
from cop.mixing.design import ORDER_10, design_table, exact_cover, golfer_rounds, ring
from cop.mixing.model import compile_problem
from cop.mixing.score import evaluate


def _repeats(tables: int, seats: int, rounds: int) -> int:
    people = tables * seats
    where = [[design_table(k, r, tables, seats, True, rounds) for k in range(people)] for r in range(rounds)]
    meetings: dict[tuple[int, int], int] = {}
    for table_of in where:
        assert sorted(table_of) == sorted(t for t in range(tables) for _ in range(seats))
        for a, b in combinations(range(people), 2):
            if table_of[a] == table_of[b]:
                meetings[a, b] = meetings.get((a, b), 0) + 1
    return sum(m - 1 for m in meetings.values())


@pytest.mark.parametrize(
    "tables, seats, rounds",
    [
        (20, 10, 4),  # GF(4) x GF(5): four rounds
        (12, 10, 3),  # GF(4) x GF(3): three
        (8, 4, 9),  # GF(8) and the seat round: the 9-round social golfers
        (8, 4, 10),  # the exact cover of GF(2)^3 classes: the 10-round social golfers
        (5, 3, 5),
        (10, 10, 4),  # the orthogonal Latin squares of order 10
        (6, 6, 3),  # two MacNeish rounds and the seat round
    ],
)
def test_design_rounds_are_repeat_free(tables, seats, rounds):
    assert _repeats(tables, seats, rounds) == 0


def test_ten_golfer_rounds_leave_only_the_pairs_at_difference_7_in_a_copy_unmet():
    met = {(a, b) for table_of in golfer_rounds() for a, b in combinations(range(32), 2) if table_of[a] == table_of[b]}
    unmet = {(a, b) for a, b in combinations(range(32), 2) if (a, b) not in met}
    assert unmet == {(a, a ^ 7) for a in range(32) if a < a ^ 7}


def test_exact_cover_finds_a_cover_or_none():
    assert exact_cover(0b1111, [0b0011, 0b0110, 0b1100, 0b1000, 0b0001]) == [0, 2]
    assert exact_cover(0b111, [0b011, 0b110]) is None


def test_macneish_ring_counts_its_repeat_free_rounds():
    assert [ring(t)[2] for t in (7, 8, 10, 12, 20, 100)] == [7, 8, 2, 3, 4, 4]


def test_order_10_squares_are_latin_and_orthogonal():
    for square in ORDER_10:
        assert all(sorted(row) == list(range(10)) for row in square)
        assert all(sorted(col) == list(range(10)) for col in zip(*square))
    latin, mate = ORDER_10
    assert len({(latin[i][j], mate[i][j]) for i in range(10) for j in range(10)}) == 100


@pytest.mark.parametrize("people, tables", [(100, 10), (200, 20), (50, 5)])
def test_the_deal_spreads_organisations_from_the_start(people, tables):
    rng = random.Random(people)
    sizes, left = [], people
    while left:  # organisations of very different sizes
        size = min(left, max(1, int(left * rng.uniform(0.05, 0.35))))
        sizes.append(size)
        left -= size
    persons = [Person(f"p{len(sizes)}-{k}-{o}", {"organisation": f"o{o}"})
               for o, s in enumerate(sizes) for k in range(s)]
    model = compile_problem(Problem(persons, [people // tables] * tables, 3, mix_by=["organisation"]))
    score = evaluate(model, construct(model, rng, None))
    assert score.excess["organisation"] == score.lower_bounds["excess"]["organisation"] == 0
    assert score.repeats == score.lower_bounds["repeats"]


def test_the_engine_seats_the_10_round_golfers_without_a_repeat():
    golfers = Problem([Person(f"g{i}") for i in range(32)], [4] * 8, 10, mix_by=[])
    plan = solve(golfers, iterations=1_000, seed=1)
    assert plan.score.hard_violations == 0
    assert plan.score.repeats == 0
