# Two commands do all the set-up: `make build` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark
# pytest runs its files on this many worker processes (pytest-xdist; 2 cores here).
PYTEST_WORKERS ?= 2
# dbt-duckdb resolves relative paths against the current directory: always run from here.
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)

.PHONY: install install-spark build build-spark corpus-spark report test test-python lint bench docs seed-sample clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0] + ". Set PYTHON=python3.11.")'
	$(PYTHON) -m venv $(VENV)

# Pinned direct dependencies in pyproject.toml; every transitive one in constraints.txt.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP)

## install-spark: add the Spark engine (dbt-spark[session], pyspark; pinned in constraints.txt)
## to .venv. Spark 4.3 needs Java 17 or 21 on PATH.
$(SPARK_STAMP): pyproject.toml constraints.txt $(STAMP)
	@command -v java >/dev/null 2>&1 || { echo "make install-spark: no java on PATH; Spark 4.3 needs Java 17 or 21 (Debian: apt-get install openjdk-17-jre-headless)" >&2; exit 2; }
	@java -version 2>&1 | head -1 | grep -Eq '"(17|21)[."]' || { echo "make install-spark: Spark 4.3 needs Java 17 or 21; found: $$(java -version 2>&1 | head -1)" >&2; exit 2; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,spark]'
	touch $@

install-spark: $(SPARK_STAMP)

## build: set up, build every model and test on the embedded sample, render the report
build: install
	$(BIN)/dbt build
	$(BIN)/user-segmentation report

## build-spark: every model and test on Spark (local[*] under warehouse/spark, or Spark Connect
## with SEGMENTATION_SPARK_REMOTE) from the embedded sample, then the report from the Spark tables
build-spark: install-spark
	$(BIN)/dbt build --target spark
	$(BIN)/user-segmentation report --target spark --out reports/output/segment_report_spark.html

## corpus-spark: every case of the input-policy corpus on Spark, as on DuckDB (CI runs a subset)
corpus-spark: install-spark
	SEGMENTATION_SPARK_CORPUS=all $(BIN)/pytest -p no:xdist tests/python/test_spark_input_corpus.py

report: install
	$(BIN)/user-segmentation report

## test: set up, then every test: dbt's (build), lint, pytest (Python, input corpus, report)
test: install
	$(BIN)/dbt build
	$(BIN)/user-segmentation report
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

test-python: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check python tests
	$(BIN)/ruff format --check python tests
	SEGMENTATION_DB=$${TMPDIR:-/tmp}/sqlfluff_$$$$.duckdb $(BIN)/sqlfluff lint models tests/dbt --processes 2

bench: install
	$(BIN)/user-segmentation bench --rows 1000,1000000,10000000 --out bench-results/bench.md

docs: install
	$(BIN)/dbt docs generate

## seed-sample: regenerate the embedded default data (a test checks it is byte-identical)
seed-sample: install
	$(BIN)/user-segmentation generate --rows 1000 --seed 42 --out seeds/raw_user_profiles.csv --truth tests/fixtures/sample_truth.csv

clean:
	rm -rf target logs warehouse reports/output
