"""docs/python.md's examples run as written: every ```python block, in
order, as its own program against the real server with the real codex on
the scripted model."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Server

DOC = REPO / "docs" / "python.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def test_the_guide_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.fixture(scope="module")
def docs_env(tmp_path_factory: pytest.TempPathFactory, codex_home: Path):
    from cm_testing import CODEX_BIN, make_server

    tmp = tmp_path_factory.mktemp("docs")
    project = tmp / "project"
    project.mkdir()
    gen = make_server(tmp, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(codex_home)])
    server: Server = next(gen)
    yield dict(os.environ, CODEX_MANAGER_ADDR=server.addr, PROJECT=str(project))
    next(gen, None)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs(docs_env: dict[str, str], index: int) -> None:
    result = subprocess.run([sys.executable, "-c", BLOCKS[index]], env=docs_env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"example {index + 1}:\n{BLOCKS[index]}\n{result.stderr}"
