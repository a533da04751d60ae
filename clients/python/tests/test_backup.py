"""Client.backup / AsyncClient.backup: the server's database, written whole
or not at all, checked against the server's SHA-256."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest
from conftest import Server, ready_session

from codex_manager import AsyncClient, Backup, Client, DataLossError, PermissionDeniedError, Role
from codex_manager._requests import BackupFile
from codex_manager.v1 import maintenance_pb2


def test_backup_writes_what_the_server_holds(client: Client, project: Path,
                                              tmp_path: Path) -> None:
    session_id = ready_session(client, project)
    backup = client.backup(tmp_path / "b.db")
    assert isinstance(backup, Backup)
    assert backup.path == tmp_path / "b.db"
    data = backup.path.read_bytes()
    assert backup.size_bytes == len(data)
    assert backup.sha256 == hashlib.sha256(data).hexdigest()
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.glob("b.db*")) == ["b.db"]
    with sqlite3.connect(f"file:{backup.path}?mode=ro", uri=True) as db:
        assert [r[0] for r in db.execute("SELECT session_id FROM sessions")] == [session_id]
        assert db.execute("SELECT MAX(event_id) FROM events").fetchone()[0] == backup.last_event_id
    assert backup.sessions == 1


def test_async_backup(fake_server: Server, tmp_path: Path) -> None:
    async def main() -> Backup:
        async with AsyncClient(fake_server.addr) as client:
            return await client.backup(tmp_path / "a.db")

    backup = asyncio.run(asyncio.wait_for(main(), timeout=30))
    assert backup.sessions == 0
    assert hashlib.sha256(backup.path.read_bytes()).hexdigest() == backup.sha256


def test_backup_needs_admin(client: Client, fake_server: Server, tmp_path: Path) -> None:
    secret = client.create_token("ops", Role.OPERATOR).secret
    with Client(fake_server.addr, token=secret) as operator:
        with pytest.raises(PermissionDeniedError, match="needs role admin"):
            operator.backup(tmp_path / "denied.db")
    assert list(tmp_path.glob("denied.db*")) == []


def test_a_damaged_backup_is_not_written(tmp_path: Path) -> None:
    out = BackupFile(tmp_path / "b.db")
    try:
        out.add(maintenance_pb2.BackupChunk(data=b"SQLite", total_bytes=12))
        out.add(maintenance_pb2.BackupChunk(data=b"format", sha256="0" * 64))
        with pytest.raises(DataLossError, match="12 of 12 bytes"):
            out.commit()
    finally:
        out.close()
    assert list(tmp_path.iterdir()) == []
