# salescoach: `make demo` and `make test` are all a fresh machine needs.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
STAMP := $(VENV)/.installed
DEMO_DAY := 2026-11-20

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
	@echo
	@echo "Storing the calls with the team's CRM data (examples/crm) in demo-output/salescoach.db ..."
	@$(BIN)/salescoach ingest --manifest examples/manifest.csv --db demo-output/salescoach.db
	@$(BIN)/salescoach crm import examples/crm/opportunities.csv examples/crm/sales_teams.csv --db demo-output/salescoach.db
	@$(BIN)/salescoach contacts import examples/crm/contacts.csv --db demo-output/salescoach.db
	@$(BIN)/salescoach quota import examples/crm/quotas.csv --db demo-output/salescoach.db
	@mkdir -p demo-output/coaching
	@for r in "Lena Ruiz" "Sam Cho" "Priya Natarajan"; do f=$$(echo $$r | tr 'A-Z ' 'a-z-'); \
		$(BIN)/salescoach plan --rep "$$r" --as-of $(DEMO_DAY) --db demo-output/salescoach.db > demo-output/coaching/plan-$$f.md; \
		$(BIN)/salescoach agenda --rep "$$r" --week $(DEMO_DAY) --db demo-output/salescoach.db > demo-output/coaching/agenda-$$f.md; done
	@$(BIN)/salescoach ramp --rep "Priya Natarajan" --start 2026-09-01 --as-of $(DEMO_DAY) --db demo-output/salescoach.db > demo-output/coaching/ramp-priya-natarajan.md
	@$(BIN)/salescoach prep --deal CW-1004 --db demo-output/salescoach.db > demo-output/coaching/prep-CW-1004.md
	@$(BIN)/salescoach coaches --account "Meridian Facility Services" --as-of $(DEMO_DAY) --db demo-output/salescoach.db > demo-output/coaching/coaches-meridian.md
	@$(BIN)/salescoach programme --start 2026-11-23 --weeks 4 --as-of $(DEMO_DAY) --ics demo-output/coaching/programme.ics --db demo-output/salescoach.db > demo-output/coaching/programme.md
	@echo
	@sed -n '/## Focus Areas/,/Target date/p' demo-output/coaching/plan-sam-cho.md
	@echo
	@echo "Coaching plans, 1:1 agendas, a ramp plan, a deal prep brief, a coach network and the coaching"
	@echo "programme (Markdown + programme.ics) are in ./demo-output/coaching/"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_memory.py --calls $${BENCH_CALLS:-10000} --jobs $${BENCH_JOBS:-2}
	$(BIN)/python bench/bench_recall.py --sizes $${BENCH_RECALL_SIZES:-100000,1000000}
	$(BIN)/python bench/bench_crm.py --n $${BENCH_CRM_N:-1000000}
	$(BIN)/python bench/bench_coaching.py --reps 50 --calls $${BENCH_COACHING_CALLS:-5000} --deals 2000

eval: $(STAMP)
	$(BIN)/python bench/eval.py --shared $(SHARED)

clean:
	rm -rf $(VENV) demo-output .pytest_cache build src/*.egg-info
