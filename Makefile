# salescoach: `make demo` and `make test` are all a fresh machine needs.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
STAMP := $(VENV)/.installed

.PHONY: demo test bench eval install clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "error: $(PY) not found; install Python 3.11 or run 'make PY=/path/to/python3.11'"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@rm -rf demo-output
	$(BIN)/salescoach analyze examples/calls --rep "Lena Ruiz" --rep "Sam Cho" --rep "Priya Natarajan" \
		--format table --out demo-output
	@echo
	@echo "Call reports (JSON) and debriefs (Markdown) are in ./demo-output/"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_memory.py --calls $${BENCH_CALLS:-2000}
	$(BIN)/python bench/bench_recall.py --sizes $${BENCH_RECALL_SIZES:-100000,1000000}
	$(BIN)/python bench/bench_crm.py --n $${BENCH_CRM_N:-1000000}

eval: $(STAMP)
	$(BIN)/python bench/eval.py --shared $(SHARED)

clean:
	rm -rf $(VENV) demo-output .pytest_cache build src/*.egg-info
