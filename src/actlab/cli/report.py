"""`actlab-report SWEEP_DIR [SWEEP_DIR ...]`: the report of one sweep, or several side by side."""

import argparse
from pathlib import Path

from actlab.report.write import write_report


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and write the report."""
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
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.sweep_dirs if not path.is_dir()]
    if missing:
        parser.error(f"not a directory: {', '.join(missing)}")
    if args.out is None and len(args.sweep_dirs) > 1:
        parser.error("several sweeps: name the folder for their joint report with --out")
    try:
        written = write_report(args.sweep_dirs, args.out or args.sweep_dirs[0], args.tag)
    except FileNotFoundError as nothing:
        parser.error(str(nothing))
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
