"""Run generated bad and unusual inputs through every public method of every
sknn estimator (``tests/fuzzing.py``), and print the counts by outcome.

    python scripts/fuzz.py                 # 10,000 cases
    python scripts/fuzz.py -n 500 --show 20

Exits with 1 when any case ends in an internal error, a non-finite result or
a changed argument, after listing them (grouped by message, up to --show).
"""

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import fuzzing
import torch
from hypothesis import HealthCheck, Phase, given, seed, settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="cases to run")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed")
    parser.add_argument("--show", type=int, default=30, help="bad groups to list")
    parser.add_argument(
        "--errors", type=int, default=0, help="most frequent clear errors to list"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)

    counts = collections.Counter()
    by_estimator = collections.defaultdict(collections.Counter)
    bad = collections.defaultdict(list)
    errors = collections.Counter()

    @seed(args.seed)
    @settings(
        max_examples=args.n,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=fuzzing.cases())
    def explore(case):
        fuzzing.run(case)
        counts[case.outcome] += 1
        by_estimator[case.entry.name][case.outcome] += 1
        if case.outcome in fuzzing.BAD:
            bad[(case.outcome, case.detail[:160])].append(str(case))
        elif case.outcome == "clear error":
            errors[case.detail[:120]] += 1

    started = time.perf_counter()
    explore()
    seconds = time.perf_counter() - started

    total = sum(counts.values())
    print(f"{total} cases in {seconds:.0f} s (hypothesis seed {args.seed})")
    for outcome in fuzzing.OUTCOMES:
        print(f"  {outcome:15s} {counts[outcome]:6d}")
    print("by estimator:")
    for name, outcomes in sorted(by_estimator.items()):
        shown = ", ".join(f"{o} {outcomes[o]}" for o in fuzzing.OUTCOMES if outcomes[o])
        print(f"  {name:18s} {shown}")
    if args.errors:
        print(f"the {args.errors} most frequent clear errors:")
        for detail, count in errors.most_common(args.errors):
            print(f"  {count:5d}  {detail}")
    groups = sorted(bad.items(), key=lambda item: -len(item[1]))
    for (outcome, detail), examples in groups[: args.show]:
        print(f"\n{len(examples)} x {outcome}: {detail}\n  e.g. {examples[0]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
