"""A sweep's jobs: side by side on the GPUs (placement), as SLURM jobs, and the table at its end."""
