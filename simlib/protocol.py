"""The one result protocol: what every simlib result carries, in one place.

Every object simlib returns as a *result* (a measurement, a model's output, or a comparison of
the two) follows :class:`ResultLike`, so a reader, a chapter, the CLI and the result store can
treat all of them the same way:

``kind``
    ``"measured"`` (timed on this machine), ``"modeled"`` (computed by a model) or
    ``"comparison"`` (measured and modeled side by side). A model's output is never labeled
    measured.
``settings``
    ``{"requested": {...}, "effective": {...}}``: what the caller asked for and what was used
    (budget defaults filled in, values clamped), as in MLPerf LoadGen's ``requested_*`` /
    ``effective_*`` log.
``warnings``
    ``list[str]`` (a tuple in a frozen result): what to distrust about this result and what to
    do about it.
``samples_s``
    Raw per-request (per-call) samples in seconds, in time order, where the result has any.
``summary``
    ONE property (not a method) returning a FLAT dict of headline numbers in SI units, the unit
    in the key name. The key names are shared by every result type:

    ============================  ===================================================
    ``p50_s`` ``p90_s`` ``p99_s``  latency percentiles (s), LoadGen's rule
    ``p999_s`` ``mean_s``          p99.9 and mean latency (s)
    ``p99_ci_s``                   ``[low, high]``: 95% interval of p99 (s); likewise
                                   ``p50_ci_s``, ``mean_ci_s``, ...
    ``n``                          samples the statistics come from
    ``throughput_qps``             achieved throughput (queries or inferences per s)
    ``qps``                        offered arrival rate (queries/s)
    ``energy_j`` ``power_w``       energy (J), power (W)
    ``*_c`` ``*_hz``               temperature (deg C), frequency (Hz)
    ``*_bytes`` ``*_flops``        sizes and work; ``*_per_s`` for rates of them
    ============================  ===================================================

    Dimensionless values end in ``_fraction``, ``_ratio``, ``_count`` or ``_ess`` (effective
    sample size), or are one of :data:`DIMENSIONLESS_KEYS` (``n``, ``cv``, ``utilization``,
    ``ci_method``, ``verdict``, ...). Values are numbers, None, bools, short strings, or a
    ``[low, high]`` pair for ``*_ci_*`` keys: no nested dicts. Milliseconds appear only where a
    human reads them (``table()``, CLI flags), never in ``summary``.
``table()``
    Text (a ``str``): the result as a person reads it, warnings last. A table that shows a
    latency verdict (VALID/INVALID, met/missed) states the bound it was judged against.
``headline()``
    One line: the result's main number(s) and its kind.
``to_dict()``
    Strict JSON (RFC 8259: no NaN or Infinity; :mod:`simlib.strictjson`), with at least
    ``result_type``, ``kind``, ``settings``, ``warnings`` and ``summary``.
``_repr_html_()``
    HTML for notebooks; ``__repr__`` is the text table.

How to add a result type: inherit :class:`ResultDisplay`; give the class ``kind``,
``settings`` (:func:`given_settings` when the inputs are used exactly as given), ``warnings``
and a ``summary`` property with the keys above; write its readable rows once in ``_rows()``
(``[(label, text), ...]``). ``table()``, ``__repr__``, ``_repr_html_``, ``headline()`` and
``to_dict()`` follow. Optional hooks: ``_payload()`` adds the type's own fields to
``to_dict()``, ``_details()`` adds a per-load table under the rows, ``_all_warnings()`` adds
derived warnings, ``NON_FINITE_REASONS`` says why a value can be null; a type with a columned
table may override ``table()`` (the HTML then shows that text, the headline its first line).
Then add one small instance to ``CHECKED`` in ``tests/test_protocol.py``: that test finds every
class in simlib that looks like a result and fails on one it does not check with
:func:`conforms`.

>>> class Demo(ResultDisplay):
...     kind, warnings = "modeled", []
...     settings = {"requested": {"qps": 5.0}, "effective": {"qps": 5.0}}
...     @property
...     def summary(self):
...         return {"p99_s": 0.012, "n": 100}
...     def _rows(self):
...         return [("p99 latency", "12 ms")]
>>> conforms(Demo())
[]
>>> print(Demo().headline())
Demo (MODELED): p99 latency 12 ms
"""

from __future__ import annotations

import html
import json
import numbers
from typing import Any, Protocol, runtime_checkable

from simlib import strictjson

__all__ = ["DIMENSIONLESS_KEYS", "KINDS", "UNIT_SUFFIXES", "ResultDisplay", "ResultLike", "conforms", "given_settings",
           "strict_dict", "summary_key_problem"]

