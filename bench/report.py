"""The results: one row per system × workload × concurrency, ratios, a table, JSON, markdown."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    """One bounded run, per request where it says so."""

    system: str
    workload: str
    concurrency: int
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    server_cpu_ms: float  # per request: the serving processes (the replay process for the floor)
    db_cpu_ms: float  # per request: every process of the bench PostgreSQL cluster
    statements: float  # per request, to the source databases, BEGIN/ROLLBACK included
    data_statements: float  # per request, to the source databases, SELECTs only
    audit_statements: float  # per request, to the audit database
    peak_rss_mib: float
    other_cpu_pct: float  # share of both cores busy with processes that are not in this run
    stolen_pct: float = 0.0  # share of both cores' time the hypervisor gave to other guests

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def requests_per_cpu_second(self) -> float:
        return 1000.0 / self.server_cpu_ms if self.server_cpu_ms else 0.0


@dataclass(frozen=True)
class PacedRow:
    """A run paced to a share of the peak throughput the open runs reached."""

    system: str
    workload: str
    connections: int
    peak_rps: float
    target_rps: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_p50_ms: float | None = None  # the server's own, from its request log (c360's)
    server_p99_ms: float | None = None
    waiting_ms: float | None = None  # per request, the server's threads runnable but off-core
    stolen_pct: float | None = None  # share of both cores' time the hypervisor took
    round: int = 1  # of the measured runs after one calibration
    host_slow_pct: float | None = None  # share of bench.hostspeed's samples in the slow state

    @property
    def spread(self) -> float:
        return self.p99_ms / self.p50_ms if self.p50_ms else 0.0

    @property
    def server_latency(self) -> str:
        """The server's own p50 / p99, where its log tells them (else a dash)."""
        if self.server_p50_ms is None or self.server_p99_ms is None:
            return "—"
        return f"{self.server_p50_ms:.1f} / {self.server_p99_ms:.1f}"

    @property
    def waiting(self) -> str:
        """Milliseconds per request the server's threads waited for a core (else a dash)."""
        return "—" if self.waiting_ms is None else f"{self.waiting_ms:.2f}"

    @property
    def stolen(self) -> str:
        return "—" if self.stolen_pct is None else f"{self.stolen_pct:.0f} %"

    @property
    def host_slow(self) -> str:
        return "—" if self.host_slow_pct is None else f"{self.host_slow_pct:.0f} %"


