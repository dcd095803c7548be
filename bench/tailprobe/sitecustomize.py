"""Where a served worker's slow requests spend their time: loaded by every Python process
that has this folder on ``PYTHONPATH`` and ``C360_TAIL_PROBE`` set to a folder.

Each c360 process then appends to ``<folder>/probe-<pid>.txt`` one line per answered
request (``R time run_ns wait_ns duration_ms operation``: its event-loop thread's
cumulative on-core and runnable-but-waiting times from ``/proc/self/schedstat`` as the
request's log line is written), one per pass of the cycle collector (``G time
generation ms``) and one per write of the audit trail (``A start end``).
``python -m bench.tail <folder>/probe-*.txt`` reads them. A diagnostic for the bench, never
loaded by c360 itself::

    C360_TAIL_PROBE=/tmp/tail PYTHONPATH=bench/tailprobe .venv/bin/python -m bench \\
        --systems c360 --workloads W1 --rounds 1 --no-profile --concurrency 8
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

_FOLDER = os.environ.get("C360_TAIL_PROBE")
_FLUSH_EVERY = 500


class _Probe:
    def __init__(self, folder: Path) -> None:
        self.path = folder / f"probe-{os.getpid()}.txt"
        self.lines: list[str] = []
        self.started = 0.0
        self.patched = False
        self.audit_patched = False

    def on_collection(self, phase: str, info: dict[str, Any]) -> None:
        if not self.patched:
            self.patch()
        if not self.audit_patched:
            self.patch_audit()
        if phase == "start":
            self.started = time.perf_counter()
        else:
            ms = 1000 * (time.perf_counter() - self.started)
            self.lines.append(f"G {time.time():.6f} {info['generation']} {ms:.3f}\n")

    def patch(self) -> None:
        """Wrap ``gateway.logs.log_request`` once that module is loaded (every module that
        imported it by name gets the wrapper too)."""
        logs = sys.modules.get("gateway.logs")
        original = getattr(logs, "log_request", None)
        if original is None:
            return
        self.patched = True

        def log_request(**fields: Any) -> None:
            original(**fields)
            if not self.audit_patched:  # the collector may not run again once serving
                self.patch_audit()
            with open("/proc/self/schedstat") as stat:
                run, wait, _slices = stat.read().split()
            self.lines.append(
                f"R {time.time():.6f} {run} {wait} {fields.get('duration_ms')} "
                f"{fields.get('operation')}\n"
            )
            if len(self.lines) >= _FLUSH_EVERY:
                self.flush()

        for module in list(sys.modules.values()):
            try:
                if getattr(module, "log_request", None) is original:
                    module.log_request = log_request  # type: ignore[attr-defined]
            except Exception:  # a module's own __getattr__ may raise anything
                continue

    def patch_audit(self) -> None:
        """Time each write of the audit buffer (the chain's linking and the COPY)."""
        cls = getattr(sys.modules.get("gateway.audit.trail"), "AuditTrail", None)
        if cls is None:  # not imported yet, or still being imported
            return
        self.audit_patched = True
        original = cls._write
        lines = self.lines

        async def _write(trail_self: Any) -> int:
            began = time.time()
            try:
                return await original(trail_self)
            finally:
                lines.append(f"A {began:.6f} {time.time():.6f}\n")

        cls._write = _write

    def flush(self) -> None:
        with self.path.open("a") as out:
            out.writelines(self.lines)
        self.lines.clear()


if _FOLDER:
    Path(_FOLDER).mkdir(parents=True, exist_ok=True)
    _probe = _Probe(Path(_FOLDER))
    gc.callbacks.append(_probe.on_collection)
    atexit.register(_probe.flush)
