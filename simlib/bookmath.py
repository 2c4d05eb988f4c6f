"""Sphinx extension: typeset the book's formulas with a local copy of MathJax 3 (no CDN).

Sphinx loads MathJax from a CDN by default, so a book opened from ``file://`` without a network
shows raw TeX. This extension points ``mathjax_path`` at ``_static/mathjax/tex-chtml.js`` and,
after a successful build, copies into ``_static/mathjax`` the part of MathJax 3 the pages use:
the combined TeX-input/CommonHTML-output component, the CommonHTML fonts, and the TeX
extensions that MathJax's autoloader fetches on demand (about 2 MB of the distribution's 24 MB).

The files come from the PyPI package ``sphinx-mathjax-offline`` (MathJax 3.2.2, pinned in
requirements.txt). We use that package as a data source only: its own Sphinx hook copies all
24 MB into every build, and its folder name has a hyphen, so it cannot be imported normally.

Enabled in ``_config.yml`` (``sphinx: extra_extensions: [simlib.bookmath]``).
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from sphinx.util.fileutil import copy_asset

__all__ = ["MATHJAX_ENTRY", "mathjax_source", "setup"]

#: the MathJax entry point, relative to the build's _static folder
MATHJAX_ENTRY = "mathjax/tex-chtml.js"
#: the parts of the distribution that ``tex-chtml.js`` loads (relative to the MathJax folder)
_NEEDED = ("tex-chtml.js", "output/chtml", "input/tex/extensions")
_DISTRIBUTION = "sphinx-mathjax-offline"


def mathjax_source() -> Path:
    """The folder of the installed MathJax 3 distribution.

    Raises:
        RuntimeError: the package is missing or incomplete (names the fix).
    """
    try:
        dist = metadata.distribution(_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise RuntimeError(f"offline math needs the package {_DISTRIBUTION!r}: "
                           f"pip install -r requirements.txt") from None
    folder = Path(str(dist.locate_file("sphinx-mathjax-offline/static/mathjax")))
    missing = [part for part in _NEEDED if not (folder / part).exists()]
    if missing:
        raise RuntimeError(f"{_DISTRIBUTION} at {folder} lacks {', '.join(missing)}; reinstall it")
    return folder


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in _NEEDED:
        src = source / part
        dest = target / part
        if src.is_dir():
            copy_asset(str(src), str(dest))
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            copy_asset(str(src), str(dest.parent))


def _use_local_mathjax(app, config) -> None:
    mathjax_source()  # fail at the start of the build, not after executing every notebook
    config.mathjax_path = MATHJAX_ENTRY


def setup(app):
    app.connect("config-inited", _use_local_mathjax)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
