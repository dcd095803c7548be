"""Bounded wrk runs over loopback: a Lua script per workload that rotates request bodies."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.documents import Workload

SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{headers}
local bodies = {{
{bodies}
}}
local i = 0
{pacing}
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50),
    latency:percentile(99), latency.mean))
end
"""


@dataclass(frozen=True)
class Load:
    """What wrk saw: completed requests, failures and latency percentiles (seconds)."""

    requests: int
    seconds: float
    bad_status: int
    socket_errors: int
    p50: float
    p99: float
    mean: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _lua_string(text: str) -> str:
    assert "]==]" not in text
    return f"[==[{text}]==]"


def write_script(
    path: Path,
    workload: Workload,
    headers: dict[str, str],
    *,
    delay_ms: float = 0.0,
    stagger: tuple[int, float] | None = None,
) -> Path:
    """The Lua script of a workload; ``delay_ms`` paces each connection: it waits that long
    after each answer before sending its next request (wrk's ``delay()``).

    wrk delays a connection's first request too, so with one fixed delay every connection
    fires at the same moment and, the delays being equal, they stay in step: the run
    measures trains of requests arriving together, not a steady 70 % of peak. ``stagger``
    (connections, milliseconds) spreads the first requests uniformly over that span (one
    cycle of the pacing), as independent clients would arrive: wrk calls ``delay()`` once per
    connection before its first request, so the first ``connections`` calls draw at random.
    """
    lines = "\n".join(f'wrk.headers["{k}"] = {_lua_string(v)}' for k, v in headers.items())
    bodies = ",\n".join(_lua_string(b) for b in workload.bodies)
    # wrk waits whole milliseconds: a fractional delay is drawn as its floor or ceiling.
    whole, part = int(delay_ms), delay_ms - int(delay_ms)
    state, first = "", ""
    if stagger is not None:
        connections, span_ms = stagger
        state = "local staggered = 0\n"
        first = (
            f"if staggered < {connections} then staggered = staggered + 1 "
            f"return math.floor(math.random() * {span_ms:.1f}) end "
        )
    pacing = (
        f"{state}delay = function() {first}"
        f"if math.random() < {part:.4f} then return {whole + 1} end return {whole} end"
        if delay_ms > 0
        else ""
    )
    path.write_text(SCRIPT.format(headers=lines, bodies=bodies, pacing=pacing))
    return path


def run(wrk: str, url: str, script: Path, *, connections: int, seconds: float) -> Load:
    """One bounded run: one wrk thread (the machine's cores go to the servers)."""
    completed = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 60,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH "):
            n, micros, status, sock, p50, p99, mean = (float(x) for x in line.split()[1:])
            return Load(
                int(n), micros / 1e6, int(status), int(sock), p50 / 1e6, p99 / 1e6, mean / 1e6
            )
    raise RuntimeError(f"wrk printed no summary: {completed.stdout}\n{completed.stderr}")
