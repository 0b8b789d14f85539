"""Tables of runs made here, in the columns `load_runs` gives: fixed results for the statistics."""

import pandas as pd


def runs_table(
    scores: dict[str, list[float]], sweep: str = "s", seeds: list[int] | None = None, **cell: str
) -> pd.DataFrame:
    """One finished run per activation and seed (seeds 0, 1, ... unless given), its best val/acc
    (and test acc, and a loss area that falls as it rises) the score given; `cell` adds swept
    values (`model="mlp"`) to every row."""
    rows = []
    for activation, values in scores.items():
        for seed, score in zip(seeds or range(len(values)), values, strict=True):
            rows.append({
                "sweep": sweep, "job": f"{activation}-{seed}-{len(rows)}", **cell,
                "activation": activation, "seed": seed, "status": "ok", "reason": None,
                "monitor": "val/acc", "mode": "max", "epochs": 3, "best_epoch": 2,
                "tested": "best", "tested_epoch": 2, "num_params": 100, "activation_params": 0,
                "epoch_time_s": 0.5, "peak_gpu_memory_mib": None, "wall_time_s": 2.0,
                "stopped_early_epoch": None, "stacked": None, "stack_members": None,
                "best_val/acc": score, "last_val/acc": score, "test/acc": score,
                "val_loss_area": 3.0 - score,
            })  # fmt: skip
    return pd.DataFrame(rows)
