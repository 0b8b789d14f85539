"""Reports of sweeps: a table per run, a summary over seeds, and plots of the curves."""
