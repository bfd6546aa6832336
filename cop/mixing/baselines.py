"""The two seatings the engine is measured against.

Neither looks at pins, together/apart pairs, facilitators or history: they are
what an organiser gets without the engine.
"""

from __future__ import annotations

import random

from .problem import InvalidProblem, Problem


def _deal(order: list[str], capacity: list[int]) -> list[list[str]]:
    """Send people to tables in turn, skipping full tables: sizes come out even."""
    if len(order) > sum(capacity):
        raise InvalidProblem(f"{len(order)} people but only {sum(capacity)} seats")
    seating: list[list[str]] = [[] for _ in capacity]
    table = 0
    for pid in order:
        while len(seating[table]) >= capacity[table]:
            table = (table + 1) % len(capacity)
        seating[table].append(pid)
        table = (table + 1) % len(capacity)
    return seating


def deal_round_robin(problem: Problem) -> list[list[list[str]]]:
    """The organisers' method: call people in by organisation (the first mix_by
    attribute, organisations in order of first appearance) and send them to the
    tables in turn. Later rounds call the organisations in a new (shuffled) order.
    """
    attribute = problem.mix_by[0] if problem.mix_by else None
    groups: dict[str, list[str]] = {}
    for person in problem.people:
        value = person.attributes.get(attribute, "") if attribute else ""
        groups.setdefault(value, []).append(person.id)
    called = list(groups.values())
    rng = random.Random(0)
    rounds = []
    for r in range(problem.rounds):
        if r:
            rng.shuffle(called)
        order = [pid for group in called for pid in group]
        rounds.append(_deal(order, problem.tables))
    return rounds


def random_seating(problem: Problem, seed: int = 0) -> list[list[list[str]]]:
    """Shuffle the room each round and deal it to the tables in turn."""
    rng = random.Random(seed)
    rounds = []
    for _ in range(problem.rounds):
        order = [p.id for p in problem.people]
        rng.shuffle(order)
        rounds.append(_deal(order, problem.tables))
    return rounds
