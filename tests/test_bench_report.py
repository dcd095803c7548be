"""The bench's report keeps the median round of each run, and every round in its JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bench.report import Report, Row, load


def run(system: str, cpu_ms: float, requests: int = 100) -> Row:
    return Row(
        system=system,
        workload="W1",
        concurrency=8,
        requests=requests,
        seconds=10.0,
        errors=0,
        p50_ms=1.0,
        p99_ms=2.0,
        server_cpu_ms=cpu_ms,
        db_cpu_ms=0.5,
        statements=4.0,
        data_statements=4.0,
        audit_statements=0.0,
        peak_rss_mib=100.0,
        other_cpu_pct=1.0,
    )


def test_the_round_of_median_server_cpu_is_reported_and_every_round_kept(tmp_path: Path) -> None:
    report = Report(settings={"rounds": 3})
    report.rows = [run("c360", 3.0), run("PostGraphile", 1.0), run("c360", 1.0)]
    report.rows += [run("PostGraphile", 0.5), run("c360", 2.0), run("PostGraphile", 0.7)]
    report.keep_medians()
    assert [(r.system, r.server_cpu_ms) for r in report.rows] == [
        ("c360", 2.0),
        ("PostGraphile", 0.7),
    ]
    assert report.ratios()[0]["requests_per_cpu_second"] == 0.7 / 2.0
    json_path, _ = report.write(tmp_path, "stamp")
    again = load(json_path)
    assert again.rows == report.rows
    assert sorted(r.server_cpu_ms for r in again.rounds) == [0.5, 0.7, 1.0, 1.0, 2.0, 3.0]


def test_a_round_that_completed_nothing_counts_as_the_costliest() -> None:
    report = Report(settings={})
    report.rows = [run("c360", 0.0, requests=0), run("c360", 5.0), run("c360", 4.0)]
    report.keep_medians()
    assert [r.server_cpu_ms for r in report.rows] == [5.0]


def test_each_round_is_also_compared_with_the_anchor_run_of_the_same_round() -> None:
    report = Report(settings={"rounds": 3})
    # The machine slows down between rounds: both systems' costs double in round 2.
    report.rows = [run("c360", 2.0), run("PostGraphile", 1.0)]
    report.rows += [run("c360", 4.0), run("PostGraphile", 2.0)]
    report.rows += [run("c360", 2.2), run("PostGraphile", 1.0)]
    report.keep_medians()
    (ratio,) = report.ratios()
    assert ratio["requests_per_cpu_second"] == 1.0 / 2.2  # medians of different rounds
    assert ratio["requests_per_cpu_second_by_round"] == [0.5, 0.5, 1.0 / 2.2]
    assert "0.50, 0.50, 0.45 (0.50×)" in report.markdown()


def test_the_share_of_time_the_hypervisor_took_is_shown_and_old_reports_still_load(
    tmp_path: Path,
) -> None:
    report = Report(settings={})
    report.rows = [replace(run("c360", 2.0), stolen_pct=12.4)]
    line = next(x for x in report.markdown().splitlines() if x.startswith("| c360 | W1"))
    assert line.endswith("| 1 % | 12 % |")
    json_path, _ = report.write(tmp_path, "stamp")
    old = json.loads(json_path.read_text())
    for row in old["rows"] + old["rounds"]:
        del row["stolen_pct"]  # a report written before the column existed
    json_path.write_text(json.dumps(old))
    assert load(json_path).rows[0].stolen_pct == 0.0
