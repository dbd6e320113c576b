"""The drift alarm as a pure function: previous runs' coverage and this run's -> degraded reasons."""

from __future__ import annotations

import pytest

from pressindex.ingest.drift import MIN_BASELINE_RUNS, RunQuality, Thresholds, degraded_reasons

GOOD = {"dateline": 90.0, "agency": 95.0, "published": 99.0, "dpa_id": 30.0, "language_und": 1.0}


def run(files=100, quarantined=0, documents=100, degraded=False, **coverage) -> RunQuality:
    return RunQuality(files, quarantined, documents, {**GOOD, **coverage}, degraded)


GOOD_NIGHTS = [run(dateline=d) for d in (88, 91, 90, 93, 89, 90, 92)]


def fields(reasons) -> list[str]:
    return [r.field for r in reasons]


def test_a_run_whose_datelines_vanished_after_good_runs_is_flagged():
    reasons = degraded_reasons(run(dateline=0.0), GOOD_NIGHTS, Thresholds())
    assert fields(reasons) == ["dateline"]
    assert "0.0 %" in reasons[0].message and "90.0 %" in reasons[0].message and "7 runs" in reasons[0].message


def test_a_normal_run_is_not_flagged():
    assert degraded_reasons(run(dateline=85.0, agency=93.0), GOOD_NIGHTS, Thresholds()) == []


def test_the_margin_is_in_points_below_the_median():
    assert degraded_reasons(run(dateline=70.0), GOOD_NIGHTS, Thresholds()) == []  # 20 points: not more
    assert fields(degraded_reasons(run(dateline=69.9), GOOD_NIGHTS, Thresholds())) == ["dateline"]
    assert fields(degraded_reasons(run(dateline=80.0), GOOD_NIGHTS, Thresholds(margin_points=5))) == [
        "dateline"
    ]


def test_one_odd_night_does_not_move_the_median():
    history = [
        run(dateline=0.0),
        *GOOD_NIGHTS[:6],
    ]  # newest first: last night was odd (but small enough to pass)
    assert fields(degraded_reasons(run(dateline=10.0), history, Thresholds())) == ["dateline"]


def test_only_the_newest_runs_make_the_baseline():
    history = [run(dateline=10.0)] * 7 + [run(dateline=90.0)] * 20  # the feed changed a week ago
    assert degraded_reasons(run(dateline=10.0), history, Thresholds(runs=7)) == []
    assert fields(degraded_reasons(run(dateline=10.0), history, Thresholds(runs=30))) == ["dateline"]


def test_degraded_runs_stay_out_of_the_baseline():
    history = [run(dateline=0.0, degraded=True)] * 10 + GOOD_NIGHTS
    assert fields(degraded_reasons(run(dateline=0.0), history, Thresholds())) == ["dateline"]


def test_unknown_language_is_flagged_when_it_rises():
    reasons = degraded_reasons(run(language_und=40.0), GOOD_NIGHTS, Thresholds())
    assert fields(reasons) == ["language_und"]
    assert "rose" in reasons[0].message
    assert degraded_reasons(run(language_und=0.0), GOOD_NIGHTS, Thresholds()) == []


def test_several_fields_give_several_reasons():
    assert fields(degraded_reasons(run(dateline=0.0, agency=0.0), GOOD_NIGHTS, Thresholds())) == [
        "dateline",
        "agency",
    ]


@pytest.mark.parametrize("quarantined, flagged", [(10, False), (11, True), (100, True)])
def test_quarantine_share_over_the_limit(quarantined, flagged):
    reasons = degraded_reasons(
        run(quarantined=quarantined), GOOD_NIGHTS, Thresholds(max_quarantine_share=0.1)
    )
    assert fields(reasons) == (["quarantine"] if flagged else [])


def test_the_quarantine_share_is_judged_without_a_baseline():
    assert fields(degraded_reasons(run(quarantined=50), [], Thresholds())) == ["quarantine"]


def test_no_baseline_yet_no_coverage_alarm():
    few = GOOD_NIGHTS[: MIN_BASELINE_RUNS - 1]
    assert degraded_reasons(run(dateline=0.0), few, Thresholds()) == []
    assert fields(degraded_reasons(run(dateline=0.0), GOOD_NIGHTS[:MIN_BASELINE_RUNS], Thresholds())) == [
        "dateline"
    ]


def test_small_runs_are_neither_judged_nor_a_baseline():
    assert (
        degraded_reasons(run(files=5, documents=5, dateline=0.0, quarantined=5), GOOD_NIGHTS, Thresholds())
        == []
    )
    small_good = [run(files=5, documents=5)] * 7
    assert degraded_reasons(run(dateline=0.0), small_good, Thresholds()) == []


def test_a_run_without_new_documents_has_no_coverage_to_judge():
    nothing = RunQuality(files_new=30, files_quarantined=0, documents=0, coverage={})
    assert degraded_reasons(nothing, GOOD_NIGHTS, Thresholds()) == []


def test_fields_missing_from_older_records_are_skipped():
    old = [RunQuality(100, 0, 100, {"dateline": 90.0}) for _ in range(7)]
    assert fields(degraded_reasons(run(dateline=0.0, agency=0.0), old, Thresholds())) == ["dateline"]
