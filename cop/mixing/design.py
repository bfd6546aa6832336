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
"""

from __future__ import annotations

from functools import lru_cache


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
    p, m = _prime_power(q)
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


def design_table(position: int, round_: int, tables: int, seats: int, full_equal_room: bool) -> int:
    """Table for the person dealt at `position` in round `round_` (see module doc)."""
    if tables in SQUARES and seats == tables and full_equal_room:
        table = square_table(position, round_, tables)
        if table is not None:
            return table
    add, mul, repeat_free = ring(tables)
    home, seat = position % tables, position // tables
    if round_ == repeat_free and full_equal_room and tables % seats == 0:
        return seat * (tables // seats) + home // seats
    return add[home][mul[round_ % tables][seat % tables]]
