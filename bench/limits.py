"""How fast hostile documents are refused, and what that does to a caller beside them.

``.venv/bin/python -m bench.limits [--rounds 50]`` builds a small demo bank in a temporary
folder, serves the gateway in-process with its default limits, sends each hostile document
``rounds`` times (a fragment bomb, a circular fragment, one field repeated 5,000 times) and
prints the refusal time (median and worst, through the whole HTTP stack), then the latency of
an ordinary query alone and while the hostile documents are being sent.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from gateway.app import create_app
from gateway.audit import AuditTrail
from gateway.auth import AuthSettings, Role, mint_token
from gateway.config import Settings
from resolvers.ids import global_id
from sources import Sources
from sources.demo import load_demo_bank


def fragment_bomb(levels: int = 24) -> str:
    """Each fragment spreads the previous one twice: 2^levels fields once expanded."""
    lines = [f"query{{...f{levels}}}", "fragment f0 on Query{__typename}"]
    lines += [f"fragment f{i} on Query{{...f{i - 1} ...f{i - 1}}}" for i in range(1, levels + 1)]
    return "\n".join(lines)


HOSTILE = {
    f"fragment bomb ({len(fragment_bomb())} bytes, 2^24 fields)": fragment_bomb(),
    "circular fragment": "query{...a} fragment a on Query{...b} fragment b on Query{...a}",
    "one field 5,000 times (__typename)": "{" + " __typename" * 5000 + "}",
    "one field 5,000 times (a)": "{" + " a" * 5000 + "}",
}
ORDINARY = "query ($id: ID!) { customer(id: $id) { name tier accounts { type balance } } }"


def milliseconds(samples: list[float]) -> str:
    return f"median {statistics.median(samples):6.1f} ms, worst {max(samples):6.1f} ms"


async def timed(http: httpx.AsyncClient, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = await http.post("/graphql", json=body)
    return (time.perf_counter() - started) * 1000, response.json()


async def run(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env(
            {"C360_DATA_DIR": folder, "C360_RATE_REQUESTS_PER_MINUTE": "0"}
        )
        await load_demo_bank(settings.source_urls, customers=20, seed=360, as_of=None)
        sources = Sources.from_urls(settings.source_urls)
        audit = AuditTrail(f"sqlite+aiosqlite:///{Path(folder) / 'audit.db'}")
        await audit.start()
        try:
            await measure(create_app(settings, sources, audit=audit), rounds)
        finally:
            await audit.close()
            await sources.dispose()


async def measure(app: Any, rounds: int) -> None:
    token = mint_token(AuthSettings(), role=Role.COMPLIANCE_OFFICER, subject="bench-limits")
    headers = {"authorization": f"Bearer {token}", "x-access-purpose": "AUDIT"}
    ordinary = {"query": ORDINARY, "variables": {"id": global_id("Customer", "8800000001")}}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://c360.bench", headers=headers
    ) as http:
        alone = [(await timed(http, ordinary))[0] for _ in range(rounds)]
        print("refusal time through the HTTP stack, default limits:")
        for label, document in HOSTILE.items():
            samples = []
            for _ in range(rounds):
                ms, body = await timed(http, {"query": document})
                assert "data" not in body, label
                samples.append(ms)
            code = body["errors"][0]["extensions"]["code"]
            print(f"  {label:42} {milliseconds(samples)}  ({code})")

        async def attack() -> None:
            for _ in range(rounds):
                for document in HOSTILE.values():
                    await timed(http, {"query": document})

        async def ask() -> list[float]:
            return [(await timed(http, ordinary))[0] for _ in range(rounds)]

        _, beside = await asyncio.gather(attack(), ask())
        print("an ordinary customer query:")
        print(f"  {'alone':42} {milliseconds(alone)}")
        print(f"  {'while hostile documents arrive':42} {milliseconds(beside)}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.limits", description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    asyncio.run(run(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
