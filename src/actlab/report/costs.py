"""What each arm of a sweep costs beside what it scores: time per epoch, peak GPU memory,
parameters (of which the learnable activations')."""

import pandas as pd


def costs(runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per combination of `keys`, over the runs that trained an epoch: the median of the runs'
    median epoch time (training and validation) and of their peak GPU memory (CUDA only), the
    median parameter count and learnable activations' parameters, and the number of members of
    the stacks its runs trained in (0 where they trained alone): a stacked run's time and
    memory are its stack's, shared by every member, and are not divided."""
    trained = runs[runs["epochs"] > 0]
    keys = keys or ["sweep"]
    groups = trained.groupby(keys, sort=False, dropna=False)
    table = pd.DataFrame({
        "runs": groups.size(),
        "epoch time (s)": groups["epoch_time_s"].median(),
        "peak GPU memory (MiB)": groups["peak_gpu_memory_mib"].median(),
        "params": groups["num_params"].median(),
        "activation params": groups["activation_params"].median(),
        "stack members": groups["stack_members"].max(),
    })  # fmt: skip
    stacked = groups["stacked"].apply(lambda stacks: stacks.notna().any())
    table["stack members"] = table["stack members"].where(stacked, 0)
    # Cell by cell, the compared values within each, each key's values in the order they ran.
    first_seen = {key: list(dict.fromkeys(trained[key].map(str))) for key in keys}
    return table.reset_index().sort_values(
        keys, key=lambda column: column.map(str).map(first_seen[column.name].index)
    )


def shared_by(members: float) -> str:
    """How a cost is shared: by no one (trained alone, 0), or by a stack of `members` (NaN: a
    stack of a count its records do not say)."""
    if members == 0:
        return ""
    return " (a stack's)" if pd.isna(members) else f" (stack of {int(members)})"


def costs_markdown(table: pd.DataFrame, keys: list[str]) -> str:
    """The costs as a Markdown table; a stacked arm's time and memory say they are its stack's."""
    columns = [*keys, "runs", "epoch time (s)", "peak GPU memory (MiB)", "params",
               "activation params"]  # fmt: skip
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for _, row in table.iterrows():
        shared = shared_by(row["stack members"])
        cells = [str(row[key]) for key in keys] + [str(int(row["runs"]))]
        for column in ("epoch time (s)", "peak GPU memory (MiB)"):
            value = row[column]
            cells.append("-" if pd.isna(value) else f"{value:.3g}{shared}")
        for column in ("params", "activation params"):
            value = row[column]
            cells.append("-" if pd.isna(value) else f"{int(value):,}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
