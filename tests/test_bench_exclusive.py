"""A second measuring run stops at once instead of measuring beside the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.exclusive import only_run


def test_a_second_run_stops_naming_the_first_and_may_start_once_it_ends(tmp_path: Path) -> None:
    lock = tmp_path / "bench.lock"
    second = r"another measuring run holds .*\(pid \d+"
    with only_run(lock), pytest.raises(SystemExit, match=second), only_run(lock):
        pass
    with only_run(lock):  # released: the next run starts
        assert "pid" in lock.read_text()
