"""Design-theory starting seatings.

Number the deal order so that the k-th person dealt has "home" table i = k mod T
and seat j = k div T. In round r they go to table i + r*j. Two people meet in
round r only if i - i' = r (j' - j), which has at most one solution r when the
arithmetic is a field: with T a prime power (GF(T)) the first T rounds are
repeat-free. For other T the integers mod T are used, which stays repeat-free
for the first few rounds (while r*(j' - j) never wraps to 0 mod T).

When every table seats exactly k people and k divides T, one more repeat-free
round exists (the affine plane's last parallel class): people with the same
seat j never meet in the rounds above, so round T groups them by seat.
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


def design_table(position: int, round_: int, tables: int, seats: int, full_equal_room: bool) -> int:
    """Table for the person dealt at `position` in round `round_` (see module doc)."""
    add, mul, repeat_free = ring(tables)
    home, seat = position % tables, position // tables
    if round_ == repeat_free and full_equal_room and tables % seats == 0:
        return seat * (tables // seats) + home // seats
    return add[home][mul[round_ % tables][seat % tables]]
