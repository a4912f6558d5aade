# The commands people type. `make test` and `make bench` set everything up on a fresh machine
# (Rust toolchain, Python >= 3.10 and a C compiler are all they need) and rebuild only what
# changed: each backend's wheel is rebuilt when its sources (or the core's) change.
#
# Any CPython >= 3.10 works: `make test PYTHON=python3.12` (a name, a path, or a version such as
# `3.12`, found through pyenv). Each interpreter has its own environment (.venv-3.12) and its own
# per-interpreter wheels (target/wheels/cp312/); wheels that suit every interpreter (abi3,
# py3-none) are built once, into target/wheels/any/. Switching back and forth rebuilds nothing.
# `.venv` is a link to the environment of the default interpreter (`python3`).

PYTHON ?= python3
PYTHON_BIN := $(shell python3 tools/pythons.py resolve '$(PYTHON)')
PYVER  := $(shell python3 tools/pythons.py version '$(PYTHON)')
ifeq ($(PYVER),)
$(error cannot run PYTHON=$(PYTHON): give a CPython >= 3.10 by name (python3.12), path or version (3.12))
endif
PYTAG  := cp$(subst .,,$(PYVER))
DEFAULT_PYVER := $(shell python3 tools/pythons.py version python3)
VENV   := .venv-$(PYVER)
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check --quiet
WHEELS := target/wheels
comma  := ,
# Where a package's wheel goes: its interpreter's directory, or `any` for one wheel for all.
wheel_dir = $(WHEELS)/$(if $(filter $(1),$(SHARED_WHEELS)),any,$(PYTAG))/$(1)

# One Cargo target directory for the workspace, whoever builds (cargo, maturin).
export CARGO_TARGET_DIR := $(CURDIR)/target
# PyO3's build script and maturin use the project's interpreter.
export PYO3_PYTHON := $(CURDIR)/$(PY)

# The binding packages, from the one list of them (contract/src/collatz_contract/packages.py,
# which needs nothing but Python): their directories, and those with test-only panic hooks.
REGISTRY    := contract/src/collatz_contract/packages.py
PACKAGES    := $(shell python3 $(REGISTRY) directory)
HOOKED      := $(shell python3 $(REGISTRY) panic_hooks)
SHARED_WHEELS := $(shell python3 $(REGISTRY) shared_wheel)
HOOK_WHEELS := $(shell python3 $(REGISTRY) hook_wheels)
BOLTFFI_PACKAGES := $(shell python3 $(REGISTRY) boltffi)
CRATES_TOGETHER := $(shell python3 $(REGISTRY) crates_together)
CRATES_ALONE    := $(shell python3 $(REGISTRY) crates_alone)
# crate:feature-args (commas for spaces) of the packages that build a crate with other features
CARGO_FEATURES  := $(shell python3 $(REGISTRY) cargo_features)
# directory:crate-directory pairs; a package that builds another package's crate (its
# crate_directory) is rebuilt when that crate's sources change too.
SOURCE_DIRS := $(shell python3 $(REGISTRY) sources)
crate_dir = $(patsubst $(1):%,%,$(filter $(1):%,$(SOURCE_DIRS)))
DISTRIBUTIONS := $(shell python3 $(REGISTRY) distributions)
distribution_of = $(patsubst $(1):%,%,$(filter $(1):%,$(DISTRIBUTIONS)))
# directory:maturin-args;maturin-args (commas for spaces) of the packages with further wheels
EXTRA_WHEELS := $(shell python3 $(REGISTRY) extra_wheels)
extra_wheels = $(subst ;, ,$(patsubst $(1):%,%,$(filter $(1):%,$(EXTRA_WHEELS))))
ifeq ($(PACKAGES),)
$(error could not read the list of packages from $(REGISTRY) with $(PYTHON))
endif

# A package is rebuilt when any of its sources, the core's or the shared Python glue change.
sources = $(shell find -L $(1) -type f \( -name '*.rs' -o -name '*.py' -o -name '*.pyi' -o -name '*.pyx' -o -name '*.pxd' -o -name '*.toml' -o -name '*.h' -o -name '*.c' -o -name 'py.typed' \) -not -path '*/__pycache__/*' -not -path '*/build/*' -not -path '*/dist/*' -not -path '*/_native/*' -not -name '*.so' -not -name '_abi.py' -not -name 'via_cython.c')
CORE_SRC     := Cargo.toml Cargo.lock $(call sources,core/src core/Cargo.toml glue)
CONTRACT_SRC := $(call sources,contract)
BENCH_SRC    := $(call sources,bench/src bench/pyproject.toml)

