"""Seat-mixing engine: mixed tables over several rounds, pure standard library.

    from cop.mixing import problem_from_dict, solve, plan_to_dict
    plan = solve(problem_from_dict(data), seconds=1.0, seed=7)

See README.md in this folder for the problem format, the score and the algorithm.
"""

from typing import Any

from .baselines import deal_round_robin, random_seating
from .problem import InvalidProblem, Person, Pin, Problem, problem_from_dict, problem_to_dict
from .score import Score, score_plan
from .solver import Plan, reseat, solve


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan JSON: rounds x tables x person ids, and the named score terms."""
    data: dict[str, Any] = {"rounds": plan.rounds, "score": plan.score.to_dict()}
    if plan.moves is not None:
        data["moves"] = plan.moves
    return data


__all__ = [
    "InvalidProblem",
    "Person",
    "Pin",
    "Plan",
    "Problem",
    "Score",
    "deal_round_robin",
    "plan_to_dict",
    "problem_from_dict",
    "problem_to_dict",
    "random_seating",
    "reseat",
    "score_plan",
    "solve",
]
