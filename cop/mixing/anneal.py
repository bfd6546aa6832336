"""Simulated annealing on a `Search`: swaps, moves to a free seat, groups
trading places with people who sit alone, and whole itineraries exchanged
(see README.md)."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence

from .search import REPEATS, Search

FOCUS = 0.6  # share of moves that start from a person who is part of a cost
ITINERARY = 0.1  # share of moves that exchange two people's whole itineraries
ITINERARY_TIGHT = 0.5  # the same where repeats are unavoidable: swaps mostly add some
ALIKE = 0.5  # share of exchanges with someone from the same run of the deal


def anneal(
    search: Search, rng: random.Random, cooling: tuple[float, float], iterations: int | None, deadline: float
) -> tuple[list[list[int]], int]:
    """Simulated annealing over swaps and moves, cooling geometrically
    from cooling[0] to cooling[1] over the budget (`iterations` moves, or
    until `deadline`); returns the best seating seen and the moves tried."""
    best = [list(w) for w in search.where]
    best_terms = list(search.terms)
    cost = search.cost()
    rounds = [r for r in range(search.R) if search.mobile[r]]
    if search.T < 2 or not rounds or cost <= search.floor_cost:
        return best, 0
    low, high, T = search.model.low, search.model.high, search.T
    units, unit_of, unit_table = search.units, search.unit_of, search.model.unit_table
    hot_start, hot_end = cooling
    unit = search.temperature_unit
    refresh = max(100, search.R * search.n)
    started = time.thread_time()
    best_is_current = True
    temperature = hot_start * unit
    hot: list[tuple[int, int]] = []
    random_ = rng.random
    exchangeable_list = search.free_all_event
    exchangeable = set(exchangeable_list)
    # Exchanges keep the shape of who meets whom: worth it wherever repeats
    # are at their floor (a tight meeting structure that swaps would break).
    exchanges = search.R > 1 and len(exchangeable_list) > 1
    alike = search.alike  # exchangeable people who share the first attribute's value
    # Exchanges cost several swaps' work: rarer where swaps alone can reach
    # the repeats' floor.
    itinerary = ITINERARY_TIGHT if search.floor[REPEATS] > 0 else ITINERARY
    it = 0
    mover: Sequence[int] | None
    partner: Sequence[int] | None
    while True:
        if it & 127 == 0:
            if iterations is not None:
                progress = it / iterations if iterations else 1.0
            else:
                now = time.thread_time()
                progress = (now - started) / max(1e-9, deadline - started)
            if progress >= 1.0 or cost <= search.floor_cost:
                break
            temperature = unit * hot_start * (hot_end / hot_start) ** progress
        if it % refresh == 0:
            hot = search.hot_spots()
        it += 1
        # int(random() * k) rather than randrange(k): same role, much faster.
        if hot and random_() < FOCUS:
            r, p = hot[int(random_() * len(hot))]
        else:
            r = rounds[int(random_() * len(rounds))]
            mobile = search.mobile[r]
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
            if search.terms[REPEATS] > search.floor[REPEATS] and search.floor[REPEATS] == 0:
                q = p  # while repeats can still fall, swaps do better
            if q == p:
                continue
            delta = search.exchange_delta(p, q)
            if delta > 0 and random_() >= math.exp(-delta / temperature):
                continue
            search.exchange(p, q)
            cost += delta
            if search.terms < best_terms:
                best_terms = list(search.terms)
                best_is_current = True
            elif best_is_current and search.terms != best_terms:
                search.exchange(p, q)
                best = [list(w) for w in search.where]
                search.exchange(p, q)
                best_is_current = False
            continue
        where, seated = search.where[r], search.seated[r]
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
            delta = search.swap_delta(r, p, q)
            if delta > 0 and random_() >= math.exp(-delta / temperature):
                continue
            mover, partner = (p,), (q,)
            search.relocate(r, p, b)
            search.relocate(r, q, a)
        else:
            if len(partner) != size and q != -1:
                # A group trades places with as many people who sit alone.
                if size > 1:
                    partner = search.loners(rng, r, b, size, ())
                else:
                    mover = search.loners(rng, r, a, len(partner), (p,))
                if partner is None or mover is None:
                    continue
            new_a = len(seated[a]) - len(mover) + len(partner)
            new_b = len(others) - len(partner) + len(mover)
            if not (low[a] <= new_a <= high[a] and low[b] <= new_b <= high[b]):
                continue
            search.trade(r, mover, partner, a, b)
            delta = search.cost() - cost
            if delta > 0 and random_() >= math.exp(-delta / temperature):
                search.trade(r, partner, mover, a, b)
                continue
        cost += delta
        # The best seating is judged on the exact lexicographic terms,
        # whatever the weights; it is copied only when the search leaves it.
        if search.terms < best_terms:
            best_terms = list(search.terms)
            best_is_current = True
        elif best_is_current and search.terms != best_terms:
            search.trade(r, partner, mover, a, b)
            best = [list(w) for w in search.where]
            search.trade(r, mover, partner, a, b)
            best_is_current = False
    if best_is_current:
        best = [list(w) for w in search.where]
    return best, it
