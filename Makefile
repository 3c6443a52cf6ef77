# make run   — create .venv, install, start the app at http://localhost:8501 on the bundled sample
# make test  — install the dev requirements and run the whole suite, browser tests included
# make bench — run every benchmark under bench/ (each also has its own bench-* target)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test test-fast bench bench-train bench-learn bench-parse bench-load bench-load-nginx clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT)

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

# Everything but the browser tests, for a quick loop while editing.
test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest --ignore=tests/browser

# Benchmarks print their figures; docs/performance.md records them with the command used.
bench: bench-train bench-parse bench-learn

bench-train: $(VENV)/.installed
	$(BIN)/python bench/train_bench.py

# Median time to parse and validate a generated 1,000,000-row CSV (docs/performance.md).
bench-parse: $(VENV)/.installed
	PYTHONPATH=. $(BIN)/python bench/parse_bench.py

# The Learn page's numbers: optimum, landscape grid, replay figure sizes (docs/performance.md).
bench-learn: $(VENV)/.installed
	$(BIN)/python -m bench.learn_bench

# Classroom load: K = 1, 5, 10, 20 browser sessions against one app process (about 10 minutes).
bench-load: $(VENV)/.dev-installed
	$(BIN)/python bench/load_bench.py

# The same through nginx and two app processes, all on loopback (needs Debian's nginx package).
bench-load-nginx: $(VENV)/.dev-installed
	$(BIN)/python bench/load_bench.py --via nginx

clean:
	rm -rf $(VENV) .pytest_cache