KINDS = ("measured", "modeled", "comparison")

#: Key endings that name an SI unit (the longest matching one applies).
UNIT_SUFFIXES = ("_s", "_qps", "_j", "_w", "_c", "_hz", "_bytes", "_flops", "_per_s", "_per_byte",
                 "_per_j", "_per_w")
#: Key endings of dimensionless numbers.
DIMENSIONLESS_SUFFIXES = ("_fraction", "_ratio", "_count", "_ess", "_cv")
#: Whole keys that are dimensionless, counts or labels.
DIMENSIONLESS_KEYS = frozenset({
    "n", "cv", "ess", "utilization", "ci_method", "verdict", "valid", "bound", "scenario", "dropped",
    "late", "warmup_discarded", "batch", "percentile", "saturated", "trials", "loads"})


@runtime_checkable
class ResultLike(Protocol):
    """The members every result has (see the module docstring for their meaning)."""

    kind: str
    settings: dict[str, Any]
    warnings: list[str]

    @property
    def summary(self) -> dict[str, Any]: ...

    def table(self) -> str: ...

    def headline(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...

    def _repr_html_(self) -> str: ...


def strict_dict(d: dict[str, Any], reasons: dict[str, str] | None = None) -> dict[str, Any]:
    """``d`` as strict JSON data: numpy values become Python ones, NaN/Infinity become None and
    are explained under ``"non_finite"`` (:func:`simlib.strictjson.dumps`; ``reasons`` maps a key
    name to why its value can be missing)."""
    return json.loads(strictjson.dumps(d, reasons))


def given_settings(**settings: Any) -> dict[str, Any]:
    """``settings`` of a result whose inputs were used exactly as given: requested == effective."""
    return {"requested": settings, "effective": dict(settings)}


class ResultDisplay:
    """Mixin: ``table()``, ``__repr__``, ``_repr_html_``, ``headline()`` and ``to_dict()`` from
    one hook, ``_rows() -> [(label, text), ...]``. Subclasses give ``kind``, ``settings``,
    ``warnings`` and ``summary``; ``_all_warnings()`` may add derived warnings, and
    ``NON_FINITE_REASONS`` says why a key of ``to_dict()`` can be null."""

    NON_FINITE_REASONS: dict[str, str] = {}

    def _rows(self) -> list[tuple[str, str]]:  # pragma: no cover - each result type writes its own
        raise NotImplementedError

    def _title(self) -> str:
        return f"{type(self).__name__} ({self.kind.upper()})"

    def _all_warnings(self) -> list[str]:
        return list(self.warnings)

    def _shown_warnings(self) -> list[str]:
        """The warnings as a reader sees them: in a notebook, one already shown on this page becomes
        a short line with a count (:mod:`simlib.notices`); ``to_dict`` keeps every one in full."""
        from simlib import notices

        return notices.for_display(self, self._all_warnings())

    def _payload(self) -> dict[str, Any]:
        """The type's own fields for :meth:`to_dict` (beyond the protocol's)."""
        return {}

    def _details(self) -> str:
        """Text shown after the rows in :meth:`table` (a per-load or per-window table), or ""."""
        return ""

    def _has_rows(self) -> bool:
        return type(self)._rows is not ResultDisplay._rows

    def headline(self) -> str:
        if not self._has_rows():  # a type that writes its own table: its first line
            return self.table().split("\n", 1)[0]
        return self._title() + ": " + "; ".join(f"{k} {v}" for k, v in self._rows()[:2])

    def table(self) -> str:
        rows = self._rows()
        w = max((len(k) for k, _ in rows), default=0)
        lines = [self._title()] + [f"  {k:<{w}}  {v}" for k, v in rows]
        if self._details():
            lines.append(self._details())
        return "\n".join(lines + [f"  WARNING: {x}" for x in self._shown_warnings()])

    def __repr__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        esc = html.escape
        if not self._has_rows():  # a type that writes its own text table: show it as is
            return f"<pre>{esc(self.table())}</pre>"
        rows = "".join(f"<tr><th style='text-align:left'>{esc(k)}</th><td style='text-align:left'>{esc(v)}</td></tr>"
                       for k, v in self._rows())
        warns = "".join(f"<li style='color:#a60'>&#9888; {esc(x)}</li>" for x in self._shown_warnings())
        return (f"<div><p><b>{esc(self._title())}</b></p><table>{rows}</table>"
                + (f"<ul>{warns}</ul>" if warns else "") + "</div>")

    def to_dict(self) -> dict[str, Any]:
        return strict_dict({"result_type": type(self).__name__, "kind": self.kind,
                            "settings": self.settings, "warnings": self._all_warnings(),
                            "summary": self.summary, **self._payload()}, self.NON_FINITE_REASONS)


def summary_key_problem(key: str, value: Any) -> str | None:
    if not isinstance(key, str):
        return f"summary key {key!r} is not a string"
    ok_name = key in DIMENSIONLESS_KEYS or ("_" + key).endswith(UNIT_SUFFIXES + DIMENSIONLESS_SUFFIXES)
    if not ok_name:
        return (f"summary key {key!r} names no SI unit (end it in one of {', '.join(UNIT_SUFFIXES)}) and is "
                f"not dimensionless (end in {', '.join(DIMENSIONLESS_SUFFIXES)} or add it to DIMENSIONLESS_KEYS)")
    if key.endswith("_ms") or "_ms_" in key:
        return f"summary key {key!r} is in milliseconds: summary is SI (seconds, _s)"
    if "_ci_" in key or key.endswith("_ci"):
        if value is not None and not (isinstance(value, (list, tuple)) and len(value) == 2
                                      and all(isinstance(v, numbers.Real) for v in value)):
            return f"summary key {key!r} must be [low, high] or None, got {value!r}"
        return None
    if value is None or isinstance(value, (bool, str, numbers.Real)):
        return None
    return f"summary key {key!r} holds a {type(value).__name__}: summary is flat (numbers, None, str, bool)"


def _call(obj: Any, name: str, problems: list[str]) -> Any:
    try:
        return getattr(obj, name)()
    except Exception as err:  # noqa: BLE001 - reported, not raised: the test lists every problem
        problems.append(f"{name}() raised {type(err).__name__}: {err}")
        return None


def _summary_problems(obj: Any) -> list[str]:
    if callable(getattr(type(obj), "summary", None)):
        return ["summary is a method: it must be a property returning a dict"]
    s = obj.summary
    if not isinstance(s, dict):
        return [f"summary is a {type(s).__name__}, not a dict"]
    return [p for k, v in s.items() if (p := summary_key_problem(k, v))]


def _dict_problems(obj: Any, problems: list[str]) -> None:
    d = _call(obj, "to_dict", problems)
    if d is None:
        return
    try:
        text = json.dumps(d, allow_nan=False)
    except (TypeError, ValueError) as err:
        problems.append(f"to_dict() is not strict JSON: {err}")
        return
    if json.loads(text) != d:
        problems.append("to_dict() does not survive a JSON round trip unchanged (tuples, numpy values?)")
    missing = {"result_type", "kind", "settings", "warnings", "summary"} - set(d)
    if missing:
        problems.append(f"to_dict() lacks {sorted(missing)}")


def _text_problems(obj: Any, problems: list[str]) -> None:
    t = _call(obj, "table", problems)
    if t is not None and not isinstance(t, str):
        problems.append(f"table() returned a {type(t).__name__}, not text")
    elif t and ("VALID" in t or "met" in t.split()) and "bound" not in t:
        problems.append("table() shows a verdict without stating its bound")
    h = _call(obj, "headline", problems)
    if h is not None and (not isinstance(h, str) or "\n" in h or not h.strip()):
        problems.append(f"headline() is not one non-empty line: {h!r}")
    page = _call(obj, "_repr_html_", problems)
    if page is not None and not (isinstance(page, str) and page.lstrip().startswith("<")):
        problems.append("_repr_html_() is not HTML")


def conforms(obj: Any) -> list[str]:
    """What ``obj`` lacks or gets wrong against the protocol (an empty list: it conforms)."""
    problems = [f"has no {m}" for m in ("kind", "settings", "warnings", "summary", "table", "headline",
                                         "to_dict", "_repr_html_") if not hasattr(obj, m)]
    if problems:
        return problems
    if obj.kind not in KINDS:
        problems.append(f"kind {obj.kind!r} is not one of {KINDS}")
    st = obj.settings
    if not (isinstance(st, dict) and isinstance(st.get("requested"), dict) and isinstance(st.get("effective"), dict)):
        problems.append("settings is not {'requested': {...}, 'effective': {...}}")
    if not (isinstance(obj.warnings, (list, tuple)) and all(isinstance(w, str) for w in obj.warnings)):
        problems.append("warnings is not a list (a tuple in a frozen result) of str")
    if hasattr(obj, "samples_s") and getattr(obj.samples_s, "ndim", 1) != 1:
        problems.append("samples_s is not one-dimensional")
    problems += _summary_problems(obj)
    _dict_problems(obj, problems)
    _text_problems(obj, problems)
    return problems
