"""A run from start to end: its recipe (check, build, fit, test), the bookkeeping around it, how it
resumes, and the evaluation of a checkpoint."""