@dataclass
class Report:
    """Everything a run measured, with the settings and the notes the reader needs."""

    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    paced: list[PacedRow] = field(default_factory=list)
    profile: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    rounds: list[Row] = field(default_factory=list)  # every run, before keep_medians

    def round_ratios(self) -> dict[tuple[str, int], list[float]]:
        """c360 / PostGraphile in requests per server CPU-second, round by round: each
        c360 run against the PostGraphile run of the same round, made minutes apart, so a
        machine that drifts over the hour moves both sides of a ratio together."""
        runs: dict[tuple[str, str, int], list[Row]] = {}
        for row in self.rounds or self.rows:
            runs.setdefault((row.system, row.workload, row.concurrency), []).append(row)
        found: dict[tuple[str, int], list[float]] = {}
        for (system, workload, concurrency), ours in runs.items():
            anchors = runs.get(("PostGraphile", workload, concurrency))
            if system != "c360" or not anchors:
                continue
            found[(workload, concurrency)] = [
                pg.server_cpu_ms / c360.server_cpu_ms
                for c360, pg in zip(ours, anchors, strict=False)
                if c360.requests and pg.requests and c360.server_cpu_ms
            ]
        return found

    def paced_medians(self) -> list[tuple[PacedRow, list[float]]]:
        """Per system, workload and number of connections, the paced round whose p99 / p50
        is the median of its rounds' (of an even number, the higher of the middle two), with
        every round's p99 / p50 in order."""
        levels: dict[tuple[str, str, int], list[PacedRow]] = {}
        for paced in self.paced:
            levels.setdefault((paced.system, paced.workload, paced.connections), []).append(paced)
        found = []
        for rounds in levels.values():
            by_spread = sorted(rounds, key=lambda p: p.spread)
            found.append((by_spread[len(by_spread) // 2], [p.spread for p in rounds]))
        return found

    def ratios(self) -> list[dict[str, Any]]:
        """c360 / PostGraphile per workload and concurrency."""
        anchor = {(r.workload, r.concurrency): r for r in self.rows if r.system == "PostGraphile"}
        by_round = self.round_ratios()
        out = []
        for row in self.rows:
            pg = anchor.get((row.workload, row.concurrency))
            if row.system != "c360" or not row.requests or pg is None or not pg.requests:
                continue
            out.append(
                {
                    "workload": row.workload,
                    "concurrency": row.concurrency,
                    "rps": row.rps / pg.rps,
                    "server_cpu_per_request": row.server_cpu_ms / pg.server_cpu_ms,
                    "requests_per_cpu_second": row.requests_per_cpu_second
                    / pg.requests_per_cpu_second,
                    "requests_per_total_cpu_second": (pg.server_cpu_ms + pg.db_cpu_ms)
                    / (row.server_cpu_ms + row.db_cpu_ms),
                    "requests_per_cpu_second_by_round": by_round.get(
                        (row.workload, row.concurrency), []
                    ),
                }
            )
        return out

    def keep_medians(self) -> None:
        """Of the rounds of each system, workload and concurrency, keep the run of median
        server CPU per request (a run that completed nothing counts as the costliest)."""
        self.rounds += [row for row in self.rows if row not in self.rounds]
        rounds: dict[tuple[str, str, int], list[Row]] = {}
        for row in self.rows:
            rounds.setdefault((row.system, row.workload, row.concurrency), []).append(row)
        self.rows = [
            sorted(runs, key=lambda r: r.server_cpu_ms if r.requests else float("inf"))[
                (len(runs) - 1) // 2
            ]
            for runs in rounds.values()
        ]

    def markdown(self) -> str:
        head = (
            "| system | workload | conc. | req/s | p50 ms | p99 ms | server CPU ms/req "
            "| DB CPU ms/req | SQL stmts/req (SELECTs) | audit stmts/req | peak RSS MiB "
            "| errors | other CPU | stolen |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        )
        lines = [head]
        systems = {name: i for i, name in enumerate(dict.fromkeys(r.system for r in self.rows))}
        for r in sorted(self.rows, key=lambda r: systems[r.system]):  # runs took turns
            if not r.requests:
                lines.append(
                    f"| {r.system} | {r.workload} | {r.concurrency} | 0 | — | — | — | — | — | — "
                    f"| {r.peak_rss_mib:,.0f} | {r.errors} | {r.other_cpu_pct:.0f} % "
                    f"| {r.stolen_pct:.0f} % |"
                )
                continue
            lines.append(
                f"| {r.system} | {r.workload} | {r.concurrency} | {r.rps:,.1f} | {r.p50_ms:.1f} "
                f"| {r.p99_ms:.1f} | {r.server_cpu_ms:.2f} | {r.db_cpu_ms:.2f} "
                f"| {r.statements:.1f} ({r.data_statements:.1f}) | {r.audit_statements:.1f} "
                f"| {r.peak_rss_mib:,.0f} | {r.errors} | {r.other_cpu_pct:.0f} % "
                f"| {r.stolen_pct:.0f} % |"
            )
        ratios = self.ratios()
        if ratios:
            lines += [
                "",
                "c360 / PostGraphile (requests per CPU-second: of the servers alone, and of the "
                "servers and the database together):",
                "",
                "| workload | conc. | req/s | server CPU per request | requests per server "
                "CPU-second | the same, round by round (median) "
                "| requests per server + DB CPU-second |",
                "|---|---:|---:|---:|---:|---:|---:|",
            ]
            lines += [
                f"| {x['workload']} | {x['concurrency']} | {x['rps']:.2f}× "
                f"| {x['server_cpu_per_request']:.2f}× | {x['requests_per_cpu_second']:.2f}× "
                f"| {_by_round(x['requests_per_cpu_second_by_round'])} "
                f"| {x['requests_per_total_cpu_second']:.2f}× |"
                for x in ratios
            ]
        if self.paced:
            lines += [
                "",
                "Latency at 70 % of the peak throughput, over each number of connections the "
                "open runs used (wrk pacing each connection, calibrated on short runs, then "
                "measured runs back to back; each line is the run with the median p99 / p50):",
                "",
                "| system | workload | conn. | peak req/s | target | req/s | p50 ms | p99 ms "
                "| p99 / p50 | the rounds' p99 / p50 | errors | in the server: p50 / p99 ms "
                "| server waiting for a core, ms/req | stolen | host slow |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
            ]
            lines += [
                f"| {p.system} | {p.workload} | {p.connections} | {p.peak_rps:,.0f} "
                f"| {p.target_rps:,.0f} | {p.rps:,.0f} | {p.p50_ms:.1f} | {p.p99_ms:.1f} "
                f"| {p.spread:.2f} | {', '.join(f'{r:.2f}' for r in rounds)} | {p.errors} "
                f"| {p.server_latency} | {p.waiting} | {p.stolen} | {p.host_slow} |"
                for p, rounds in self.paced_medians()
            ]
        for kind, title in (
            (
                "cumulative",
                "on the stack (cumulative; process, event-loop and ASGI plumbing left out)",
            ),
            ("self", "at the top of the stack (self)"),
        ):
            if self.profile.get(kind):
                lines += [
                    "",
                    f"Where a c360 worker's busy time goes under W2 at the lowest concurrency "
                    f"(py-spy, 10 s at 200 Hz): share of samples "
                    f"with the function {title}",
                    "",
                    "| function | share |",
                    "|---|---:|",
                ]
                lines += [f"| `{f}` | {share:.1f} % |" for f, share in self.profile[kind]]
        settings = ", ".join(f"{k}={v}" for k, v in self.settings.items())
        notes = "\n".join(f"- {n}" for n in self.notes)
        return f"Settings: {settings}\n\n{notes}\n\n" + "\n".join(lines) + "\n"

    def write(self, folder: Path, stamp: str) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        data = {
            "settings": self.settings,
            "notes": self.notes,
            "rows": [asdict(r) | {"rps": r.rps} for r in self.rows],
            "rounds": [asdict(r) | {"rps": r.rps} for r in self.rounds],
            "paced": [asdict(p) for p in self.paced],
            "ratios": self.ratios(),
            "profile": self.profile,
        }
        json_path = folder / f"bench-{stamp}.json"
        md_path = folder / f"bench-{stamp}.md"
        json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
        md_path.write_text(self.markdown())
        (folder / "latest.md").write_text(self.markdown())
        return json_path, md_path


def _by_round(ratios: list[float]) -> str:
    if not ratios:
        return "—"
    each = ", ".join(f"{r:.2f}" for r in ratios)
    return f"{each} ({statistics.median(ratios):.2f}×)"


def load(path: Path) -> Report:
    """A report back from its JSON (``python -m bench.report FILE`` prints it again)."""
    data = json.loads(path.read_text())
    fields = set(Row.__dataclass_fields__)
    report = Report(data["settings"], data["notes"])
    report.rows = [Row(**{k: v for k, v in r.items() if k in fields}) for r in data["rows"]]
    report.rounds = [
        Row(**{k: v for k, v in r.items() if k in fields}) for r in data.get("rounds", [])
    ]
    report.paced = [PacedRow(**p) for p in data.get("paced", [])]
    report.profile = {k: [tuple(x) for x in v] for k, v in (data.get("profile") or {}).items()}
    return report


if __name__ == "__main__":
    import sys

    print(load(Path(sys.argv[1])).markdown())
