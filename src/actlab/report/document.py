"""report.md: the verdicts first, then the ranking across cells, the scores with their intervals,
the paired comparisons, the costs, where the spread comes from, the runs that did not finish."""

import pandas as pd

from actlab.report.costs import costs_markdown
from actlab.report.findings import Findings
from actlab.report.question import Question
from actlab.report.ranking import Ranking, ranking_text
from actlab.report.spread import spread_text
from actlab.report.statistics import BOOTSTRAP_SEED, PAIRED_TESTS
from actlab.report.summary import markdown_table


def tested_sentence(runs: pd.DataFrame) -> str:
    """Which weights the runs' test metrics are of, in a sentence."""
    kinds = runs["tested"].value_counts() if "tested" in runs else pd.Series(dtype=int)
    said = {
        "best": "the best validation epoch's weights (test_weights=best)",
        "last": "the last epoch's weights (test_weights=last, as a study's protocol may say)",
    }
    if len(kinds) == 1:
        return f"Test metrics are of {said[kinds.index[0]]}; the `tested` column of report.csv."
    if len(kinds) == 0:
        return "No run says which weights it tested: none was tested, or ran before runs said it."
    parts = [f"{count} runs of {said[kind]}" for kind, count in kinds.items()]
    return f"Test metrics: {'; '.join(parts)}; the `tested` column of report.csv says which."


def validated_sentence(runs: pd.DataFrame) -> str:
    """Where runs validated on their test set, a sentence that says so: their validation metric
    is the test set's, so whatever is chosen or ranked on it is chosen on the test set."""
    on_test = int((runs["validation"] == "test").sum()) if "validation" in runs else 0
    if not on_test:
        return ""
    return (
        f" {on_test} of {len(runs)} runs validate on the test set (data.validation=test, as S3's "
        "and S4's code do): their val/* is the test set's, so their best epochs and this "
        "report's verdicts on val/* are chosen on the test set."
    )


def heading(findings: Findings) -> list[str]:
    """The report's title and its first paragraph: what ran, what was compared, on what."""
    runs, question = findings.runs, findings.question
    statuses = ", ".join(f"{n} {status}" for status, n in runs["status"].value_counts().items())
    seeds = "; ".join(
        f"{seed} {', '.join(f'{value:g}' for value in sorted(runs[seed].dropna().unique()))}"
        for seed in question.seeds
    )
    metric = question.metric
    instead = (
        " (`--metric test` compares on the test set)" if metric.column.startswith("best_") else ""
    )
    compared = (
        f"Compared: {question.axis}, on {metric.label}: {metric.what}{instead}."
        if question.axis
        else "Nothing was swept but the seeds: there is nothing to compare."
    )
    return [
        f"# Report of {', '.join(sorted(runs['sweep'].unique()))}",
        "",
        f"{len(runs)} runs ({statuses}); swept: {', '.join(findings.axes) or 'nothing'}; "
        f"seeds: {seeds or 'none recorded'}. {compared} {tested_sentence(runs)}"
        + validated_sentence(runs),
        "",
    ]


def comparisons_markdown(comparisons: pd.DataFrame, question: Question) -> str:
    """The paired comparisons as a Markdown table."""
    columns = [*question.cells, question.axis, "vs", "pairs", "difference [95% CI]",
               "P(better)", "p", "p (Holm)", "verdict"]  # fmt: skip
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for _, row in comparisons.iterrows():
        low, high = row["difference ci low"], row["difference ci high"]
        interval = "" if pd.isna(low) else f" [{low:+.3g}, {high:+.3g}]"
        cells = [str(row[name]) for name in [*question.cells, question.axis, "baseline"]]
        cells += [
            str(row["pairs"]),
            "-" if pd.isna(row["difference"]) else f"{row['difference']:+.3g}{interval}",
            "-" if pd.isna(row["P(better)"]) else f"{row['P(better)']:.2f}",
            "-" if pd.isna(row["p"]) else f"{row['p']:.3g}",
            "-" if pd.isna(row["p holm"]) else f"{row['p holm']:.3g}",
            row["verdict"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ranking_markdown(ranking: Ranking, question: Question) -> str:
    """Each value's average rank, best first, and its mean score in each cell."""
    ranks = ranking.mean_ranks
    cells = list(ranking.scores.index)
    columns = [question.axis, "mean rank", *cells]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for value, mean_rank in ranks.items():
        scores = [f"{ranking.scores.loc[cell, value]:.4g}" for cell in cells]
        lines.append("| " + " | ".join([str(value), f"{mean_rank:.2f}", *scores]) + " |")
    return "\n".join(lines)


def report_markdown(findings: Findings, plots: list[str]) -> str:
    """report.md: what ran; the verdicts; the ranking across cells (with the critical-difference
    diagram); the scores; the paired comparisons; the costs; where the spread comes from; the
    runs that did not finish; the plots."""
    question, runs = findings.question, findings.runs
    lines = heading(findings)
    if findings.verdicts:
        lines += ["## Verdicts", ""]
        for paragraph in findings.verdicts:
            lines += [paragraph, ""]
    if findings.ranking is not None:
        lines += ["## Ranking across cells", "", " ".join(ranking_text(findings.ranking, question))]
        lines += ["", ranking_markdown(findings.ranking, question), ""]
        lines += ["![cd_diagram.png](cd_diagram.png)", ""]
    lines += [
        "## Scores",
        "",
        "Per arm, over its runs that finished (ok): the mean and its 95% bootstrap confidence "
        f"interval (scipy's BCa, random state {BOOTSTRAP_SEED}), or the mean +- std. With few "
        "seeds the intervals are narrow guesses: a bootstrap cannot see more spread than the "
        "seeds showed.",
        "",
        markdown_table(findings.summary),
        "",
    ]
    if not findings.comparisons.empty:
        lines += [
            "## Paired comparisons",
            "",
            f"Each value against the baseline of its cell, on the seeds both ran: the mean "
            f"difference of {question.metric.label} (value - baseline) with its 95% bootstrap "
            f"interval, the fraction of seeds in which the value is better (P(better); ties "
            f"count half), {PAIRED_TESTS[question.test]}'s p-value and Holm's correction of it "
            f"over the cell's comparisons; no p-value where the seeds are too few for it to be "
            f"small.",
            "",
            comparisons_markdown(findings.comparisons, question),
            "",
        ]
    lines += [
        "## What each costs",
        "",
        "Medians over the runs that trained: the time of an epoch (training and validation), "
        "the peak GPU memory allocated while training (CUDA only), the parameters and of them "
        "the learnable activations'. A stacked run's time and memory are its stack's.",
        "",
        costs_markdown(findings.costs, question.arm),
        "",
    ]
    if not findings.spread.empty:
        lines += ["## Where the spread comes from", "", *spread_text(findings.spread, question)]
        lines.append("")
    unfinished = runs[runs.status != "ok"]
    if len(unfinished):
        lines += ["## Runs that did not finish", ""]
        for _, run in unfinished.iterrows():
            choices = ", ".join(f"{axis}={run[axis]}" for axis in findings.axes)
            reason = f": {run.reason}" if isinstance(run.reason, str) and run.reason else ""
            lines.append(f"- {run.sweep}/{run.job} ({choices}): {run.status}{reason}")
        lines.append("")
    lines += [f"![{plot}]({plot})" for plot in plots]
    return "\n".join(lines) + "\n"
