# The two commands a reader needs: `make book` and `make test`.
# Both create .venv on first use and re-install only when requirements.txt or pyproject.toml change.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# What to build and where (tests point these at a temporary book to prove failures fail).
BOOK_SRC ?= .
BOOK_OUT ?= .
# Budget for the book build: standard on a reader's machine; tests and CI use quick.
SIMLIB_BUDGET ?= standard
export SIMLIB_BUDGET

.PHONY: help book test lab demo clean check-python

help:
	@echo "make book   build the HTML book into _build/html, executing every notebook on this machine"
	@echo "make test   run the test suite (builds the whole book too, in the quick budget)"
	@echo "make lab    open JupyterLab on the repository"
	@echo "make demo   the live-demo dashboard (Voila) at http://127.0.0.1:$(DEMO_PORT)/ (DEMO_PORT=, DEMO_BUDGET=)"
	@echo "make clean  remove _build (and the notebook cache); 'make clean-venv' also removes .venv"

check-python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "error: '$(PYTHON)' was not found. Install Python 3.11 or newer (Debian/Ubuntu: apt install python3 python3-venv)," ; \
	  echo "       or point make at one: make book PYTHON=/path/to/python3.11"; exit 1; }
	@# Ask the interpreter its version; one that cannot start (a version manager's shim for a
	@# version that is not active, a broken install) is reported with its own error output.
	@out=$$($(PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>&1); rc=$$?; \
	if [ $$rc -ne 0 ] || ! printf '%s\n' "$$out" | grep -Eqx '[0-9]+\.[0-9]+\.[0-9]+'; then \
	  if [ $$rc -ne 0 ]; then echo "error: $(PYTHON) failed to start (exit status $$rc). It said:"; \
	  else echo "error: $(PYTHON) ran but did not answer like a Python interpreter. It said:"; fi; \
	  printf '%s\n' "$${out:-(no output)}" | tail -n 20 | sed 's/^/       | /'; \
	  echo "       If it is a version manager's shim (pyenv, asdf), activate that version or name the"; \
	  echo "       interpreter's own path: make book PYTHON=/path/to/bin/python3.11"; exit 1; fi; \
	case "$$out" in [0-2].*|3.[0-9].*|3.10.*) \
	  echo "error: $(PYTHON) is Python $$out; this book needs 3.11 or newer"; \
	  echo "       (requirements.txt pins sphinx-book-theme 1.3.0 and sphinx-design 0.8.0, which need 3.11)."; \
	  echo "       Install a newer Python and run: make book PYTHON=python3.11"; exit 1;; esac
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "error: $(PYTHON) has no working 'venv' module (with ensurepip)."; \
	  echo "       Debian/Ubuntu: sudo apt install python3-venv   (or python3.X-venv for your version)"; exit 1; }

$(STAMP): requirements.txt pyproject.toml tools/jupyterlab/overrides.json tools/torch-preflight
	@$(MAKE) --no-print-directory check-python
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# which torch build pip is about to take (PyPI's CUDA build is several GB), and the fix
	@$(BIN)/python tools/torch-preflight
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@# JupyterLab opens the book's MyST .md pages as notebooks (jupytext), not as text
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp tools/jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)

book: $(STAMP)
	$(BIN)/python -m simlib.bookbuild --source $(BOOK_SRC) --out $(BOOK_OUT)

test: $(STAMP)
	SIMLIB_BUDGET=quick $(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root,)

# The simulators' dashboard for a lecture (simlib/demo.py), served by Voila, offline.
DEMO_PORT ?= 8866
DEMO_BUDGET ?= quick
demo: $(STAMP)
	$(BIN)/python -m simlib.demo --port $(DEMO_PORT) --budget $(DEMO_BUDGET)

clean:
	rm -rf _build .jupyter_cache

clean-venv: clean
	rm -rf $(VENV)
