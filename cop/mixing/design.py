"""Design-theory starting seatings.

Number the deal order so that the k-th person dealt has "home" table i = k mod T
and seat j = k div T. In round r they go to table i + m_r * j, with multipliers
m_0 = 0, m_1 = 1, m_2, ... in a ring of order T. Two people meet in rounds r
and r' only if (m_r - m_r') (j - j') = 0, so the rounds are repeat-free while
the multipliers' differences are units. The ring is the product of the fields
GF(q) over the prime-power factors q of T (MacNeish): its first min(q)
multipliers qualify, e.g. 4 rounds at 20 tables (GF(4) x GF(5)), T rounds when
T is a prime power, but only 2 when T = 2 mod 4.

When every table seats exactly k people and k divides T, one more repeat-free
round exists (the affine plane's last parallel class): people with the same
seat j never meet in the rounds above, so that round groups them by seat.

People dealt in one run of T positions (same j) sit at T different tables in
every such round, which is what lets the deal order spread each organisation.

For a full room of 10 tables of 10 a pair of orthogonal Latin squares of order
10 gives four repeat-free rounds (rows, columns, and the two squares' symbols)
where MacNeish gives two; see square_table.

A full room of 8 tables of 4 over 10 or more rounds takes ten repeat-free
rounds (the most there can be; GF(8) gives nine) from an exact cover of the
pair classes of GF(2)^3; see golfer_rounds. Kirkman's 15 schoolgirls (5 tables
of 3) over 6 or 7 rounds take a packing of PG(3, 2) instead; see kirkman_rounds;
and a full room of 10 tables of 4 over 3 to 10 rounds a cyclic schedule (one
base round shifted ten times); see cyclic_10_4_rounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations, product


def _prime_power(q: int) -> tuple[int, int] | None:
    for p in range(2, q + 1):
        if q % p == 0:
            m, rest = 0, q
            while rest % p == 0:
                rest //= p
                m += 1
            return (p, m) if rest == 1 else None
    return None


def _poly_mul_mod(a: list[int], b: list[int], modulus: list[int], p: int) -> list[int]:
    """Multiply polynomials over GF(p) (coefficients low to high) mod a monic modulus."""
    m = len(modulus) - 1
    product = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            product[i + j] = (product[i + j] + x * y) % p
    for d in range(len(product) - 1, m - 1, -1):
        c = product[d]
        if c:
            for i in range(m + 1):
                product[d - m + i] = (product[d - m + i] - c * modulus[i]) % p
    return (product + [0] * m)[:m]


def _digits(x: int, p: int, m: int) -> list[int]:
    return [(x // p**i) % p for i in range(m)]


def _number(digits: list[int], p: int) -> int:
    return sum(d * p**i for i, d in enumerate(digits))


def _field(q: int) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """Addition and multiplication tables of GF(q), q a prime power."""
    power = _prime_power(q)
    assert power is not None, f"GF({q}): {q} is not a prime power"
    p, m = power
    if m == 1:
        add = tuple(tuple((a + b) % q for b in range(q)) for a in range(q))
        mul = tuple(tuple((a * b) % q for b in range(q)) for a in range(q))
        return add, mul
    elements = [_digits(x, p, m) for x in range(q)]
    add = tuple(
        tuple(_number([(x + y) % p for x, y in zip(elements[a], elements[b])], p) for b in range(q))
        for a in range(q)
    )
    # Find a monic irreducible modulus: the quotient ring then has no zero divisors.
    for low in range(p**m):
        modulus = _digits(low, p, m) + [1]
        mul = tuple(
            tuple(_number(_poly_mul_mod(elements[a], elements[b], modulus, p), p) for b in range(q))
            for a in range(q)
        )
        if all(mul[a][b] for a in range(1, q) for b in range(1, q)):
            return add, mul
    raise AssertionError(f"no irreducible polynomial of degree {m} over GF({p})")


def _factors(order: int) -> list[int]:
    """The prime-power factors of order, e.g. 20 -> [4, 5]."""
    factors, rest, p = [], order, 2
    while rest > 1:
        if rest % p == 0:
            q = 1
            while rest % p == 0:
                rest //= p
                q *= p
            factors.append(q)
        p += 1
    return factors


@lru_cache(maxsize=32)
def ring(order: int) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...], int]:
    """Addition and multiplication tables on 0..order-1 of the product of the
    fields GF(q) over the prime-power factors q of order (MacNeish), with the
    number of repeat-free rounds it gives: the smallest factor. Element x has
    component x mod q in each factor, so for x < smallest factor all
    components equal x and the differences of such multipliers are units."""
    factors = _factors(order) if 1 < order <= 1024 else [order]
    if order == 1 or max(factors) > 256:  # trivial, or too large a field to tabulate
        add = tuple(tuple((a + b) % order for b in range(order)) for a in range(order))
        mul = tuple(tuple((a * b) % order for b in range(order)) for a in range(order))
        return add, mul, 2
    fields = [_field(q) for q in factors]
    # Element <-> components by the Chinese remainder theorem on x mod q.
    components = [tuple(x % q for q in factors) for x in range(order)]
    number = {c: x for x, c in enumerate(components)}
    add = tuple(
        tuple(number[tuple(f[0][u][v] for f, u, v in zip(fields, components[a], components[b]))] for b in range(order))
        for a in range(order)
    )
    mul = tuple(
        tuple(number[tuple(f[1][u][v] for f, u, v in zip(fields, components[a], components[b]))] for b in range(order))
        for a in range(order)
    )
    return add, mul, min(factors)


# A pair of orthogonal Latin squares of order 10 (MacNeish's product gives
# none: 10 = 2 x 5). Found once by computer: a random Latin square L, all its
# transversals by backtracking, and an exact cover of its cells by ten of them
# (M numbers them). See square_table.
ORDER_10 = (
    (
        (1, 5, 7, 9, 0, 4, 2, 3, 8, 6), (3, 6, 1, 4, 8, 2, 5, 7, 0, 9), (7, 4, 2, 8, 5, 9, 0, 6, 3, 1),
        (8, 2, 4, 3, 1, 5, 6, 0, 9, 7), (6, 8, 9, 1, 4, 0, 7, 5, 2, 3), (4, 1, 6, 0, 9, 8, 3, 2, 7, 5),
        (9, 0, 5, 2, 3, 7, 4, 1, 6, 8), (0, 9, 3, 6, 7, 1, 8, 4, 5, 2), (2, 7, 0, 5, 6, 3, 9, 8, 1, 4),
        (5, 3, 8, 7, 2, 6, 1, 9, 4, 0),
    ),
    (
        (1, 2, 0, 7, 4, 3, 6, 5, 8, 9), (9, 1, 3, 2, 6, 8, 7, 4, 5, 0), (2, 0, 5, 1, 8, 9, 3, 6, 7, 4),
        (3, 9, 4, 6, 7, 0, 8, 1, 2, 5), (4, 7, 6, 0, 5, 2, 1, 9, 3, 8), (8, 5, 7, 9, 1, 4, 0, 2, 6, 3),
        (5, 6, 1, 4, 3, 7, 9, 8, 0, 2), (0, 8, 2, 3, 9, 6, 5, 7, 4, 1), (7, 3, 8, 5, 2, 1, 4, 0, 9, 6),
        (6, 4, 9, 8, 0, 5, 2, 3, 1, 7),
    ),
)  # fmt: skip
SQUARES = {10: ORDER_10}


def square_table(position: int, round_: int, order: int) -> int | None:
    """For a full room of `order` tables of `order` seats with a known pair of
    orthogonal Latin squares (L, M): people are the cells (row i, column j);
    rounds 0 to 3 seat them by row, column, L and M, four partitions any two
    of which share at most one person per pair of tables. The k-th person
    dealt takes cell k mod order of transversal k div order of L (the cells
    where M is that symbol), so people dealt in a row land in different rows,
    columns and L symbols: the first three rounds spread every organisation
    as evenly as dealing in turn. None beyond round 3."""
    if round_ > 3:
        return None
    latin, mate = SQUARES[order]
    row, symbol = position % order, position // order
    column = mate[row].index(symbol)
    return (row, column, latin[row][column], symbol)[round_]


def exact_cover(universe: int, options: list[int]) -> list[int] | None:
    """Indices of options (bitsets of items) that together hold every item of
    `universe` exactly once, or None: Knuth's Algorithm X, branching at each
    step on the item held by the fewest options still compatible."""

    def search(left: int, live: list[int], chosen: list[int]) -> list[int] | None:
        if not left:
            return chosen
        item, fewest = 0, None
        rest = left
        while rest and fewest != 0:
            bit = rest & -rest
            rest ^= bit
            count = sum(1 for k in live if options[k] & bit)
            if fewest is None or count < fewest:
                item, fewest = bit, count
        for k in [k for k in live if options[k] & item]:
            taken = options[k]
            found = search(left & ~taken, [j for j in live if not options[j] & taken], chosen + [k])
            if found is not None:
                return found
        return None

    return search(universe, [k for k, option in enumerate(options) if not option & ~universe], [])


@lru_cache(maxsize=1)
def golfer_rounds() -> tuple[tuple[int, ...], ...]:
    """Ten repeat-free rounds of 32 people at 8 tables of 4, the most there can
    be (each round a person meets 3 people, and there are 31 to meet):
    [round][person] -> table. GF(8) gives 9 (module doc); the 10th was an open
    problem from 1998 to 2004.

    Person 8c + v is element v of copy c (of 4) of the group GF(2)^3: v in
    0..7, added by XOR. Every round here is unchanged by adding one t to every
    v, so it seats whole classes of pairs together: copies c < c' at
    difference d (8 pairs), or copy c at difference d (4 pairs). Such a round
    is built from translates of tables of three kinds: a transversal
    {(0,0), (1,a), (2,b), (3,c)} (8 translates: the whole round); both cosets
    of a subgroup of order 4 in one copy; and {(c,0), (c,k), (c',y), (c',y+k)}
    (4 translates: two whole copies). Ten rounds seat 480 of the 496 pairs,
    each once: round 0 is the transversal a = b = c = 0, the 16 pairs at
    difference 7 within a copy stay unmet, and the other nine rounds are an
    exact cover of the 66 classes left, among 3,166 such rounds. (A published
    10-round schedule has this group among its symmetries, which is what
    suggested it; the cover is found here.)"""
    copies, size = 4, 8

    def pair_class(p: int, q: int) -> int:
        """The class of pair (p, q), as a bit."""
        (c, v), (c2, v2) = divmod(p, size), divmod(q, size)
        if c == c2:
            return 1 << (copies * copies * size + c * size + (v ^ v2))
        return 1 << ((c * copies + c2) * size + (v ^ v2))

    def translates(table: tuple[int, ...]) -> list[tuple[int, ...]]:
        return sorted({tuple(sorted(p ^ t for p in table)) for t in range(size)})  # XOR keeps the copy

    def classes(tables: list[tuple[int, ...]]) -> int:
        """The classes of the pairs `tables` seat together, as a bitset."""
        return sum({pair_class(p, q) for table in tables for p, q in combinations(table, 2)})

    first = translates(tuple(c * size for c in range(copies)))
    unmet = classes(first) | sum(pair_class(c * size, c * size + 7) for c in range(copies))

    # Pieces: (copies covered as a bitmask, tables, their classes), none in `unmet`.
    pieces: list[tuple[int, list[tuple[int, ...]], int]] = []

    def piece(copies_covered: int, table: tuple[int, ...]) -> None:
        tables = translates(table)
        seated = classes(tables)
        if not seated & unmet:
            pieces.append((copies_covered, tables, seated))

    for a, b, c in product(range(size), repeat=3):
        piece(0b1111, (0, size + a, 2 * size + b, 3 * size + c))
    subgroups = [[t for t in range(size) if (t & f).bit_count() % 2 == 0] for f in range(1, size)]
    for c in range(copies):
        for subgroup in subgroups:
            piece(1 << c, tuple(c * size + t for t in subgroup))
        for c2 in range(c + 1, copies):
            for k in range(1, size):
                for y in range(size):
                    if y < y ^ k:  # y and y + k give the same tables
                        piece(1 << c | 1 << c2, (c * size, c * size + k, c2 * size + y, c2 * size + (y ^ k)))

    def rounds_from(covered: int) -> Iterator[tuple[list[tuple[int, ...]], int]]:
        """Every round completing `covered` copies: (tables, classes)."""
        if covered == 0b1111:
            yield [], 0
            return
        lowest = next(c for c in range(copies) if not covered >> c & 1)
        for mask, tables, seated in pieces:
            if mask >> lowest & 1 and not mask & covered:
                for more_tables, more_seated in rounds_from(covered | mask):
                    if not seated & more_seated:
                        yield tables + more_tables, seated | more_seated

    candidates = list(rounds_from(0))
    everyone = tuple(range(copies * size))
    chosen = exact_cover(classes([everyone]) & ~unmet, [seated for _, seated in candidates])
    assert chosen is not None, "no cover: the construction above is wrong"
    result = []
    for tables in [first] + [candidates[k][0] for k in chosen]:
        table_of = [0] * copies * size
        for t, table in enumerate(tables):
            for p in table:
                table_of[p] = t
        result.append(tuple(table_of))
    return tuple(result)


@lru_cache(maxsize=1)
def kirkman_rounds() -> tuple[tuple[int, ...], ...]:
    """Kirkman's schoolgirls: 15 people at 5 tables of 3 over 7 repeat-free
    rounds (each meets the other 14 exactly once), [round][person] -> table.
    Person p is the point p + 1 of PG(3, 2) (the nonzero vectors of GF(2)^4);
    its 35 lines {a, b, a XOR b} hold every pair once, a spread is 5 disjoint
    lines (a round), and 7 spreads that share no line (a packing, found by
    exact cover over the 35 lines among the 56 spreads) are the 7 rounds."""
    lines = sorted({tuple(sorted((a, b, a ^ b))) for a in range(1, 16) for b in range(1, 16) if a != b})
    spreads: list[tuple[int, ...]] = []

    def extend(covered: int, chosen: list[int]) -> None:
        if covered == (1 << 16) - 2:
            spreads.append(tuple(chosen))
            return
        point = next(x for x in range(1, 16) if not covered >> x & 1)
        for k, line in enumerate(lines):
            if point in line and not any(covered >> x & 1 for x in line):
                extend(covered | sum(1 << x for x in line), chosen + [k])

    extend(0, [])
    chosen = exact_cover((1 << len(lines)) - 1, [sum(1 << k for k in spread) for spread in spreads])
    assert chosen is not None, "PG(3, 2) has a packing"
    result = []
    for k in chosen:
        table_of = [0] * 15
        for t, line in enumerate(lines[j] for j in spreads[k]):
            for x in line:
                table_of[x - 1] = t
        result.append(tuple(table_of))
    return tuple(result)


# One round of 40 people (person 4i + c is (i, c), i in Z10, c in 0..3) at 10
# tables of 4 whose 60 pairs fall in 60 different classes under shifting i
# (pairs across copies c < d by their difference in i; pairs in one copy by
# +-difference, never 5): found by an anneal on the classes (session 4).
CYCLIC_10_4 = (
    (0, 1, 2, 24), (3, 7, 14, 15), (4, 18, 26, 31), (5, 13, 22, 39), (6, 10, 21, 34),
    (8, 12, 23, 38), (9, 11, 33, 37), (16, 19, 29, 35), (17, 27, 28, 36), (20, 25, 30, 32),
)


@lru_cache(maxsize=1)
def cyclic_10_4_rounds() -> tuple[tuple[int, ...], ...]:
    """Ten repeat-free rounds of 40 people at 10 tables of 4 (the social golfer
    10-4-10), [round][person] -> table: round r seats at table t the base
    table t of CYCLIC_10_4 with every i shifted by r. Two pairs met in two
    rounds only if the base round held two pairs of one class, and it holds
    60 pairs in 60 classes."""
    result = []
    for r in range(10):
        table_of = [0] * 40
        for t, table in enumerate(CYCLIC_10_4):
            for person in table:
                i, c = divmod(person, 4)
                table_of[4 * ((i + r) % 10) + c] = t
        result.append(tuple(table_of))
    return tuple(result)


def design_table(position: int, round_: int, tables: int, seats: int, full_equal_room: bool, rounds: int) -> int:
    """Table for the person dealt at `position` in round `round_` of `rounds` (see module doc)."""
    if (tables, seats, full_equal_room) == (8, 4, True) and rounds >= 10:
        schedule = golfer_rounds()
        return schedule[round_ % len(schedule)][position]
    if (tables, seats, full_equal_room) == (10, 4, True) and rounds > 2:  # MacNeish gives 2 at 10 tables
        schedule = cyclic_10_4_rounds()
        return schedule[round_ % len(schedule)][position]
    if (tables, seats, full_equal_room) == (5, 3, True) and rounds > 5:
        schedule = kirkman_rounds()
        return schedule[round_ % len(schedule)][position]
    if tables in SQUARES and seats == tables and full_equal_room:
        table = square_table(position, round_, tables)
        if table is not None:
            return table
    add, mul, repeat_free = ring(tables)
    home, seat = position % tables, position // tables
    if round_ == repeat_free and full_equal_room and tables % seats == 0:
        return seat * (tables // seats) + home // seats
    return add[home][mul[round_ % tables][seat % tables]]
