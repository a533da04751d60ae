"""The committed stubs are exactly what scripts/generate_protos.py makes
from protos/ today: never edited by hand, never stale."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

PYTHON_ROOT = Path(__file__).resolve().parents[1]
COMMITTED = PYTHON_ROOT / "src" / "codex_manager" / "v1"


def test_regenerated_stubs_match_the_committed_ones(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "generate_protos", PYTHON_ROOT / "scripts" / "generate_protos.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_protos"] = module
    spec.loader.exec_module(module)
    fresh = module.generate(tmp_path)
    fresh_files = sorted(p.name for p in fresh.iterdir() if p.is_file())
    committed_files = sorted(p.name for p in COMMITTED.iterdir() if p.is_file())
    assert fresh_files == committed_files
    for name in fresh_files:
        assert (fresh / name).read_bytes() == (COMMITTED / name).read_bytes(), (
            f"{name} differs: run clients/python/scripts/generate_protos.py")
