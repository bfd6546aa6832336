"""The command line contract, the score's definitions and re-seating."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cop.mixing import Person, Pin, Problem, plan_to_dict, problem_from_dict, reseat, score_plan, solve

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = {
    "people": [
        {"id": f"p{i}", "organisation": f"org{i % 4}", "sector": ["NHS", "council", "charity"][i % 3],
         "profession": ["nurse", "GP", "social worker", "manager", "pharmacist"][i % 5], "place": f"town{i % 6}",
         **({"role": "facilitator"} if i % 9 == 0 else {})}
        for i in range(1, 28)
    ],
    "tables": [10, 10, 8],
    "rounds": 3,
    "mix_by": ["organisation", "sector", "profession", "place"],
    "apart": [["p1", "p2"]],
    "together": [["p3", "p4"]],
    "pinned": [{"person": "p5", "table": 0, "round": None}],
    "met_before": [["p1", "p9"]],
    "seconds": 1.0,
    "seed": 7,
}  # fmt: skip


def run_cli(data, *args: str, hash_seed: str = "0") -> subprocess.CompletedProcess:
    text = data if isinstance(data, str) else json.dumps(data)
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "cop.mixing", *args], input=text, capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_cli_seats_the_issue_example():
    result = run_cli(EXAMPLE, "--seconds", "0.3")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert set(plan) == {"rounds", "score"}
    assert len(plan["rounds"]) == 3 and all(len(r) == 3 for r in plan["rounds"])
    assert plan["score"]["hard_violations"] == 0
    assert set(plan["score"]["excess"]) == {"organisation", "sector", "profession", "place"}
    assert all("p5" in seating[0] for seating in plan["rounds"])


def test_cli_output_does_not_depend_on_string_hashing():
    outputs = {run_cli(EXAMPLE, "--iterations", "3000", hash_seed=h).stdout for h in ("0", "1", "12345")}
    assert len(outputs) == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"apart": [["p1", "nobody"]]}, "unknown person"),
        ({"tables": [10, 10]}, "seats"),
        ({"together": [["p1", "p2"]]}, "kept together"),  # p1 and p2 must also be apart
        ({"pinned": [{"person": "p1", "table": 0}, {"person": "p2", "table": 0, "round": 1}]}, "apart"),
        ({"together": [[f"p{i}" for i in range(1, 13)]]}, "at most"),
    ],
)
def test_cli_refuses_impossible_problems_with_exit_code_2(change, message):
    result = run_cli(EXAMPLE | change)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_cli_refuses_bad_json_with_exit_code_2():
    result = run_cli("{not json")
    assert result.returncode == 2 and result.stderr.startswith("error: ")


def test_repeats_count_extra_meetings_but_not_forced_ones():
    people = [Person(f"p{i}") for i in range(4)]
    problem = Problem(people, [2, 2], rounds=3, mix_by=[], together=[("p2", "p3")])
    same = [["p0", "p1"], ["p2", "p3"]]
    score = score_plan(problem, [same, same, same])
    assert score.repeats == 2  # p0-p1 three times: 2; p2-p3 are together on purpose
    assert score.hard_violations == 0


def test_met_before_counts_per_round_and_excess_per_value():
    people = [Person(f"p{i}", {"organisation": "A" if i < 3 else "B"}) for i in range(4)]
    problem = Problem(people, [2, 2], rounds=2, mix_by=["organisation"], met_before=[("p0", "p1")])
    seating = [["p0", "p1"], ["p2", "p3"]]
    score = score_plan(problem, [seating, seating])
    assert score.met_before == 2
    assert score.excess == {"organisation": 0}  # A, A then A, B: within ceil(3 / 2) = 2
    crowded = Problem(people, [3, 1], rounds=1, mix_by=["organisation"])
    assert score_plan(crowded, [[["p0", "p1", "p2"], ["p3"]]]).excess == {"organisation": 1}


def test_hand_edited_plans_are_rescored_with_their_faults():
    problem = problem_from_dict(EXAMPLE)
    plan = solve(problem, iterations=500, seed=1)
    edited = [[list(table) for table in seating] for seating in plan.rounds]
    edited[0][0].remove("p5")  # breaks the pin and leaves p5 unseated
    edited[1][1].append("stranger")
    score = score_plan(problem, edited)
    assert score.hard["pinned"] == 1 and score.hard["unseated"] == 1 and score.hard["unknown"] == 1


def test_reseat_keeps_people_in_their_seats_and_places_newcomers():
    problem = problem_from_dict(EXAMPLE)
    plan = solve(problem, iterations=3000, seed=2)
    problem.people = [p for p in problem.people if p.id != "p20"] + [Person("late", {"organisation": "org9"})]
    again = reseat(problem, plan.rounds, iterations=3000, seed=2)
    assert again.score.hard_violations == 0
    seated = [sorted(pid for table in seating for pid in table) for seating in again.rounds]
    assert all("late" in s and "p20" not in s for s in seated)
    assert again.moves is not None and again.moves <= 3  # the newcomer fills p20's seat
    assert plan_to_dict(again)["moves"] == again.moves


def test_pins_for_a_round_and_for_every_round_are_honoured():
    problem = problem_from_dict(EXAMPLE)
    problem.pinned = [Pin("p5", 2), Pin("p6", 1, 2)]
    plan = solve(problem, iterations=2000, seed=3)
    assert all("p5" in seating[2] for seating in plan.rounds)
    assert "p6" in plan.rounds[2][1]
