"""Drift safety: the checked-in protocol schema is exactly what the pinned
Codex prints, so a pin change that adds, renames or reshapes a method shows
up as a reviewed diff (and codex_methods_test then demands a rule for every
new method)."""

from __future__ import annotations

import filecmp
import json
import subprocess
from pathlib import Path

from cm_testing import REPO

PINNED = json.loads((REPO / "tools" / "codex" / "package.json").read_text())[
    "dependencies"]["@openai/codex"]
PINNED_CODEX = REPO / "tools" / "codex" / "node_modules" / ".bin" / "codex"


def differences(a: Path, b: Path) -> list[str]:
    """Paths (relative) that differ between two trees, either way."""
    out: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        out.extend(prefix + n for n in cmp.left_only + cmp.right_only)
        out.extend(prefix + n for n in cmp.diff_files + cmp.funny_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    filecmp.clear_cache()
    walk(filecmp.dircmp(a, b), "")
    # dircmp compares by stat first; confirm byte for byte.
    for path in a.rglob("*"):
        rel = path.relative_to(a).as_posix()
        other = b / rel
        if path.is_file() and other.is_file() and rel not in out:
            if path.read_bytes() != other.read_bytes():
                out.append(rel)
    return sorted(out)


def test_the_checked_in_schema_is_what_the_pinned_codex_prints(tmp_path: Path) -> None:
    checked_in = REPO / "tests" / "codex_schema" / PINNED
    assert checked_in.is_dir(), f"no schema for the pinned Codex {PINNED}: run scripts/update-codex-schema.sh"
    out = tmp_path / "schema"
    subprocess.run([str(PINNED_CODEX), "app-server", "generate-json-schema", "--experimental",
                    "--out", str(out)], check=True, capture_output=True, timeout=120)
    changed = differences(checked_in, out)
    assert not changed, (
        f"codex {PINNED} prints a different protocol than tests/codex_schema/{PINNED}: "
        f"{changed[:20]}; run scripts/update-codex-schema.sh and review the diff")
    # The walk in codex_methods_test reads these two.
    for name in ("ServerRequest.json", "ServerNotification.json"):
        assert json.loads((checked_in / name).read_text())["oneOf"]


def test_only_the_pinned_version_is_checked_in() -> None:
    versions = sorted(p.name for p in (REPO / "tests" / "codex_schema").iterdir() if p.is_dir())
    assert versions == [PINNED]