.PHONY: help setup test test-python test-pythons perf-check-pythons bench-pythons test-long memcheck perf-check perf-budgets perf-budgets-new dist-check fuzz bench bench-quick bench-core docs docs-check docs-results lint fmt header licences clean

help:
	@echo "make test        set up .venv, build every backend (release), run cargo test + pytest"
	@echo "make test PYTHON=python3.12  the same with another CPython >= 3.10 (its own .venv-3.12)"
	@echo "make test-pythons  the Python suite on every CPython >= 3.10 found (pyenv, PATH)"
	@echo "make test-long   the core's long checks (record search against a plain scan; CI runs them)"
	@echo "make dist-check  build every package's sdist, install them all from the sdists (isolated"
	@echo "                 builds) into a fresh venv, and call every front end (CI runs it)"
	@echo "make bench       set up, build, and run the backend comparison (results/)"
	@echo "make bench-pythons every front end on every CPython found (results/pythons/)"
	@echo "make bench-quick the comparison at reduced size (a smoke test)"
	@echo "make bench-core  criterion benchmarks of collatz-core (the native baseline)"
	@echo "make fuzz        the long fuzz run of every backend (results/fuzz.json)"
	@echo "make memcheck    every front end's shapes and hazards under valgrind (CI runs it)"
	@echo "make perf-check  instructions per call (callgrind) against bench/budgets.json (CI runs it)"
	@echo "make perf-check-pythons  perf-check on every CPython >= 3.10 found (CI runs it)"
	@echo "make perf-budgets  rewrite bench/budgets.json from a fresh count (deliberately)"
	@echo "make perf-budgets-new  add budgets only for figures that have none (a new front end)"
	@echo "make docs        render the README's and the guide's figures from docs/results/, build the"
	@echo "                 guide with mdBook (target/guide/) and print the path of its index"
	@echo "make docs-check  fail if a figure differs from docs/results/; build the guide; check its"
	@echo "                 links, run its Python examples, open every page in headless Chromium (CI)"
	@echo "make docs-results  make results/ (a make bench run) the committed results, and render"
	@echo "make lint        cargo fmt --check, clippy -D warnings, ruff check + format --check, mypy"
	@echo "make header      regenerate the C ABI's header and .pxd with cbindgen (the crates' header tests)"
	@echo "make licences    regenerate the licence texts the hatchling packages ship (contract, bench)"
	@echo "make clean       remove .venv, target/ and results/"

# --- environment ---------------------------------------------------------------------------

$(VENV)/.deps: requirements/dev.txt requirements/bench.txt requirements/constraints.txt
	rm -rf $(VENV)
	$(PYTHON_BIN) -m venv $(VENV)
	$(PIP) install --upgrade pip==26.3
	$(PIP) install -r requirements/dev.txt -c requirements/constraints.txt
	@if [ "$(PYVER)" = "$(DEFAULT_PYVER)" ]; then \
	  if [ -d .venv ] && [ ! -L .venv ]; then rm -rf .venv; fi; ln -sfn $(VENV) .venv; fi
	touch $@

# --- the binding packages (the registry lists them), each a wheel built and installed into .venv
# One command for all of them: pip's standard (PEP 517) build, with the pinned build tools of
# .venv instead of an isolated environment (maturin, or setuptools with setuptools-rust, cffi
# and Cython: the registry says which); python-tests/test_packaging.py also builds each
# package the way a user would, isolated. (maturin's build hook runs `maturin` from
# PATH, hence .venv/bin first.)
export MATURIN_PEP517_ARGS := --locked

