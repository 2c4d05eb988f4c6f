"""The class gallery opens in a real browser from file://, offline: headless Chromium via Playwright
(``executable_path=/usr/bin/chromium``, every http(s) request aborted), as tests/test_browser.py does."""

from __future__ import annotations

import pytest

from tests.test_browser import CHROMIUM, _offline_page
from tests.test_store import _class_records

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs headless Chromium at /usr/bin/chromium "
                                       "(Debian/Ubuntu: apt-get install chromium)")


def test_gallery_renders_offline_from_file_url(tmp_path, monkeypatch):
    from simlib.store import ResultStore
    from simlib.store.bundled import reference_records
    from simlib.store.gallery import machine_key, write_gallery

    with ResultStore(tmp_path / "class.sqlite3") as st:
        recs = [st.get(st.keep(r)) for r in _class_records()]
    recs += reference_records()
    page_file = write_gallery(recs, tmp_path / "gallery" / "index.html", title="Class of 2026",
                              highlight=machine_key(recs[0]["system"]))
    with _offline_page(page_file.as_uri(), "table#machines tr.machine") as pg:
        rows = pg.locator("tr.machine")
        n_machines = rows.count()
        assert n_machines == 3  # two students' machines and the reference machine
        labels = rows.locator("td:first-child").all_inner_texts()
        assert any("NVIDIA Test GPU" in t for t in labels) and any("(you)" in t for t in labels)
        assert pg.locator("svg.strip").count() >= 4
        # every machine that has the CNN SingleStream latency is a visible point in that plot
        plot = pg.locator("svg.strip").nth(2)
        assert plot.locator("circle").count() == n_machines and plot.is_visible()
        box = plot.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 50
        assert "median" in pg.locator("p.spread").first.inner_text()
        pg.screenshot(path=str(tmp_path / "gallery.png"), full_page=True)
        assert pg.errors == [] and pg.blocked == []
