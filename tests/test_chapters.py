"""Every chapter in the book meets the mechanical part of CHAPTER-STANDARD.md.

The template's own checks (tests/test_template.py) hold for every chapter listed in _toc.yml:
a MyST notebook, code that compiles, objectives, a summary and a lab link, the
system description and budget, prose numbers stored before they are read, claims chosen by
results, MEASURED and MODELED labels; and a question bank of at least 18 self-checks of at
least five types, four numeric ones with per-reader parameters and two fed the reader's own
numbers, every bank section shown on the page. What a reader must judge (original prose, the
coverage of the source) is in each chapter's closing note, not here.
"""

from __future__ import annotations

import re
from collections import Counter

import jupytext
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager

from simlib.exercises import load_bank
from simlib.exercises.questions import Numeric
from tests.conftest import REPO
from tests.test_template import QUOTED, cells, code, markdown, prose, stored


def _toc_files(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["file"]] if "file" in node else []
        return own + [f for v in node.values() for f in _toc_files(v)]
    if isinstance(node, list):
        return [f for v in node for f in _toc_files(v)]
    return []


CHAPTERS = [f for f in _toc_files(yaml.safe_load((REPO / "_toc.yml").read_text()))
            if f.startswith("chapters/")]


@pytest.fixture(scope="module", params=CHAPTERS)
def chapter(request):
    path = REPO / f"{request.param}.md"
    return path, jupytext.read(path)


def _bank_id(nb) -> str:
    found = re.search(r"""^CHAPTER = ["'](\w+)["']""", code(nb), flags=re.M)
    assert found, "the helpers cell sets CHAPTER to the bank's id"
    return found.group(1)


def test_chapters_are_listed_in_the_book():
    assert "chapters/01-inference-benchmarks" in CHAPTERS
    on_disk = {f"chapters/{p.stem}" for p in (REPO / "chapters").glob("[0-9]*.md")}
    assert on_disk == set(CHAPTERS), "every chapter file is in _toc.yml, and only those"


def _inline(nb) -> bool:
    return nb.metadata.get("mystnb", {}).get("execution_mode") == "inline"


def _stored(source: str) -> set[str]:
    """Names a cell stores for the prose: ``live["a"] = ...`` or the chapters' ``g("a", ...)``;
    a name built in a loop (``g(f"rho_{k}", ...)``) counts as its prefix followed by ``*``."""
    names = stored(source) | set(re.findall(r"""\bg\(["'](\w+)["'],""", source))
    prefixes = re.findall(r"""(?:\bg\(|\blive\[)f["'](\w*)\{""", source)
    return names | {f"{p}*" for p in prefixes}


def _known(name: str, known: set[str]) -> bool:
    return name in known or any(k.endswith("*") and name.startswith(k[:-1]) for k in known)


def test_is_a_myst_notebook(chapter):
    path, nb = chapter
    assert nb.metadata["kernelspec"]["name"] == "python3", path.name
    assert nb.metadata["jupytext"]["text_representation"]["format_name"] == "myst", path.name


def test_every_code_cell_compiles(chapter):
    path, nb = chapter
    to_python = TransformerManager()
    for i, cell in enumerate(cells(nb, "code")):
        compile(to_python.transform_cell(cell.source), f"{path.name}, code cell {i + 1}", "exec")


def test_has_the_parts_of_a_chapter(chapter):
    path, nb = chapter
    md, py = markdown(nb), code(nb)
    headings = re.findall(r"^(#{1,3}) (.+)$", md, flags=re.M)
    assert [h for level, h in headings if level == "#"], f"{path.name}: a title"
    assert re.search(r"Learning objectives", md, flags=re.I), f"{path.name}: learning objectives"
    assert "system_description()" in py, f"{path.name}: the system description the page ran on"
    assert "budget.current()" in py or "budget import current" in py, f"{path.name}: the budget"
    assert "LiveNumbers()" in py and "{eval}`live[" in md, f"{path.name}: live numbers in the prose"
    assert re.search(r"\bclaims\.\w+\(|from simlib\.claims import", py), f"{path.name}: computed claims"
    assert "MEASURED" in md + py and "MODELED" in md + py, f"{path.name}: labeled results"
    assert "{cite}" in md, f"{path.name}: cites its sources"
    titles = {h.strip().lower() for level, h in headings if level == "##"}
    assert any(t.startswith("summary") for t in titles), f"{path.name}: a summary section"
    assert any(t.startswith("lab") for t in titles), f"{path.name}: a lab section"
    assert "summary(CHAPTER)" in py, f"{path.name}: the reader's progress at the end"


def test_quoted_numbers_are_computed_before_the_prose_reads_them(chapter):
    path, nb = chapter
    known: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            known |= _stored(cell.source)
            if _stored(cell.source) and _inline(nb):  # inline mode runs a removed cell too late
                assert "remove-cell" not in cell.metadata.get("tags", []), cell.source[:200]
            continue
        unknown = sorted(n for n in QUOTED.findall(prose(cell.source)) if not _known(n, known))
        assert not unknown, f"{path.name}: read before any cell computed it: {unknown}"


def test_lab_link_points_to_a_lab_in_the_book(chapter):
    path, nb = chapter
    labs = [t for t in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", markdown(nb)) if "labs/" in t]
    assert labs, f"{path.name}: a link to the chapter's lab"
    for t in labs:
        assert (path.parent / f"{t}.ipynb").resolve().is_file(), t


def test_question_bank_meets_the_standard(chapter):
    path, nb = chapter
    py = code(nb)
    bank = load_bank(_bank_id(nb))
    questions = list(bank)
    types = Counter(q.type for q in questions)
    assert len(questions) >= 18, f"{path.name}: {len(questions)} self-checks, the standard asks 18"
    assert len(types) >= 5, f"{path.name}: types {dict(types)}, the standard asks five of six"
    per_reader = [q for q in questions if isinstance(q, Numeric) and q.parameterized]
    assert len(per_reader) >= 4, f"{path.name}: {len(per_reader)} numeric questions with per-reader params"
    fed = re.findall(r"""\bshow\(CHAPTER,\s*["']([\w-]+)["'],\s*params=""", py)
    assert len(fed) >= 2, f"{path.name}: {len(fed)} questions fed the reader's own numbers, the standard asks 2"
    shown_ids = set(re.findall(r"""\bshow\(CHAPTER,\s*["']([\w-]+)["']""", py))
    for qid in shown_ids:
        bank.get(qid)  # raises naming the question when it is missing
    shown_sections = set(re.findall(r"""show_section\(CHAPTER,\s*["']([\w-]+)["']""", py))
    for section in {q.section for q in questions}:
        in_section = {q.id for q in bank.section(section)}
        assert section in shown_sections or in_section <= shown_ids, \
            f"{path.name}: bank section {section!r} is never shown on the page"