# What builds leave in a package's source tree: setuptools' build/ and egg-info, and the
# modules an editable install (`pip install -e`) puts next to the sources (maturin's _native,
# setuptools' in-place extensions, cffi's generated _abi.py), and BoltFFI's output (dist/). A wheel build must start without
# them (maturin refuses to overwrite them), so `make` replaces an editable install: run
# `pip install -e` again afterwards if you want one.
in_tree = $(1)/build $(1)/dist $(1)/python/*.egg-info $(1)/python/*/_native $(1)/python/*/*.so \
	$(1)/python/*/_abi.py $(1)/python/*/via_cython.c

# BoltFFI's CLI, which builds the packages whose registry entry says `boltffi`: the pinned
# version from crates.io, compiled once into the project's tool directory (`make clean`
# removes it with target/). A debug build: the CLI only generates code and runs cargo and pip,
# and its debug build takes about half the time of its release build (the costs section of a
# full run measures it). Its own target directory: its crates are not the workspace's.
BOLTFFI_VERSION := 0.32.1
TOOLS   := target/tools
BOLTFFI := $(TOOLS)/bin/boltffi
$(BOLTFFI):
	start=$$(date +%s) && cargo install boltffi_cli --version $(BOLTFFI_VERSION) --locked --debug --quiet \
	  --root $(TOOLS) --target-dir $(TOOLS)/build && echo $$(( $$(date +%s) - start )) > $(TOOLS)/boltffi-build-seconds
	rm -rf $(TOOLS)/build
$(foreach p,$(BOLTFFI_PACKAGES),$(eval $(call wheel_dir,$(p))/.built: $(BOLTFFI)))

# $(1): the package's directory. Its wheel is built once into its directory (one per
# interpreter, or one for all: wheel_dir), then installed into each interpreter's environment.
# Its further abi3 wheels (the registry's extra_wheels) are built by maturin with no interpreter
# (PYO3_NO_PYTHON): PyO3 would build a module for the running interpreter instead of an abi3
# one if that interpreter were older than the wheel's minimum (3.12 for cp312-abi3).
define package
$(call wheel_dir,$(1))/.built: requirements/dev.txt requirements/constraints.txt $(CORE_SRC) $$(call sources,$(sort $(1) $(call crate_dir,$(1)))) | $(VENV)/.deps
	rm -rf $(call wheel_dir,$(1)) $$(call in_tree,$(1))
	PATH="$(CURDIR)/$(VENV)/bin:$(CURDIR)/$(TOOLS)/bin:$$$$PATH" $(PIP) wheel --no-deps --no-build-isolation --wheel-dir $(call wheel_dir,$(1)) ./$(1)
	$(foreach args,$(call extra_wheels,$(1)),env -u PYO3_PYTHON PYO3_NO_PYTHON=1 $(VENV)/bin/maturin build \
	  --release --locked --quiet $(subst $(comma), ,$(args)) -m $(1)/Cargo.toml --out $(call wheel_dir,$(1)) &&) true
	touch $$@

# From the wheel directory as from an index: pip picks the wheel that suits this interpreter.
$(VENV)/.built-$(1): $(VENV)/.deps $(call wheel_dir,$(1))/.built
	$(PIP) install --no-deps --force-reinstall --no-index --find-links $(call wheel_dir,$(1)) $(call distribution_of,$(1))
	touch $$@
endef
$(foreach p,$(PACKAGES),$(eval $(call package,$(p))))

# The contract package (reference + registry) and the benchmark: pure Python.
$(VENV)/.built-contract: $(VENV)/.deps $(CONTRACT_SRC)
	$(PIP) install --no-deps --no-build-isolation --force-reinstall ./contract
	touch $@

$(VENV)/.built-bench: $(VENV)/.deps $(VENV)/.built-contract $(BENCH_SRC)
	$(PIP) install --no-deps --no-build-isolation --force-reinstall ./bench
	touch $@

BUILT := $(foreach p,$(PACKAGES),$(VENV)/.built-$(p)) $(VENV)/.built-contract $(VENV)/.built-bench

# Test-only builds with the `test-hooks` feature (functions that panic on purpose), in debug
# mode, unpacked under target/hooks/cp3XY/ (one per interpreter) for each package's
# tests/python/test_*_panics.py. Never installed.
HOOKS_DIR := target/hooks/$(PYTAG)
HOOKS := $(HOOKS_DIR)/.built
$(HOOKS): $(VENV)/.deps $(CORE_SRC) $(foreach p,$(HOOK_WHEELS),$(call sources,$(p)))
	rm -rf $(HOOKS_DIR) $(WHEELS)/hooks/$(PYTAG)
	for crate in $(HOOK_WHEELS); do \
	  $(VENV)/bin/maturin build --locked --quiet --features test-hooks -i $(PY) \
	    -m $$crate/Cargo.toml --out $(WHEELS)/hooks/$(PYTAG)/$$crate && \
	  $(PY) -m zipfile -e $(WHEELS)/hooks/$(PYTAG)/$$crate/*.whl $(HOOKS_DIR)/$$crate || exit 1; \
	done
	touch $@

setup: $(BUILT)

# --- what people run -------------------------------------------------------------------------

# pytest spreads the tests over every core (pytest-xdist); tests that could crash or hang run
# their code in child processes of their own, whichever worker runs them.
test: $(BUILT) $(HOOKS)
	cargo test --workspace --locked
	cargo test $(foreach p,$(HOOKED),-p $(p) --features $(p)/test-hooks) --test panics --locked
	$(PY) -m pytest -n auto

# The Python suite alone (what differs between interpreters: the Rust tests do not).
test-python: $(BUILT) $(HOOKS)
	$(PY) -m pytest -n auto

# The Python suite on every CPython >= 3.10 this machine has (tools/pythons.py finds them, and
# says which it skipped and why), each in its own environment: .venv-3.10, .venv-3.12, ...
test-pythons:
	@pythons="$$(python3 tools/pythons.py find)" && echo "test-pythons: $$(echo $$pythons)" && \
	for python in $$pythons; do \
	  echo "=== $$python" && $(MAKE) --no-print-directory test-python PYTHON=$$python || exit 1; \
	done

# The checks too slow for the edit-test cycle (CI runs them): the core's record search against
# a plain scan for every limit up to 10^5 and random limits up to 10^8, and the published
# records up to 10^10 (about 35 s of CPU); the Python tests marked `long` (out-of-memory cases
# repeated in child processes).
test-long: $(BUILT)
	cargo test --workspace --locked -- --ignored
	$(PY) -m pytest -n auto -m long

# Every package from its sdist, as a user would get it: `python -m build --sdist`, then one
# `pip install` of all the sdists (isolated builds, the build tools from PyPI) into a fresh
# virtual environment, and every front end called. The shared target/ keeps third-party crates
# warm; the sources compiled are the sdists' own.
DIST := target/dist
dist-check: $(VENV)/.deps $(BOLTFFI)
	rm -rf $(DIST) && mkdir -p $(DIST)
	for package in $(PACKAGES) contract bench; do \
	  $(PY) -m build --sdist --outdir $(DIST) ./$$package > $(DIST)/sdist-$$package.log 2>&1 \
	    || { cat $(DIST)/sdist-$$package.log; exit 1; }; \
	done
	$(PYTHON_BIN) -m venv $(DIST)/venv
	env -u PYO3_PYTHON -u MATURIN_PEP517_ARGS PATH="$(CURDIR)/$(TOOLS)/bin:$$PATH" \
	  $(DIST)/venv/bin/python -m pip install --quiet \
	  --disable-pip-version-check \
	  $(DIST)/*.tar.gz
	cd $(DIST) && venv/bin/python -W error $(CURDIR)/python-tests/dist_smoke.py

# Every front end's shapes and hazards under valgrind's memcheck (python-tests/memcheck.py),
# with CPython's allocator switched to malloc so that memcheck sees every block; fails on an
# invalid read, write or free, or memory lost per call, with a frame in the project's libraries
# (python-tests/memcheck_report.py). Installs Debian's valgrind where it is missing. About 15 s.
memcheck: $(BUILT)
	@command -v valgrind > /dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
	mkdir -p results
	PYTHONMALLOC=malloc valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
	  --errors-for-leak-kinds=definite --num-callers=30 --xml=yes --xml-file=results/memcheck.xml \
	  $(PY) python-tests/memcheck.py
	$(PY) python-tests/memcheck_report.py results/memcheck.xml

# Instructions per call (callgrind) of every front end against bench/budgets.json: fails when a
# figure exceeds its budget by more than the file's tolerance (CI runs it; about a minute).
# perf-budgets rewrites the budgets, deliberately, in the commit that moves them.
perf-check: $(BUILT)
	@command -v valgrind > /dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
	$(PY) -m collatz_bench.perfcheck

perf-budgets: $(BUILT)
	@command -v valgrind > /dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
	$(PY) -m collatz_bench.perfcheck --update

# perf-check on every CPython >= 3.10 found (each has its own budgets in bench/budgets.json).
perf-check-pythons:
	@for python in $$(python3 tools/pythons.py find); do \
	  echo "=== $$python" && $(MAKE) --no-print-directory perf-check PYTHON=$$python || exit 1; \
	done

# Budgets for figures that have none (a new front end or case); the others stay as they are.
perf-budgets-new: $(BUILT)
	@command -v valgrind > /dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
	$(PY) -m collatz_bench.perfcheck --add-missing

# The long fuzz profile: 10,000 hostile inputs per function per backend, against the reference.
fuzz: $(BUILT)
	HYPOTHESIS_PROFILE=long FUZZ_REPORT=results/fuzz.json $(PY) -m pytest python-tests/test_fuzz.py -q
	cat results/fuzz.json

bench: $(BUILT)
	@command -v valgrind > /dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
	$(VENV)/bin/collatz-bench

# Every front end on every CPython >= 3.10 found: instructions per call and time ratios to each
# interpreter's own floor, one file per interpreter (results/pythons/), merged into
# results/pythons/pythons.json and .md (collatz_bench.pythons; docs/results/ keeps a copy).
bench-pythons:
	@command -v valgrind > /dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
	rm -rf results/pythons && mkdir -p results/pythons
	@for python in $$(python3 tools/pythons.py find); do \
	  version=$$(python3 tools/pythons.py version $$python) && \
	  $(MAKE) --no-print-directory setup PYTHON=$$python && \
	  .venv-$$version/bin/python -m collatz_bench.pythons collect --out results/pythons/$$version.json \
	    --wheels $(WHEELS)/any || exit 1; \
	done
	$(PY) -m collatz_bench.pythons render results/pythons/3.*.json --out results/pythons

# --- the guide (docs/, built by mdBook) and the README: every figure rendered from docs/results/
# (collatz_bench.docs). mdBook from crates.io into the tool directory, as BoltFFI's CLI (a debug
# build with only the search feature: half a minute on two cores).
MDBOOK_VERSION := 0.5.4
MDBOOK := $(TOOLS)/bin/mdbook
GUIDE  := target/guide
$(MDBOOK):
	cargo install mdbook --version $(MDBOOK_VERSION) --locked --debug --quiet --no-default-features \
	  --features search --root $(TOOLS) --target-dir $(TOOLS)/build-mdbook
	rm -rf $(TOOLS)/build-mdbook

# Headless Chromium (Debian's package) and Playwright to drive it, for docs-check only.
$(VENV)/.docs-deps: requirements/docs.txt requirements/constraints.txt | $(VENV)/.deps
	@command -v chromium > /dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
	$(PIP) install -r requirements/docs.txt -c requirements/constraints.txt
	touch $@

docs: $(BUILT) $(MDBOOK)
	$(PY) -m collatz_bench.docs render
	MDBOOK_LOG=warn $(MDBOOK) build docs
	@echo "guide: $(CURDIR)/$(GUIDE)/index.html"

# The figures against the committed results, the build, every internal link and anchor, the
# Python examples of the README and the guide (doctests, against the installed front ends), and
# every page in headless Chromium (console errors, images that did not load).
docs-check: $(BUILT) $(MDBOOK) $(VENV)/.docs-deps
	$(PY) -m collatz_bench.docs render --check
	rm -rf $(GUIDE) && MDBOOK_LOG=warn $(MDBOOK) build docs
	$(PY) -m collatz_bench.docs links $(GUIDE)
	$(PY) -m collatz_bench.docs examples README.md docs
	$(PY) -m collatz_bench.docs browser $(GUIDE)

# A `make bench` run's files (results/) become the committed results the docs render from.
docs-results: $(BUILT)
	cp results/bench.json results/summary.md results/*.png results/*.pyperf*.json docs/results/
	$(PY) -m collatz_bench.docs render

bench-quick: $(BUILT)
	$(VENV)/bin/collatz-bench --quick

bench-core:
	cargo bench -p collatz-core --locked

lint: $(VENV)/.deps
	cargo fmt --all --check
	# Crates that must build alone (cargo_alone in the registry) on their own; crates that a
	# package builds with other features (cargo_features) with those too.
	cargo clippy --workspace $(foreach c,$(CRATES_ALONE),--exclude $(c)) --all-targets --locked -- -D warnings
	cargo clippy $(foreach c,$(CRATES_TOGETHER),-p $(c)) --features test-hooks --all-targets --locked -- -D warnings
	$(foreach c,$(CRATES_ALONE),cargo clippy -p $(c) --features test-hooks --all-targets --locked -- -D warnings &&) true
	$(foreach f,$(CARGO_FEATURES),cargo clippy -p $(firstword $(subst :, ,$(f))) $(subst $(comma), ,$(lastword $(subst :, ,$(f)))) --all-targets --locked -- -D warnings &&) true
	# No cache: whether an import is first-party depends on files ruff does not lint (a
	# conftest.py at the root), so a cached verdict can be stale.
	$(PY) -m ruff check --no-cache
	$(PY) -m ruff format --check --no-cache
	$(PY) -m mypy $(foreach p,$(PACKAGES),$(p)/python) contract/src bench/src tools

fmt:
	cargo fmt --all
	$(PY) -m ruff format

header:
	COLLATZ_UPDATE_HEADER=1 cargo test --workspace --test header --locked

# The hatchling packages (contract, bench) carry copies of the licence texts, regenerated here
# from the root's (hatchling would ship a symlink as a dangling link); a test compares them.
licences:
	for package in contract bench; do cp LICENSE-MIT LICENSE-APACHE $$package/; done

clean:
	rm -rf .venv .venv-* target results dist
	rm -rf $(foreach package,$(PACKAGES),$(call in_tree,$(package)))
	rm -rf contract/dist bench/dist
