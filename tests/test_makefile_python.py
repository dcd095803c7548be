"""Which interpreter `make` builds .venv on: the distribution's optimised python3 when it
can, else python3 on PATH, and always the one `PYTHON=` names."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.servers import interpreter

ROOT = Path(__file__).resolve().parent.parent
CAN_MAKE_VENV = "import sys, ensurepip; sys.exit(sys.version_info < (3, 11))"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _chosen(**env: str) -> str:
    """The PYTHON make settles on, read from its database without running a recipe."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHON"} | env
    printed = subprocess.run(
        ["make", "-pn", "--no-print-directory", "-f", "Makefile", "-q", ".venv/.installed-stamp"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found = re.search(r"^PYTHON :?= (.*)$", printed, re.MULTILINE)
    assert found, "make printed no PYTHON"
    return found.group(1).strip()


def _can_make_venv(python: str) -> bool:
    found = shutil.which(python)
    return found is not None and subprocess.run([found, "-c", CAN_MAKE_VENV]).returncode == 0


def test_make_prefers_the_distributions_python_when_it_can_make_a_venv() -> None:
    expected = next((p for p in ("/usr/bin/python3", "python3") if _can_make_venv(p)), "")
    assert _chosen() == expected


def test_make_builds_on_the_python_it_is_given() -> None:
    assert _chosen(PYTHON=sys.executable) == sys.executable


def test_the_bench_report_names_the_interpreter_c360_runs_on() -> None:
    version, _, path = interpreter().removeprefix("CPython ").partition(" from ")
    assert version == platform.python_version()
    # The named file is a real interpreter of that same version, not just a plausible path.
    ran = subprocess.run(
        [path, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.strip() == version
