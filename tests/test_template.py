"""The chapter template (chapters/_template.md): a valid MyST notebook with every part a chapter
needs, code that compiles, questions that exist in its bank, and never a page of the book."""

from __future__ import annotations

import importlib.util
import re
import shutil

import jupytext
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager

from simlib.exercises import load_bank
from tests.conftest import REPO, write_notebook

TEMPLATE = REPO / "chapters" / "_template.md"
QUOTED = re.compile(r"""\{eval\}`live\[["']([A-Za-z_]\w*)(?::[^"'\]]*)?["']\]`""")  # in the prose
STORED_MANY = re.compile(r"""^\s*((?:live\[["']\w+["']\],\s*)+live\[["']\w+["']\])\s*=""", re.M)


@pytest.fixture(scope="module")
def nb():
    return jupytext.read(TEMPLATE)


def cells(nb, kind: str) -> list:
    return [c for c in nb.cells if c.cell_type == kind]


def code(nb) -> str:
    return "\n".join(c.source for c in cells(nb, "code"))


def prose(source: str) -> str:
    """A Markdown cell without its MyST comments (lines starting with %), which never render."""
    return "\n".join(line for line in source.splitlines() if not line.startswith("%"))


def markdown(nb) -> str:
    return "\n".join(prose(c.source) for c in cells(nb, "markdown"))


def test_template_is_a_myst_notebook_like_the_chapters(nb):
    chapter = jupytext.read(REPO / "chapters" / "01-inference-benchmarks.md")
    assert nb.metadata["kernelspec"] == chapter.metadata["kernelspec"]
    assert nb.metadata["jupytext"]["text_representation"]["format_name"] == "myst"
    assert len(cells(nb, "code")) >= 6


def test_every_code_cell_compiles(nb):
    to_python = TransformerManager()  # IPython magics (%matplotlib inline) become calls
    for i, cell in enumerate(cells(nb, "code")):
        compile(to_python.transform_cell(cell.source), f"{TEMPLATE.name}, code cell {i + 1}", "exec")


def test_template_has_the_parts_every_chapter_needs(nb):
    md, py = markdown(nb), code(nb)
    headings = re.findall(r"^(#{1,3}) (.+)$", md, flags=re.M)
    assert [h for level, h in headings if level == "#"], "a title"
    assert "Learning objectives" in md and re.search(r"^- ", md, flags=re.M), "objectives, as a list"
    assert "system_description()" in py, "the system description the page ran on"
    assert "budget.current()" in py, "the budget the page ran in"
    assert "LiveNumbers()" in py and "{eval}`live[" in md, "numbers in the prose come from the page"
    assert re.search(r"\bmeasure\(", py) and "MEASURED" in py, "a measured cell"
    assert re.search(r"\bsimulate\(", py) and "MODELED" in py, "a modeled cell beside it"
    assert re.search(r"\bclaims\.\w+\(", py), "a claim chosen by the results (simlib.claims)"
    assert re.search(r"from simlib\.[\w.]+\.plot import", py), "a figure from a plotting helper"
    assert "show_section(CHAPTER" in py, "self-checks at the end of the section"
    assert ("##", "Summary") in headings and ("##", "Lab") in headings
    assert "summary(CHAPTER)" in py, "the reader's progress at the end"


def stored(source: str) -> set[str]:
    """Names a code cell stores in ``live`` (``live["a"] = ...``, ``live["a"], live["b"] = ...``)."""
    names = set(re.findall(r"""\blive\[["'](\w+)["']\]\s*=(?!=)""", source))
    for targets in STORED_MANY.findall(source):
        names |= set(re.findall(r"""live\[["'](\w+)["']\]""", targets))
    return names


def test_every_quoted_number_is_computed_before_the_prose_that_reads_it(nb):
    """The page runs inline: a Markdown cell's {eval} roles read ``live`` when the cell is
    reached, so every name must be stored by a code cell above it."""
    known, quoted = set(), set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            known |= stored(cell.source)
            continue
        used = set(QUOTED.findall(prose(cell.source)))
        assert used <= known, f"read before any cell computed it: {sorted(used - known)}"
        quoted |= used
    assert quoted, "the prose quotes computed numbers"
    assert nb.metadata["mystnb"]["execution_mode"] == "inline"


def test_cells_computing_for_the_prose_are_not_removed_cells(nb):
    """myst-nb's inline mode runs a ``remove-cell`` cell only when the next shown cell runs, too
    late for the prose between them: such cells are tagged remove-input and remove-output."""
    for cell in cells(nb, "code"):
        if stored(cell.source):
            assert "remove-cell" not in cell.metadata.get("tags", []), cell.source[:200]


def test_self_checks_exist_in_the_templates_bank(nb):
    py = code(nb)
    chapter = re.search(r"""^CHAPTER = ["'](\w+)["']""", py, flags=re.M).group(1)
    bank = load_bank(chapter)
    for qid in re.findall(r"""\bshow\(CHAPTER, ["']([\w-]+)["']""", py):
        bank.get(qid)  # raises naming the question when it is missing
    sections = re.findall(r"""show_section\(CHAPTER, ["']([\w-]+)["']""", py)
    assert sections and all(bank.section(s) for s in sections)


def test_lab_link_points_to_a_lab_in_the_repository(nb):
    targets = re.findall(r"\{doc\}`([^`]+)`", markdown(nb))
    labs = [t for t in targets if "labs/" in t]
    assert labs, "a link to the chapter's lab"
    for t in labs:
        assert (TEMPLATE.parent / f"{t}.ipynb").resolve().is_file(), t


def test_template_is_not_a_page_of_the_book():
    from sphinx.util.matching import Matcher

    config = yaml.safe_load((REPO / "_config.yml").read_text())
    assert Matcher(config["exclude_patterns"])("chapters/_template.md")
    assert "_template" not in (REPO / "_toc.yml").read_text()


@pytest.mark.book
def test_book_build_neither_executes_nor_warns_about_the_template(mini_book):
    """The real _config.yml, a one-page book, and the template beside it: the build (which turns
    every warning into an error) succeeds, and the template is neither a page nor executed."""
    from simlib.bookbuild import build

    (mini_book / "chapters").mkdir()
    shutil.copy(TEMPLATE, mini_book / "chapters" / "_template.md")
    write_notebook(mini_book / "page.md", "print('the page ran')")
    res = build(mini_book, echo=False)
    assert res.ok, res.log[-3000:]
    assert not list(res.html_dir.rglob("_template*")), "the template was built"
    assert "_template" not in res.log


@pytest.mark.slow
@pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in ("simlib.protocol", "simlib.prose")),
                    reason="the template reads result.summary as the one result protocol's dict "
                           "(simlib/protocol.py) and writes its numbers with simlib.prose, which "
                           "this tree does not have yet")
def test_template_executes_in_the_quick_budget(nb, tmp_path, monkeypatch):
    """What a contributor copies runs: every cell executes (a real measurement and simulation)."""
    from nbclient import NotebookClient

    monkeypatch.setenv("SIMLIB_BUDGET", "quick")
    run = jupytext.read(TEMPLATE)
    NotebookClient(run, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    glued = {o["metadata"]["scrapbook"]["name"]: o["data"]["application/papermill.record/text/plain"]
             for c in cells(run, "code") for o in c.outputs
             if "scrapbook" in o.get("metadata", {})}
    assert set(QUOTED.findall(markdown(nb))) <= set(glued)  # LiveNumbers glues every value
    assert re.fullmatch(r"'(grew|fell) by a factor of [\d.]+'|'stayed within run-to-run noise'",
                        glued["wait_claim"])
