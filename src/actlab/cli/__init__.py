"""The command-line tools, each a thin layer over a library function, named in pyproject.toml's
[project.scripts]: actlab-train, actlab-eval, actlab-report, actlab-plot-activations,
actlab-model-cost."""
