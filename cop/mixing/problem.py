"""The seating problem: typed input, JSON parsing and validation.

`Problem` is what callers build (or parse from JSON with `problem_from_dict`).
`model.compile_problem` checks it and turns it into a `Model`: the same facts as
integer indices and flat lists, which the scorer and the solver share.
Anything malformed is refused here, anything that can never be seated there,
both with `InvalidProblem`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FACILITATOR = "facilitator"
DEFAULT_MIX_BY = ("organisation", "sector", "profession", "place")

# A pair from earlier events: (a, b), or (a, b, weight) with a whole-number weight >= 1.
MetBefore = tuple[str, str] | tuple[str, str, int]


class InvalidProblem(ValueError):
    """The problem is malformed or cannot be seated; the message says why."""


@dataclass(frozen=True)
class Person:
    """One person. `attributes` holds every field but the id (role included)."""

    id: str
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def role(self) -> str | None:
        return self.attributes.get("role")

    @property
    def is_facilitator(self) -> bool:
        return (self.role or "").strip().casefold() == FACILITATOR


@dataclass(frozen=True)
class Pin:
    """Seat `person` at `table` (0-based) in `round` (0-based), or every round if None."""

    person: str
    table: int
    round: int | None = None


@dataclass
class Problem:
    people: list[Person]
    tables: list[int]
    rounds: int = 1
    mix_by: list[str] = field(default_factory=lambda: list(DEFAULT_MIX_BY))
    apart: list[tuple[str, str]] = field(default_factory=list)
    together: list[tuple[str, ...]] = field(default_factory=list)
    pinned: list[Pin] = field(default_factory=list)
    # Pairs from earlier events: (a, b) or (a, b, weight), weight a whole number >= 1 (default 1): how much
    # sitting them together again costs (the app weighs recent and frequent sittings more).
    met_before: list[MetBefore] = field(default_factory=list)
    seconds: float = 1.0  # CPU seconds of the solving thread
    seed: int = 0
    iterations: int | None = None  # a move budget instead of time: reproducible


# --- JSON -------------------------------------------------------------------


def _ident(value: object, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidProblem(f"{where}: a person id must be a string, got {value!r}")
    return str(value)


def _id_list(value: object, where: str, exact: int | None = None) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InvalidProblem(f"{where}: expected a list of person ids, got {value!r}")
    ids = tuple(_ident(v, where) for v in value)
    if exact is not None and len(ids) != exact:
        raise InvalidProblem(f"{where}: expected {exact} person ids, got {len(ids)}")
    return ids


def _int(value: object, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidProblem(f"{where}: expected an integer >= {minimum}, got {value!r}")
    return value


def _pair(value: object, where: str) -> tuple[str, str]:
    a, b = _id_list(value, where, exact=2)
    return a, b


def _met_before(value: object, where: str) -> MetBefore:
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise InvalidProblem(f"{where}: expected [id, id] or [id, id, weight], got {value!r}")
    pair = (_ident(value[0], where), _ident(value[1], where))
    if len(value) == 3:
        weight = _int(value[2], f"{where} weight", minimum=1)
        return (*pair, weight)
    return pair


def problem_from_dict(data: object) -> Problem:
    """Parse the problem JSON (already decoded) described in the README."""
    if not isinstance(data, dict):
        raise InvalidProblem("the problem must be a JSON object")
    people = []
    raw_people = data.get("people")
    if not isinstance(raw_people, list):
        raise InvalidProblem("people: expected a list of people")
    for n, raw in enumerate(raw_people):
        if not isinstance(raw, dict) or "id" not in raw:
            raise InvalidProblem(f"people[{n}]: expected an object with an id")
        attributes = {
            str(k): str(v) for k, v in raw.items() if k != "id" and v is not None and v != ""
        }
        people.append(Person(_ident(raw["id"], f"people[{n}].id"), attributes))

    tables = data.get("tables")
    if not isinstance(tables, list) or not tables:
        raise InvalidProblem("tables: expected a non-empty list of capacities")
    tables = [_int(c, f"tables[{n}]") for n, c in enumerate(tables)]

    mix_by = data.get("mix_by", list(DEFAULT_MIX_BY))
    if not isinstance(mix_by, list) or not all(isinstance(a, str) for a in mix_by):
        raise InvalidProblem("mix_by: expected a list of attribute names")

    pinned = []
    for n, raw in enumerate(data.get("pinned") or []):
        if not isinstance(raw, dict) or "person" not in raw or "table" not in raw:
            raise InvalidProblem(f"pinned[{n}]: expected {{person, table, round}}")
        round_ = raw.get("round")
        pinned.append(
            Pin(
                _ident(raw["person"], f"pinned[{n}].person"),
                _int(raw["table"], f"pinned[{n}].table"),
                None if round_ is None else _int(round_, f"pinned[{n}].round"),
            )
        )

    seconds = data.get("seconds", 1.0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
        raise InvalidProblem(f"seconds: expected a positive number, got {seconds!r}")

    return Problem(
        people=people,
        tables=tables,
        rounds=_int(data.get("rounds", 1), "rounds", minimum=1),
        mix_by=list(mix_by),
        apart=[_pair(p, f"apart[{n}]") for n, p in enumerate(data.get("apart") or [])],
        together=[_id_list(g, f"together[{n}]") for n, g in enumerate(data.get("together") or [])],
        pinned=pinned,
        met_before=[_met_before(p, f"met_before[{n}]") for n, p in enumerate(data.get("met_before") or [])],
        seconds=float(seconds),
        seed=_int(data.get("seed", 0), "seed"),
        iterations=None if data.get("iterations") is None else _int(data["iterations"], "iterations"),
    )


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The problem JSON that `problem_from_dict` reads back to an equal problem."""
    data: dict[str, Any] = {
        "people": [{"id": p.id, **p.attributes} for p in problem.people],
        "tables": list(problem.tables),
        "rounds": problem.rounds,
        "mix_by": list(problem.mix_by),
        "apart": [list(pair) for pair in problem.apart],
        "together": [list(group) for group in problem.together],
        "pinned": [{"person": p.person, "table": p.table, "round": p.round} for p in problem.pinned],
        "met_before": [list(pair) for pair in problem.met_before],
        "seconds": problem.seconds,
        "seed": problem.seed,
    }
    if problem.iterations is not None:
        data["iterations"] = problem.iterations
    return data
