"""python -m cop.mixing [--seconds S] [--seed N] [--iterations I] < problem.json > plan.json

Exit code 2, with `error: <message>` on stderr, for bad JSON or a problem that
is refused; nothing is written to stdout then.
"""

import argparse
import json
import sys

from . import InvalidProblem, plan_to_dict, problem_from_dict, solve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cop.mixing", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, help="CPU-time budget (overrides the file)")
    parser.add_argument("--seed", type=int, help="random seed (overrides the file)")
    parser.add_argument("--iterations", type=int, help="move budget instead of time: reproducible (overrides the file)")
    args = parser.parse_args(argv)
    try:
        data = json.load(sys.stdin)
    except json.JSONDecodeError as error:
        print(f"error: the problem is not valid JSON: {error}", file=sys.stderr)
        return 2
    try:
        if args.seconds is not None and args.seconds <= 0:
            raise InvalidProblem("--seconds must be positive")
        problem = problem_from_dict(data)
        if args.seconds is not None:  # a time budget on the command line replaces the file's moves
            problem.iterations = None
        plan = solve(problem, seconds=args.seconds, seed=args.seed, iterations=args.iterations)
    except InvalidProblem as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    json.dump(plan_to_dict(plan), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
