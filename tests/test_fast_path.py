"""The plain resolvers answer exactly as strawberry's own resolver path does: same data, same
errors, same masking notes, same audit records, for every role, over generated queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway.app import create_app
from gateway.ratelimit import RateLimits
from tests.conftest import Bank, caller_headers, client_for, settings_for
from tests.expected import RawBank
from tests.test_no_leaks import callers, generated_queries

VOLATILE = ("occurred_at", "request_id")


@dataclass
class RecordingAudit:
    """An always-available audit sink that keeps what it is given."""

    records: list[Any] = field(default_factory=list)
    available: bool = True
    buffered: int = 0

    def record(self, record: Any) -> None:
        self.records.append(record)

    async def settle(self) -> None:
        return None


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """A response without what legitimately differs between two runs: source latencies, and
    the order of the disclosure notes (fields resolve in a different order on each path)."""
    extensions = {k: v for k, v in (body.get("extensions") or {}).items() if k != "sources"}
    if "disclosure" in extensions:
        extensions["disclosure"] = sorted(extensions["disclosure"], key=repr)
    return {**{k: v for k, v in body.items() if k != "extensions"}, "extensions": extensions}


def audited(sink: RecordingAudit) -> list[tuple[Any, ...]]:
    """The records in a stable order, without times and request ids, each record's paths
    sorted (they are listed in the order the values were released, which differs between a
    tree resolving fields concurrently and a plan building the response in order)."""
    kept = (
        tuple(
            " ".join(sorted(v.split(" "))) if k == "field_paths" else v
            for k, v in sorted(r._asdict().items())
            if k not in VOLATILE
        )
        for r in sink.records
    )
    return sorted(kept, key=repr)


async def test_plain_resolvers_answer_like_the_reference_path_for_every_role(
    bank: Bank, sources: Any
) -> None:
    raw = await RawBank.read(sources, bank.as_of)
    settings = settings_for(bank.urls)
    off = RateLimits(requests_per_minute=0, customers_per_minute=0)
    fast_audit, reference_audit = RecordingAudit(), RecordingAudit()
    fast = create_app(settings, sources, audit=fast_audit, rate_limits=off)  # type: ignore[arg-type]
    reference = create_app(
        settings,
        sources,
        audit=reference_audit,
        rate_limits=off,
        plain_resolvers=False,  # type: ignore[arg-type]
    )
    drawn = generated_queries(30)
    roles = [*callers(raw), ("compliance", caller_headers("COMPLIANCE_OFFICER", "AUDIT"), set())]
    compared = 0
    for label, headers, _forbidden in roles:
        async with client_for(fast, headers) as a, client_for(reference, headers) as b:
            for query in drawn:
                got, want = await a.post(query), await b.post(query)
                assert comparable(got) == comparable(want), (label, query)
                compared += 1
    assert audited(fast_audit) == audited(reference_audit)
    assert fast_audit.records, "the generated queries read clear values somewhere"
    assert compared == len(roles) * len(drawn)
