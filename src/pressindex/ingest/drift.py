"""The drift alarm: is a run's extraction quality far below that of the runs before it?

A feed that silently changes its format still gives a Completed run, with the datelines (or
agencies, dates, dpa ids) of every new document gone. :func:`degraded_reasons` compares a run with
the median of the previous good runs: a field whose coverage falls more than ``margin_points``
below it, the share of documents whose language is unknown (``und``) rising more than that above
it, or a quarantine share over ``max_quarantine_share``, each gives a reason. No reasons: the run is
fine. Pure: the records come from :mod:`pressindex.ingest.run_history`, the thresholds from the settings.

Runs with fewer than ``min_files`` new or changed files are neither judged nor part of a baseline
(two files tell nothing about a feed), nor are runs recorded as degraded: a broken feed stays
flagged night after night until it is fixed, rather than becoming the new normal after a week.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median

# coverage: percent of a run's new documents that have the field; a drop is the alarm
FALLING = ("dateline", "agency", "published", "dpa_id")
# percent of new documents whose language could not be told: a rise is the alarm
RISING = ("language_und",)
FIELDS = FALLING + RISING
# fewer good runs before this one: no baseline yet, only the quarantine share is judged
MIN_BASELINE_RUNS = 3


@dataclass(frozen=True)
class Thresholds:
    runs: int = 7
    margin_points: float = 20.0
    max_quarantine_share: float = 0.1
    min_files: int = 20

    @classmethod
    def from_settings(cls, settings) -> Thresholds:
        return cls(
            runs=settings.drift_runs,
            margin_points=settings.drift_margin_points,
            max_quarantine_share=settings.drift_max_quarantine_share,
            min_files=settings.drift_min_files,
        )


@dataclass(frozen=True)
class RunQuality:
    """What the alarm needs of one run."""

    files_new: int  # new or changed files processed
    files_quarantined: int
    documents: int  # new documents, which the coverage is of
    coverage: Mapping[str, float]  # field -> percent (0-100)
    degraded: bool = False


@dataclass(frozen=True)
class Reason:
    field: str  # one of FIELDS, or "quarantine"
    message: str


def degraded_reasons(
    current: RunQuality, previous: Sequence[RunQuality], thresholds: Thresholds
) -> list[Reason]:
    """Why ``current`` is degraded, given the ``previous`` runs newest first; empty when it is not."""
    if current.files_new < thresholds.min_files:
        return []
    reasons = []
    share = current.files_quarantined / current.files_new
    if share > thresholds.max_quarantine_share:
        reasons.append(
            Reason(
                "quarantine",
                f"{share:.0%} of {current.files_new} new or changed files went to quarantine "
                f"(at most {thresholds.max_quarantine_share:.0%})",
            )
        )
    baseline = [r for r in previous if _judged(r, thresholds) and not r.degraded][: thresholds.runs]
    if current.documents == 0 or len(baseline) < min(MIN_BASELINE_RUNS, thresholds.runs):
        return reasons
    for field in FIELDS:
        values = [r.coverage[field] for r in baseline if r.coverage.get(field) is not None]
        now = current.coverage.get(field)
        if not values or now is None:
            continue
        usual = median(values)
        change = now - usual if field in RISING else usual - now
        if change > thresholds.margin_points:
            what = f"{field} share rose" if field in RISING else f"{field} coverage fell"
            reasons.append(
                Reason(
                    field,
                    f"{what} to {now:.1f} % from a median of {usual:.1f} % over the "
                    f"previous {len(values)} runs (more than {thresholds.margin_points:g} points)",
                )
            )
    return reasons


def _judged(run: RunQuality, thresholds: Thresholds) -> bool:
    return run.files_new >= thresholds.min_files and run.documents > 0
