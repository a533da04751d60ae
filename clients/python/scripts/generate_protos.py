#!/usr/bin/env python3
"""Generates the gRPC stubs of codex_manager.v1 from protos/ into
src/codex_manager/v1: messages (``*_pb2.py``), services (``*_pb2_grpc.py``),
their typings (``*.pyi``, mypy-protobuf) and the SDK's typed result views
(``views.py``, generate_views.py). Never edit the output by hand;
run this instead. tests/test_generated_stubs.py fails when the committed
files differ from a fresh run.

Needs the ``dev`` extra (grpcio-tools, mypy-protobuf at pinned versions).

    python clients/python/scripts/generate_protos.py [--out DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

from grpc_tools import protoc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_views import generate_views  # noqa: E402

PYTHON_ROOT = Path(__file__).resolve().parents[1]
REPO = PYTHON_ROOT.parents[1]
PROTOS = REPO / "protos"
PROTO_FILES = sorted((PROTOS / "codex_manager" / "v1").glob("*.proto"))
INIT = '"""Generated gRPC stubs for codex_manager.v1 (scripts/generate_protos.py)."""\n'


def _plugin(name: str) -> str:
    path = Path(sysconfig.get_path("scripts")) / name
    found = shutil.which(name) or (str(path) if path.exists() else None)
    if found is None:
        raise SystemExit(f"{name} not found: pip install the 'dev' extra")
    return found


def generate(src_root: Path) -> Path:
    """Writes the stubs under ``src_root/codex_manager/v1``; returns that folder."""
    out = src_root / "codex_manager" / "v1"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    grpc_include = Path(protoc.__file__).parent / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{PROTOS}",
        f"-I{grpc_include}",
        f"--plugin=protoc-gen-mypy={_plugin('protoc-gen-mypy')}",
        f"--plugin=protoc-gen-mypy_grpc={_plugin('protoc-gen-mypy_grpc')}",
        f"--python_out={src_root}",
        f"--grpc_python_out={src_root}",
        f"--mypy_out={src_root}",
        f"--mypy_grpc_out={src_root}",
        *[str(p) for p in PROTO_FILES],
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    (out / "__init__.py").write_text(INIT)
    with tempfile.TemporaryDirectory() as tmp:
        descriptors = Path(tmp) / "descriptors.pb"
        if protoc.main(["grpc_tools.protoc", f"-I{PROTOS}", f"-I{grpc_include}",
                        "--include_source_info", f"--descriptor_set_out={descriptors}",
                        *[str(p) for p in PROTO_FILES]]) != 0:
            raise SystemExit("protoc failed")
        (out / "views.py").write_text(generate_views(descriptors.read_bytes()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PYTHON_ROOT / "src",
                        help="source root to write codex_manager/v1 under")
    args = parser.parse_args()
    out = generate(args.out)
    print(f"generated {len(list(out.iterdir()))} files in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
