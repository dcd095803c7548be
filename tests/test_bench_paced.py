"""The bench paces W1 and W2 over every number of connections its open runs used."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import pytest

from bench import hostspeed, runs, servers
from bench import wrk as wrk_runs
from bench.__main__ import parse_args
from bench.documents import Workload
from bench.report import Report, Row


def _open_run(concurrency: int, rps: float) -> Row:
    return Row(
        "c360", "W1", concurrency, int(rps * 10), 10.0, 0, 4.0, 9.0, 0.9, 0.3, 3, 3, 0, 280, 1
    )


async def test_each_number_of_connections_is_paced_to_70_percent_of_the_one_peak(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, str]] = []
    p99s = iter([0.004, 0.008, 0.006, 0.005, 0.007, 0.009])  # the measured runs' in turn

    def wrk_answering_on_target(
        _wrk: str, _url: str, script: Path, *, connections: int, seconds: float
    ) -> wrk_runs.Load:
        seen.append((connections, script.name))
        p99 = 0.006 if seconds == runs.CALIBRATION_SECONDS else next(p99s)
        return wrk_runs.Load(int(1120 * seconds), seconds, 0, 0, 0.002, p99, 0.0025)

    monkeypatch.setattr(runs, "RESULTS", tmp_path)
    monkeypatch.setattr(wrk_runs, "run", wrk_answering_on_target)
    monkeypatch.setattr(hostspeed, "baseline", lambda: None)
    (tmp_path / "scripts").mkdir()
    report = Report({})
    report.rows = [_open_run(8, 1500.0), _open_run(32, 1600.0)]
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        server = servers.Server("c360", sleeper, "http://127.0.0.1:1/graphql")
        w1 = Workload("W1", "one customer", ('{"query":"{ __typename }"}',))
        args = argparse.Namespace(duration=10.0, paced_rounds=3)
        await runs.paced_runs(report, server, [w1], {}, args, "wrk")
    finally:
        sleeper.kill()
        sleeper.wait()

    assert [(p.connections, p.round, p.target_rps) for p in report.paced] == [
        (8, 1, pytest.approx(1120.0)),
        (8, 2, pytest.approx(1120.0)),
        (8, 3, pytest.approx(1120.0)),
        (32, 1, pytest.approx(1120.0)),
        (32, 2, pytest.approx(1120.0)),
        (32, 3, pytest.approx(1120.0)),
    ]
    assert {p.peak_rps for p in report.paced} == {1600.0}
    assert [p.spread for p in report.paced] == [2.0, 4.0, 3.0, 2.5, 3.5, 4.5]
    # one calibration run that hit the target, then three measured runs, over one script
    assert seen == [(8, "c360-W1-paced-8.lua")] * 4 + [(32, "c360-W1-paced-32.lua")] * 4
    # each level's line is its median round, with every round's ratio beside it
    markdown = report.markdown()
    assert "| c360 | W1 | 8 | 1,600 | 1,120 | 1,120 | 2.0 | 6.0 | 3.00 | 2.00, 4.00, 3.00 |" in (
        markdown
    )
    assert "| c360 | W1 | 32 | 1,600 | 1,120 | 1,120 | 2.0 | 7.0 | 3.50 | 2.50, 3.50, 4.50 |" in (
        markdown
    )


def test_paced_runs_need_at_least_one_measured_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_args(["--paced-rounds", "2"]).paced_rounds == 2
    with pytest.raises(SystemExit):
        parse_args(["--paced-rounds", "0"])
    assert "--paced-rounds must be at least 1" in capsys.readouterr().err
