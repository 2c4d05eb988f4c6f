"""The import graph of simlib follows the layers its package docstring writes down.

Every module's imports are read with :mod:`ast`, lazy imports inside functions included; an
import from a higher layer fails, naming the file, the line and both layers.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import simlib

PKG = Path(simlib.__file__).parent
ROW = re.compile(r"^\s*layer (\d+) (\w+): (.+)$")

# Imports from a higher layer that wait for their owner's change. Each entry must still occur
# (test_known_exceptions_still_exist), so the list can only shrink.
KNOWN = {
    # Result.save() / Comparison.save() with no path keep the result in the store (stream A's
    # result classes): the store layer sits above measure.
    ("simlib/measure/result.py", "store"),
    ("simlib/measure/compare.py", "store"),
}


def layers() -> dict[str, tuple[int, str]]:
    """{unit: (layer number, layer name)} from simlib's docstring."""
    out: dict[str, tuple[int, str]] = {}
    for line in (simlib.__doc__ or "").splitlines():
        m = ROW.match(line)
        if m:
            for unit in m.group(3).split(","):
                assert unit.strip() not in out, f"{unit.strip()} is in two layers"
                out[unit.strip()] = (int(m.group(1)), m.group(2))
    return out


def unit_of(module: str) -> str:
    """The top-level unit of a dotted module name: simlib.queueing.engine -> queueing."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "simlib"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(dotted: str) -> bool:
    rel = Path(*dotted.split("."))
    return (PKG.parent / rel).with_suffix(".py").exists() or (PKG.parent / rel / "__init__.py").exists()


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported simlib module) for every import in ``path``, at any depth."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from simlib import stats` imports the submodule simlib.stats
            subs = [f"{module}.{a.name}" for a in node.names if is_module(f"{module}.{a.name}")]
            out += [(node.lineno, m) for m in subs] or [(node.lineno, module)]
    return [(line, m) for line, m in out if m == "simlib" or m.startswith("simlib.")]


FILES = sorted(PKG.rglob("*.py"))


def upward_imports() -> list[tuple[str, int, str, str, str]]:
    """(file, line, imported module, importer's layer, imported layer) for each violation."""
    table = layers()
    bad = []
    for path in FILES:
        src = unit_of(module_name(path))
        for line, mod in imports(path):
            dst = unit_of(mod)
            if table[dst][0] > table[src][0]:
                bad.append((str(path.relative_to(PKG.parent)), line, mod,
                            f"{src} ({table[src][1]})", f"{dst} ({table[dst][1]})"))
    return bad


def test_every_unit_has_a_layer():
    table = layers()
    assert set(table) >= {"_validate", "hardware", "measure", "bookbuild"}, "the layer table did not parse"
    units = {unit_of(module_name(p)) for p in FILES}
    assert not units - set(table), f"add these to a layer in simlib/__init__.py: {sorted(units - set(table))}"
    assert not set(table) - units, f"layers name modules that do not exist: {sorted(set(table) - units)}"


def test_no_import_from_a_higher_layer():
    bad = [b for b in upward_imports() if (b[0], unit_of(b[2])) not in KNOWN]
    assert not bad, "imports from a higher layer:\n" + "\n".join(
        f"  {f}:{line} imports {mod}: {a} may not import {b}" for f, line, mod, a, b in bad)


def test_known_exceptions_still_exist():
    found = {(b[0], unit_of(b[2])) for b in upward_imports()}
    assert KNOWN <= found, f"no longer needed, remove from KNOWN: {sorted(KNOWN - found)}"


@pytest.mark.parametrize("source, expected", [
    ("import simlib.measure.roofline\n", ["simlib.measure.roofline"]),
    ("def f():\n    from simlib.measure import roofline\n", ["simlib.measure.roofline"]),
    ("from simlib import __version__\n", ["simlib"]),
    ("from . import catalog\n", ["simlib.hardware.catalog"]),
    ("import numpy\n", []),
])
def test_the_reader_sees_every_kind_of_import(monkeypatch, source, expected):
    """The checker itself can fail: lazy, relative and package imports are all read."""
    fake = PKG / "hardware" / "_layers_probe.py"
    real = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: source if self == fake else real(self, *a, **k))
    assert [m for _, m in imports(fake)] == expected


def test_an_upward_import_is_caught(monkeypatch):
    """A lazy import of the roofline layer from hardware (issue 14's case) is reported."""
    probe = PKG / "hardware" / "catalog.py"
    real = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: real(self, *a, **k) + (
        "\n\ndef _probe():\n    from simlib.measure.roofline import measure_roofline\n" if self == probe else ""))
    bad = upward_imports()
    assert any(f == "simlib/hardware/catalog.py" and m == "simlib.measure.roofline" for f, _, m, _, _ in bad)
