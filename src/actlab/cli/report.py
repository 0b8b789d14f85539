"""`actlab-report SWEEP_DIR [SWEEP_DIR ...]`: the report of one sweep, or of several together.

It says which values of the compared axis (the activation, by default) are better or worse than
a baseline in each cell (each combination of the other swept axes), with paired tests over the
seeds, intervals, a ranking across cells and a critical-difference diagram; see docs/reports.md.
"""

import argparse
from pathlib import Path

from actlab.report.question import METRICS
from actlab.report.statistics import PAIRED_TESTS, POSTHOCS
from actlab.report.write import write_report
from actlab.utils.errors import UserError


def level(text: str) -> float:
    """A significance level: a number between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a level between 0 and 1 (0.05, 0.01...)")
    return value


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, write the report and print its verdicts."""
    parser = argparse.ArgumentParser(prog="actlab-report", description=__doc__)
    parser.add_argument("sweep_dirs", nargs="+", type=Path, help="multirun directories")
    parser.add_argument(
        "--out", type=Path, help="where to write (default: the sweep directory, if only one)"
    )
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        help="only the runs with this tag (repeat it: runs with every one)",
    )
    parser.add_argument(
        "--metric",
        choices=METRICS,
        default="val",
        help="what runs are compared on: the monitored validation metric at each run's best "
        "epoch (val, the default), the test accuracy (test), the validation loss area "
        "(loss_area: how fast it converged)",
    )
    parser.add_argument(
        "--compare", help="the axis whose values are compared (default: the activation)"
    )
    parser.add_argument(
        "--baseline", help="the value every other is compared with (default: each cell's best)"
    )
    parser.add_argument(
        "--test", choices=PAIRED_TESTS, default="wilcoxon", help="the paired test in each cell"
    )
    parser.add_argument(
        "--posthoc",
        choices=POSTHOCS,
        default="wilcoxon",
        help="the post-hoc test of the ranking across cells",
    )
    parser.add_argument("--alpha", type=level, default=0.05, help="the level of every test")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.sweep_dirs if not path.is_dir()]
    if missing:
        parser.error(f"not a directory: {', '.join(missing)}")
    if args.out is None and len(args.sweep_dirs) > 1:
        parser.error("several sweeps: name the folder for their joint report with --out")
    try:
        written, findings = write_report(
            args.sweep_dirs,
            args.out or args.sweep_dirs[0],
            args.tag,
            metric=args.metric,
            axis=args.compare,
            baseline=args.baseline,
            test=args.test,
            alpha=args.alpha,
            posthoc=args.posthoc,
        )
    except (FileNotFoundError, UserError) as mistake:
        parser.error(str(mistake))
    for paragraph in findings.verdicts:
        print(paragraph.replace("**", ""), end="\n\n")
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
