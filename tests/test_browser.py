"""The built book's self-checks work in a real browser, offline, from a file:// URL.

Headless Chromium (Debian package ``chromium``) driven by Playwright with ``executable_path``;
nothing is downloaded. Every request that is not file:// is aborted, so a page that needed a
CDN would fail here. The page is opened directly (the book's index.html is a redirect).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.book,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs headless Chromium at /usr/bin/chromium "
                              "(Debian/Ubuntu: apt-get install chromium)"),
]


def _minibook(src: Path, root: str, config: str = "") -> Path:
    """Build a one-page book whose root page is ``src/root.md``; return its html folder."""
    (src / "_config.yml").write_text("title: t\nexecute:\n  execute_notebooks: force\n"
                                     "  timeout: 120\nonly_build_toc_files: true\n" + config)
    (src / "_toc.yml").write_text(f"format: jb-book\nroot: {root}\n")
    jb = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jb), "build", str(src)], check=True, capture_output=True, timeout=600)
    return src / "_build" / "html"


def _shared_build(request) -> Path:
    """The shared book build's html folder (FixtureLookupError without it, or with
    SIMLIB_BROWSER_MINIBOOK=1, so that the caller builds a small book instead)."""
    if os.environ.get("SIMLIB_BROWSER_MINIBOOK"):
        raise pytest.FixtureLookupError("built_book", request, "SIMLIB_BROWSER_MINIBOOK")
    return Path(request.getfixturevalue("built_book"))


@contextlib.contextmanager
def _offline_page(url: str, ready: str):
    """A Chromium page opened at ``url`` with every http(s) request aborted (recorded in
    ``page.blocked``) and the page's own script errors in ``page.errors``; waits for ``ready``."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        blocked: list[str] = []

        def offline(route):
            blocked.append(route.request.url)
            route.abort()

        context.route("http*://**", offline)  # no network: a CDN dependency would break the page
        pg = context.new_page()
        errors: list[str] = []
        # errors of the page's own scripts; the theme's thebe loader is not ours to test
        pg.on("pageerror", lambda e: None if "THEBE" in str(e) else errors.append(str(e)))
        pg.goto(url)
        pg.wait_for_selector(ready, timeout=15_000)
        pg.errors, pg.blocked = errors, blocked
        yield pg
        browser.close()


@pytest.fixture(scope="session")
def exercises_page(request, tmp_path_factory) -> Path:
    """book/exercises.html of the shared book build, or of a one-page book built here
    (without the shared fixture, or with SIMLIB_BROWSER_MINIBOOK=1)."""
    try:
        html_dir = _shared_build(request)
    except pytest.FixtureLookupError:
        src = tmp_path_factory.mktemp("minibook")
        (src / "book").mkdir()
        shutil.copy(ROOT / "book" / "exercises.md", src / "book")
        html_dir = _minibook(src, "book/exercises")
    page = html_dir / "book" / "exercises.html"
    assert page.exists(), f"{page} was not built"
    return page


@pytest.fixture(scope="module")
def page(exercises_page, tmp_path_factory):
    with _offline_page(exercises_page.as_uri(), ".simlib-quiz .sq-question") as pg:
        pg.shots = tmp_path_factory.mktemp("shots")
        yield pg


@pytest.fixture(scope="session")
def math_page(request, tmp_path_factory) -> Path:
    """The inference chapter of the shared build (it has inline and display math), or a
    one-page book with the book's MathJax settings."""
    try:
        return _shared_build(request) / "chapters" / "01-inference-benchmarks.html"
    except pytest.FixtureLookupError:
        src = tmp_path_factory.mktemp("mathbook")
        (src / "index.md").write_text("# Math\n\nInline $\\rho/(1-\\rho)$ and\n\n"
                                      "$$\nW = \\frac{\\rho}{\\mu(1-\\rho)}, \\quad \\E[S]\n$$\n")
        return _minibook(src, "index", "sphinx:\n  extra_extensions: [simlib.bookmath]\n"
                                       "  config:\n    mathjax3_config:\n      tex:\n"
                                       "        macros:\n          E: \"\\\\mathbb{E}\"\n"
                                       "parse:\n  myst_enable_extensions: [dollarmath, amsmath]\n"
                         ) / "index.html"


def test_math_is_typeset_offline(math_page):
    """MathJax comes from the book's own _static folder: formulas typeset with no network."""
    assert "cdn.jsdelivr" not in math_page.read_text(encoding="utf-8")
    with _offline_page(math_page.as_uri(), "mjx-container") as pg:
        pg.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        pg.evaluate("() => MathJax.startup.promise")
        assert pg.locator("mjx-container").count() >= 2
        assert pg.locator("mjx-merror").count() == 0, "a formula failed to typeset"
        assert not [u for u in pg.blocked if "mathjax" in u.lower()]
        assert "\\rho" not in pg.locator("article").inner_text(), "raw TeX left on the page"


