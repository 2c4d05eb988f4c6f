"""README.md and CONTRIBUTING.md point only at things inside the repository: every relative link
(and its #anchor) and every file path they name in code exists here, so the guides cannot send a
reader to files outside the repository again."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pytest

from tests.conftest import REPO

GUIDES = ("README.md", "CONTRIBUTING.md")
# Made by `make` or by a run, never committed: a path under one of these is not looked up.
GENERATED = {"_build", ".venv", ".jupyter_cache", ".pytest_cache"}
# Decided in issue 14 and being built on other branches now: named by the guide in its decided
# form, allowed to be missing until they land on main. Delete an entry once its file exists.
PLANNED = {
    "simlib/protocol.py": "the one result protocol (results stream)",
    "tests/test_protocol.py": "the result protocol's test (results stream)",
    "simlib/queueing/sut.py": "the simulator as a system under test (integrator)",
    "tests/test_layers.py": "the import-layer test (checks stream)",
    "tests/test_validation.py": "the walk over declared constraints (checks stream)",
    "benchmarks/bench_cli.py": "the time of simlib --help against python -c pass (cli stream)",
}
EXTENSIONS = (".py", ".md", ".yml", ".yaml", ".toml", ".txt", ".ipynb", ".bib", ".json", ".cfg",
              ".sh", ".js", ".css")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
HEADING = re.compile(r"^#{1,6} (.+?)\s*#*$", re.M)


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {slug(h) for h in HEADING.findall(text)}


def looks_like_path(token: str) -> bool:
    if "://" in token or token.startswith("-") or "=" in token or token.startswith(("/", "~", "$")):
        return False
    if any(c in token for c in "<>*{}()[]|\"',"):
        return False  # a pattern or a placeholder (labs/<lab>/source.md), or code, not a path
    return "/" in token or token.endswith(EXTENSIONS) or ".py::" in token or token == "Makefile"


def named_paths(text: str) -> set[str]:
    """Paths named in inline code and in fenced blocks (whitespace-separated tokens)."""
    fenced = FENCE.findall(text)
    spans = CODE_SPAN.findall(FENCE.sub("", text))
    tokens = [t.rstrip(".,;:") for chunk in (*spans, *fenced) for t in chunk.split()]
    return {t for t in tokens if looks_like_path(t)}


@functools.cache
def repo_files() -> tuple[Path, ...]:
    """Every file of the checkout, outside generated folders and .git."""
    out = []
    for folder, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in GENERATED and d != ".git"]
        out += [Path(folder) / f for f in files]
    return tuple(out)


def problem(path: str) -> str | None:
    """Why ``path`` (as a guide names it, relative to the repository root) is not here, or None."""
    if path.startswith("../") or "/../" in path:
        return "points outside the repository"
    file, _, test = path.partition("::")
    file = re.sub(r":\d+$", "", file)  # file.py:123, a line reference
    first = file.split("/")[0]
    if first in GENERATED or ("/" in file and re.fullmatch(r"[A-Z][A-Z0-9_]*", first)):
        return None  # made by a run, or a placeholder folder the reader names (OUT_DIR/...)
    target = REPO / file
    if not target.exists() and "/" not in file:  # named by its bare name (conftest.py)
        target = next(iter(sorted(f for f in repo_files() if f.name == file)), target)
    if not target.exists():
        return None if file.rstrip("/") in PLANNED else "does not exist in the repository"
    if test and not re.search(rf"^\s*def {re.escape(test.split('[')[0])}\(", target.read_text(), re.M):
        return f"{file} has no test {test}"
    return None


@pytest.mark.parametrize("guide", GUIDES)
def test_relative_links_and_anchors_exist(guide):
    text = (REPO / guide).read_text()
    bad = []
    for target in LINK.findall(FENCE.sub("", text)):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        path = (REPO / guide).parent / file if file else REPO / guide
        if not path.resolve().is_relative_to(REPO):
            bad.append(f"{target}: points outside the repository")
        elif not path.exists():
            bad.append(f"{target}: {file} does not exist")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            bad.append(f"{target}: {file or guide} has no heading with anchor #{anchor}")
    assert not bad, f"{guide}:\n" + "\n".join(bad)


@pytest.mark.parametrize("guide", GUIDES)
def test_every_file_path_named_exists(guide):
    paths = named_paths((REPO / guide).read_text())
    assert paths, f"{guide} names no paths: the extraction is broken"
    bad = sorted(f"{p}: {why}" for p in paths if (why := problem(p)))
    assert not bad, f"{guide} names paths that are not in the repository:\n" + "\n".join(bad)


def test_the_checks_catch_what_they_are_for():
    text = ("See `../shared/DESIGN.md`, `simlib/nowhere.py`, `tests/test_template.py::test_nothing`"
            " and `simlib/claims.py:40`, `labs/<lab>/source.md`, `.venv/bin/python`, `OUT_DIR/x.md`.\n"
            "```\nchapters/          one notebook per chapter\n```\n")
    found = named_paths(text)
    assert found == {"../shared/DESIGN.md", "simlib/nowhere.py", "tests/test_template.py::test_nothing",
                     "simlib/claims.py:40", ".venv/bin/python", "OUT_DIR/x.md", "chapters/"}
    assert problem("../shared/DESIGN.md") == "points outside the repository"
    assert problem("simlib/nowhere.py") == "does not exist in the repository"
    assert "has no test" in problem("tests/test_template.py::test_nothing")
    assert problem("simlib/claims.py:40") is None and problem(".venv/bin/python") is None
    assert problem("OUT_DIR/x.md") is None and problem("README.md") is None
    assert problem("NOTES.md") == "does not exist in the repository"
    assert problem("test_template.py::test_every_code_cell_compiles") is None
    assert "has no test" in problem("test_template.py::test_nothing")
    assert slug("Supported Pythons (measured)") == "supported-pythons-measured"
    assert slug("The `simlib` command line") == "the-simlib-command-line"
