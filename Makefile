# The README's commands. Each sets up .venv first if it is missing or pyproject.toml changed.
#   make sweep      the quick-start activation sweep (breast cancer, no download), its 12 runs stacked
#   make test       lint and the fast tests: the everyday check, a few minutes on 2 cores
#   make test-all   lint and every test, the slow ones too (whole commands, sweeps, benchmarks): CI
#   make test-slurm the tests on a real one-node SLURM cluster (tests/slurm/cluster.sh; root)
PYTHON ?= python3
VENV ?= .venv
# The torch pair actlab is tested with; `make TORCH="torch torchvision" ...` takes the newest.
TORCH ?= torch==2.14.1 torchvision==0.29.1

.PHONY: setup sweep test test-all test-slurm lint

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install $(TORCH)
	$(VENV)/bin/python -m pip install -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

sweep: setup
	$(VENV)/bin/python train.py -m experiment=breast_cancer_activations hydra/sweeper=stacking stack.size=12

# The pre-commit hooks on every file: ruff check and format, import layers, notebooks without
# outputs, YAML and TOML that parse, no large files, one newline at the end of each file.
lint: setup
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/pre-commit run --all-files

# The fast tests in one process per core (pytest-xdist).
test: lint
	$(VENV)/bin/python -m pytest -m "not slow" -n auto

test-all: lint
	$(VENV)/bin/python -m pytest

test-slurm: setup
	$(VENV)/bin/python -m pytest -m slurm
