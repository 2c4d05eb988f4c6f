"""Benchmark evolution as data: the ImageNet (ILSVRC) classification challenge, 2010-2017.

:data:`ILSVRC_TOP5_ERROR` holds the winning top-5 classification error of each year's challenge
(percent), copied from the organizers' summary paper for 2010-2014 (Russakovsky et al., 2015,
Table 8 and Section 6) and from the winners' papers for 2015-2017 (He et al. 2016; Hu et al.
2018, SENet; the 2016 winner, Trimps-Soushen, published only its challenge entry). The human
estimate is the annotator experiment of Russakovsky et al. (2015, Section 6.4: 5.1%).
:func:`saturation` reads the series: the year the winners passed the human estimate, how much of
the error each year removed, and what was left when the challenge ended.

>>> s = saturation()
>>> s["passed_human_year"], s["last_year"], round(s["total_reduction_ratio"], 1)
(2015, 2017, 12.5)
"""

from __future__ import annotations

from typing import Any

__all__ = ["HUMAN_TOP5_ERROR_PERCENT", "ILSVRC_TOP5_ERROR", "saturation"]

#: (year, winning entry, top-5 error in percent)
ILSVRC_TOP5_ERROR: tuple[tuple[int, str, float], ...] = (
    (2010, "NEC-UIUC", 28.2),
    (2011, "XRCE", 25.8),
    (2012, "SuperVision (AlexNet)", 16.4),
    (2013, "Clarifai", 11.7),
    (2014, "GoogLeNet", 6.7),
    (2015, "MSRA (ResNet)", 3.57),
    (2016, "Trimps-Soushen", 2.99),
    (2017, "WMW (SENet)", 2.25),
)
HUMAN_TOP5_ERROR_PERCENT = 5.1


def saturation(series: tuple[tuple[int, str, float], ...] = ILSVRC_TOP5_ERROR,
               human_percent: float = HUMAN_TOP5_ERROR_PERCENT) -> dict[str, Any]:
    """Year the error first fell below ``human_percent``, the error removed each year (percentage
    points), the factor by which the error fell from first to last year, and the last year's
    yearly gain as a share of the first big jump (2011 to 2012)."""
    years = [y for y, _, _ in series]
    err = [e for _, _, e in series]
    passed = next((y for y, _, e in series if e < human_percent), None)
    gains = [a - b for a, b in zip(err, err[1:], strict=False)]
    return {"years": years, "error_percent": err, "passed_human_year": passed,
            "gain_points": dict(zip(years[1:], gains, strict=True)), "first_year": years[0], "last_year": years[-1],
            "total_reduction_ratio": err[0] / err[-1],
            "largest_gain_year": years[1 + max(range(len(gains)), key=gains.__getitem__)],
            "last_gain_share_fraction": gains[-1] / max(gains)}
