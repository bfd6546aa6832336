"""Tabu search on a `Search`, for social golfer problems and for repeats or
history hits stuck above their floor (see README.md)."""

from __future__ import annotations

import math
import random
import time

from .search import Search

# Steps a swap stays tabu, steps without a new best before a restart from the
# best seating, random swaps that shake it then.
TABU_TENURE = (4, 12)
TABU_STALL = 200
TABU_SHAKE = 3


def tabu(
    search: Search, rng: random.Random, iterations: int | None, deadline: float, pressing_only: bool = False
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
    best = [list(w) for w in search.where]
    best_terms = list(search.terms)
    cost: float = search.cost()  # an int: float only for chosen_delta's start, math.inf
    best_cost = cost
    units, unit_of = search.units, search.unit_of
    loners = [[p for p in search.mobile[r] if len(units[unit_of[p]]) == 1] for r in range(search.R)]
    tabu_until: dict[tuple[int, int, int], int] = {}
    weighed = step = last_gain = 0
    while search.pressing_above_floor() if pressing_only else cost > search.floor_cost:
        if iterations is not None and weighed >= iterations:
            break
        if iterations is None and time.thread_time() >= deadline:
            break
        step += 1
        if step - last_gain > TABU_STALL:
            search.load(best)
            _shake(search, rng, loners)
            cost = search.cost()
            tabu_until.clear()
            last_gain = step
        chosen, chosen_delta, ties = None, math.inf, 0
        # Swaps need people who sit alone in their unit.
        hot = [(r, p) for r, p in search.hot_spots() if len(units[unit_of[p]]) == 1]
        if pressing_only and hot:  # a large room: one seat's swaps a step
            hot = [hot[int(rng.random() * len(hot))]]
        for r, p in hot:
            where = search.where[r]
            a = where[p]
            for q in loners[r]:
                if where[q] == a:
                    continue
                delta = search.swap_delta(r, p, q)
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
        a, b = search.where[r][p], search.where[r][q]
        search.relocate(r, p, b)
        search.relocate(r, q, a)
        cost += chosen_delta
        best_cost = min(best_cost, cost)
        tabu_until[chosen] = step + rng.randint(*TABU_TENURE)
        if search.terms < best_terms:
            best = [list(w) for w in search.where]
            best_terms = list(search.terms)
            last_gain = step
    return best, weighed


def _shake(search: Search, rng: random.Random, loners: list[list[int]]) -> None:
    """A few random swaps of people who sit alone in their unit."""
    rounds = [r for r in range(search.R) if len(loners[r]) > 1]
    for _ in range(TABU_SHAKE if rounds else 0):
        r = rng.choice(rounds)
        p, q = rng.sample(loners[r], 2)
        a, b = search.where[r][p], search.where[r][q]
        if a != b:
            search.relocate(r, p, b)
            search.relocate(r, q, a)
