"""The documented Python examples hold as written: every ```python block of
docs/python.md, README.md and clients/python/README.md passes `mypy
--strict`, and runs, in order, as its own program (from the project
folder) against the real server with the real codex on the scripted
model."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Server

DOCS = [REPO / "docs" / "python.md", REPO / "README.md", REPO / "clients" / "python" / "README.md"]
BLOCKS = [(doc.relative_to(REPO), block) for doc in DOCS
          for block in re.findall(r"```python\n(.*?)```", doc.read_text(), flags=re.S)]
IDS = [f"{doc}#{i}" for i, (doc, _) in enumerate(BLOCKS)]


def test_the_guides_have_examples() -> None:
    assert sum(str(doc) == "docs/python.md" for doc, _ in BLOCKS) >= 5
    assert {str(doc) for doc, _ in BLOCKS} == {"docs/python.md", "README.md",
                                               "clients/python/README.md"}


def test_examples_type_check_strictly(tmp_path: Path) -> None:
    for i, (_, block) in enumerate(BLOCKS):
        (tmp_path / f"example_{i}.py").write_text(block)
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "."],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def docs_env(tmp_path_factory: pytest.TempPathFactory, codex_home: Path):
    from cm_testing import CODEX_BIN, make_server

    tmp = tmp_path_factory.mktemp("docs")
    project = tmp / "project"
    project.mkdir()
    gen = make_server(tmp, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(codex_home)])
    server: Server = next(gen)
    # The sign-in example takes its API key path (the device code one needs
    # ChatGPT: tests/e2e/test_codex_login.py).
    yield dict(os.environ, CODEX_MANAGER_ADDR=server.addr, PROJECT=str(project),
               OPENAI_API_KEY="sk-docs-example")
    next(gen, None)


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=IDS)
def test_example_runs(docs_env: dict[str, str], index: int) -> None:
    doc, block = BLOCKS[index]
    result = subprocess.run([sys.executable, "-c", block], env=docs_env, cwd=docs_env["PROJECT"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{doc}, example {index + 1}:\n{block}\n{result.stderr}"
