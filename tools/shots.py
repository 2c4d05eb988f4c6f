"""Screenshot built book pages with the system's Chromium (Playwright, nothing downloaded), offline.

Usage, from the repository root after ``make book`` (or ``tools/stress-build OUT``)::

    .venv/bin/python tools/shots.py _build/html OUT_DIR [PAGE_SUBSTRING ...]

Writes ``OUT_DIR/<page>__NN.png`` in 2,000-pixel slices (open them with an image viewer) and
prints, per page, its console errors and failed requests (a failed request from file:// means
the page depends on a CDN). Needs Chromium at /usr/bin/chromium (Debian/Ubuntu: apt-get install
chromium); never run ``playwright install``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

SLICE_PX = 2000
SKIP = ("genindex.html", "search.html", "index.html")


def pages(root: Path, wanted: list[str]) -> list[Path]:
    """The built pages under ``root`` whose path contains one of ``wanted`` (all when empty)."""
    return sorted(p for p in root.rglob("*.html")
                  if "_static" not in p.parts and p.name not in SKIP
                  and (not wanted or any(w in str(p) for w in wanted)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path, help="the built book's html folder (_build/html)")
    ap.add_argument("out", type=Path, help="folder that receives the PNG slices")
    ap.add_argument("wanted", nargs="*", help="only pages whose path contains one of these")
    args = ap.parse_args(argv)
    from PIL import Image
    from playwright.sync_api import sync_playwright

    root = args.html.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        for f in pages(root, args.wanted):
            page, errors, failed = ctx.new_page(), [], []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            page.on("requestfailed", lambda r, failed=failed: failed.append(r.url))
            page.goto(f.as_uri(), wait_until="load")
            page.wait_for_timeout(800)
            stem = str(f.relative_to(root)).replace("/", "__").removesuffix(".html")
            full = args.out / f"{stem}.png"
            page.screenshot(path=str(full), full_page=True)
            page.close()
            with Image.open(full) as im:
                width, height = im.size
                for i, top in enumerate(range(0, height, SLICE_PX)):
                    im.crop((0, top, width, min(height, top + SLICE_PX))).save(args.out / f"{stem}__{i:02d}.png")
            full.unlink()
            print(f"{f.relative_to(root)}: {height} px, console errors {len(errors)}, "
                  f"failed requests {len(failed)} {failed[:2]}"
                  + "".join(f"\n  console: {e[:300]}" for e in errors[:3]))
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
