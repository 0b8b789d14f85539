"""`python -m actlab.report SWEEP_DIR ...`, as `actlab-report`."""

from actlab.report.cli import main

main()
