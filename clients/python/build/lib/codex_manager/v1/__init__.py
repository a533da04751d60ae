"""Generated gRPC stubs for codex_manager.v1 (scripts/generate_protos.py)."""
