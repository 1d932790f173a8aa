# Two commands (see README): `make main` sets up and runs the main job, `make test` sets up and
# runs the tests. Setup is a virtual environment in .venv, rebuilt when pyproject.toml changes;
# the browser test and Thai text also need Debian's chromium and Thai fonts (scripts/ensure-browser,
# which installs them with apt only when missing). `make app` starts the teaching page.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: main case test bench setup clean app browser

setup: $(STAMP)

$(STAMP): pyproject.toml
	@PY=$$(scripts/find-python) && echo "using $$PY" && $$PY -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask,report,app,calibrate]'
	@touch $(STAMP)

main: $(STAMP)
	$(BIN)/se-sim sweep experiments/profit_share_x_density.yaml

case: $(STAMP)
	$(BIN)/se-sim run scenarios/bang_sao_thong.yaml --replicates 30

browser:
	scripts/ensure-browser

test: $(STAMP) browser
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2 -q

app: $(STAMP) browser
	$(BIN)/se-sim app scenarios/bang_sao_thong.yaml

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_redraw.py

clean:
	rm -rf $(VENV)
