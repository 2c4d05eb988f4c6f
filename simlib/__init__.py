"""simlib: simulators, models and measurement tools behind the interactive book on ML benchmarking.

Everything a chapter shows is computed here, so that it is tested:

- :mod:`simlib.hardware`  what this machine has (``detect()``) and a catalog of devices
- :mod:`simlib.sysdesc`   an MLPerf-style system description saved with every measured result
- :mod:`simlib.budget`    the one knob (``SIMLIB_BUDGET=quick|standard|full``) all runs honour
- :mod:`simlib.stats`     confidence intervals, percentiles (as MLPerf LoadGen computes them), CV

Later modules (roofline, energy, queueing, thermal, measure, models, exercises) build on these.

Layers. Each top-level module or package of simlib sits in one layer; it may import from its own
layer and from the layers below it, never from a layer above (lazy imports inside functions
included). ``tests/test_layers.py`` reads this table and checks every import in the package
against it; a new module must be added to a row.

    layer 0 foundation: simlib, _validate, atomicfile, limits, strictjson, protocol, notices, prose, table, budget, stats, batch_means, scenarios, claims, frontend, published
    layer 1 hardware: hardware, sysdesc
    layer 2 models: energy, scaling, queueing, thermal, roofline, coldstart, models, lighthouse, errata, basics, evaluation, designmath, monitor, powerbench, training
    layer 3 measure: measure, design
    layer 4 content: exercises, store, demo
    layer 5 interface: commands, cli, __main__
    layer 6 book: bookbuild, bookmath, bookeval

- *foundation*: validation, limits, strict JSON, the result protocol, the run budget, statistics, scenario names and
  claims. Pure helpers with no knowledge of devices, models or measurements.
- *hardware*: describes devices (the catalog) and this machine (``detect``, ``sysdesc``); it
  measures nothing: a measured device is built by the measure layer
  (:func:`simlib.measure.machine.get`), which passes the measured numbers in.
- *models*: what the book models (queues, heat, roofs, energy, scaling, cold starts, the
  neural networks it runs, the chapters' published figures); they may use one another.
- *measure*: the harness that times real systems (one timing loop, :mod:`simlib.measure.timer`;
  the empirical roofline of this machine is a measurement too), and compares them with the models.
- *content*: exercises and labs, and the result store.
- *interface*: the command line; *book*: the Jupyter Book build.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("simlib")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
