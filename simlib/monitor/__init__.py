"""From benchmark to production: traces and their replay, canaries, monitors and the predeployment checklist.

- :mod:`~simlib.monitor.traces`: CSV traces of arrival times, a flash-crowd generator, rescaling;
- :mod:`~simlib.monitor.autoscale`: a trace through a pool that grows after a start-up delay;
- :mod:`~simlib.monitor.canary`: requests and time to detect a p99 regression (fixed horizon, SPRT);
- :mod:`~simlib.monitor.rolling`: rolling percentiles with their intervals;
- :mod:`~simlib.monitor.slo`: error budgets and multi-window burn-rate alerts;
- :mod:`~simlib.monitor.changepoint`: CUSUM, binary segmentation, false-alarm rates on real noise;
- :mod:`~simlib.monitor.week`: a simulated week of request records with planted incidents;
- :mod:`~simlib.monitor.detect`: detectors over that week and their score against the truth;
- :mod:`~simlib.monitor.checklist`: the predeployment checklist on a saved result;
- :mod:`~simlib.monitor.fallacies`: the arithmetic of the source's fallacies and pitfalls.
"""

from simlib.monitor.autoscale import AutoscaleResult, autoscaled_replay
from simlib.monitor.canary import CanaryPlan, canary_plan, sprt
from simlib.monitor.changepoint import binary_segmentation, cusum, false_alarm_probability
from simlib.monitor.checklist import ChecklistReport, checklist
from simlib.monitor.rolling import rolling_percentile
from simlib.monitor.slo import SRE_RULES, BurnRule, burn_rate_alerts, error_budget
from simlib.monitor.traces import flash_crowd, load_csv, save_csv, scaled_to_peak
from simlib.monitor.week import Incident, simulate_week

__all__ = ["SRE_RULES", "AutoscaleResult", "BurnRule", "CanaryPlan", "ChecklistReport", "Incident",
           "autoscaled_replay", "binary_segmentation", "burn_rate_alerts", "canary_plan", "checklist", "cusum",
           "error_budget", "false_alarm_probability", "flash_crowd", "load_csv", "rolling_percentile", "save_csv",
           "scaled_to_peak", "simulate_week", "sprt"]
