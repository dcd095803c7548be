"""The bench reads c360's own latency over a paced run from its request log."""

from __future__ import annotations

from pathlib import Path

from bench import serverlog
from bench.report import PacedRow, Report


def _line(duration: float, logger: str = "c360.request") -> str:
    return (
        f'{{"time":"2026-12-02T05:00:00.000+00:00","level":"INFO","logger":"{logger}",'
        f'"message":"request","status":200,"duration_ms":{duration}}}\n'
    )


def test_only_the_request_lines_a_run_added_are_read(tmp_path: Path) -> None:
    log = tmp_path / "c360-server.log"
    log.write_text("INFO:     Uvicorn running\n" + _line(900.0))
    before = serverlog.size(log)
    with log.open("a") as more:
        more.write(_line(2.5) + _line(1.5, logger="c360.audit") + _line(4.0))
        more.write('{"logger":"c360.request","duration_ms":')  # cut off as the run ended

    assert serverlog.durations_since(log, before) == [2.5, 4.0]


def test_quantiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert serverlog.quantile(values, 0.5) == 50.0
    assert serverlog.quantile(values, 0.99) == 99.0
    assert serverlog.quantile([7.0], 0.99) == 7.0
    assert serverlog.quantile([5.0, 1.0, 4.0, 2.0, 3.0], 0.5) == 3.0  # the middle of five
    assert serverlog.quantile([], 0.5) == 0.0


def test_the_paced_table_shows_the_servers_own_latency_where_known() -> None:
    report = Report({"customers": 10})
    report.paced = [
        PacedRow("c360", "W1", 32, 900.0, 630.0, 628.0, 9.0, 50.0, 0, 7.3, 26.4, 1.234),
        PacedRow("PostGraphile", "W1", 32, 1600.0, 1120.0, 1118.0, 4.0, 30.0, 0),
    ]
    table = report.markdown()
    assert "| 5.56 | 0 | 7.3 / 26.4 | 1.23 |" in table
    assert "| 7.50 | 0 | — | — |" in table