def q(page, qid: str):
    return page.locator(f'.sq-question[data-qid="{qid}"]').first


def state(box, expected: str) -> None:
    """Wait (briefly) until the question shows the verdict ``expected``."""
    from playwright.sync_api import expect

    expect(box).to_have_attribute("data-state", expected, timeout=3000)


def feedback_text(box) -> str:
    return " ".join(box.locator(".Feedback, .sq-feedback").all_inner_texts())


def test_page_renders_every_type_without_errors(page):
    types = set(page.eval_on_selector_all(".sq-question", "els => els.map(e => e.dataset.type)"))
    assert types == {"choice", "truefalse", "numeric", "fill", "ordering", "short"}
    assert page.errors == []


def test_single_choice_wrong_then_right(page):
    box = q(page, "proxy-dimension")
    box.locator("label.MCButton", has_text="System benchmarking").click()
    assert "latency target is met" in feedback_text(box)
    state(box, "incorrect")
    box.locator("label.MCButton", has_text="Data benchmarking").click()
    state(box, "correct")
    assert "distribution" in box.locator(".sq-explanation").inner_text()


def test_many_choice(page):
    box = q(page, "honest-report")
    for text in ("number of samples", "batch size", "description of the machine"):
        box.locator("label.MCButton", has_text=text).click()
    state(box, "correct")


def test_true_false(page):
    box = q(page, "kernel-speedup")
    box.locator("label.MCButton", has_text="True").click()
    state(box, "incorrect")
    box.locator("label.MCButton", has_text="False").click()
    state(box, "correct")


def test_parameterized_numeric_uses_the_variant_shown(page):
    box = q(page, "littles-law")
    nums = [float(x) for x in __import__("re").findall(r"\d+(?:\.\d+)?", box.locator(".sq-prompt").inner_text())]
    rate, latency_ms = nums[0], nums[1]
    inp = box.locator("input.Input-text")
    inp.fill(str(rate * latency_ms / 1000 * 2))
    inp.press("Enter")
    assert "Too high" in feedback_text(box)
    state(box, "incorrect")
    inp.fill(str(rate * latency_ms / 1000))
    inp.press("Enter")
    state(box, "correct")
    assert "Little" in box.locator(".sq-explanation").inner_text()


def test_fill_in_is_case_and_space_tolerant(page):
    box = q(page, "proxy-word")
    box.locator("input.sq-input").fill("ground truth")
    box.locator("button.sq-btn").click()
    state(box, "incorrect")
    box.locator("input.sq-input").fill("  A   Proxy ")
    box.locator("button.sq-btn").click()
    state(box, "correct")


def test_ordering(page):
    box = q(page, "benchmark-scopes")
    box.locator("button.sq-btn").click()
    state(box, "incorrect")
    items = page.evaluate("""() => { const b = document.querySelector('[data-qid="benchmark-scopes"]');
        return Array.from(b.querySelectorAll('.sq-item')).map(li => Number(li.dataset.item)); }""")
    for target in range(len(items)):  # selection sort with the arrow buttons
        pos = items.index(target)
        while pos > target:
            box.locator(".sq-item").nth(pos).locator("button.sq-move").first.click()
            items[pos - 1], items[pos] = items[pos], items[pos - 1]
            pos -= 1
    box.locator("button.sq-btn", has_text="Check order").click()
    state(box, "correct")


def test_short_answer_self_assessment(page):
    box = q(page, "single-run")
    box.locator("textarea").fill("Runs vary with clock boost; one run is one sample.")
    box.locator("button.sq-btn", has_text="Compare").click()
    assert "Model answer" in box.locator(".sq-model").inner_text()
    box.locator(".sq-rubric input").first.check()
    box.locator("button.sq-btn", has_text="Record").click()
    assert "1 of 3" in feedback_text(box)


def test_measured_question_and_progress(page):
    box = q(page, "tail-ratio")
    assert "µs" in box.locator(".sq-prompt").inner_text()
    progress = page.evaluate("() => JSON.parse(localStorage.getItem('simlib.progress.howto'))")
    assert progress["proxy-dimension"]["attempts"] == 2
    assert progress["proxy-dimension"]["first_score"] == 0 and progress["proxy-dimension"]["solved"]
    assert "answered" in page.locator(".sq-summary").first.inner_text()
    page.screenshot(path=str(page.shots / "exercises.png"), full_page=True)
    assert page.errors == []
