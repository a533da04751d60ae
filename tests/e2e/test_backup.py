"""A backup taken from a running server (MaintenanceService.Backup, the
CLI's `backup`) restores into a data dir a server starts on, with what the
server held at that moment and nothing after; a full disk costs the call
UNAVAILABLE and leaves nothing behind (docs/operations.md, "Backup and
restore")."""

from __future__ import annotations

import hashlib
import os
import pty
import re
import sqlite3
import stat
import subprocess
from pathlib import Path

from conftest import Cli, Server

from codex_manager import Client
from cm_testing import FAKE_CODEX, SERVER_BIN
from test_durability import fake_server_with
from test_real_codex import create_session


def leftovers(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.glob("backup-*"))


def events_of(data_dir: Path) -> list[dict[str, str]]:
    """Every event of a stopped server's database, read directly."""
    with sqlite3.connect(f"file:{data_dir / 'codex-manager.db'}?mode=ro", uri=True) as db:
        return [{"eventId": str(r[0])} for r in db.execute("SELECT event_id FROM events")]


def server_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SERVER_BIN), *args], capture_output=True, text=True, timeout=60)


def test_a_backup_restores_into_a_server_with_what_it_held(fake_cli: Cli, fake_server: Server,
                                                           tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    session_id = create_session(fake_cli, project)
    assert fake_cli("turn", "start", session_id, "before the backup", "--follow").returncode == 0

    path = tmp_path / "saved" / "backup.db"
    path.parent.mkdir()
    result = fake_cli("backup", str(path))
    assert result.returncode == 0, result.stderr
    match = re.fullmatch(r"wrote (\S+): (\d+) bytes, 1 session, events through (\d+) "
                         r"\(sha256 ([0-9a-f]{64})\)\n", result.stderr)
    assert match, result.stderr
    assert match[1] == str(path) and int(match[2]) == path.stat().st_size
    assert hashlib.sha256(path.read_bytes()).hexdigest() == match[4]
    last_event_id = int(match[3])
    # Only its owner can read it: it holds every transcript.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]
    assert leftovers(fake_server.data_dir) == []
    # It is recorded, with what it held.
    audit = fake_cli.json("audit", "list", "--method",
                          "/codex_manager.v1.MaintenanceService/Backup")["auditEvents"]
    assert [a["resourceId"] for a in audit] == ["backup"]
    assert f"1 session, events through {last_event_id}" in audit[0]["message"]

    # What happens after the backup is not in it.
    assert fake_cli("turn", "start", session_id, "after the backup", "--follow").returncode == 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        assert db.execute("SELECT MAX(event_id) FROM events").fetchone()[0] == last_event_id
        prompts = [r[0] for r in db.execute("SELECT prompt FROM turns")]
    assert prompts == ["before the backup"]

    # Restored into a new data dir: --check passes, and a server serves it
    # to the tokens it knew.
    restored = tmp_path / "restored"
    done = server_tool("--restore", str(path), "--data-dir", str(restored))
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"restored {path} into {restored / 'codex-manager.db'}: "
                           f"1 session, events through {last_event_id}\n")
    assert stat.S_IMODE((restored / "codex-manager.db").stat().st_mode) == 0o600
    check = server_tool("--check", "--data-dir", str(restored))
    assert check.returncode == 0, check.stdout + check.stderr
    server = Server(restored, tmp_path, ["--codex-bin", str(FAKE_CODEX)])
    server.start()
    try:
        cli = Cli(server)  # the first server's admin token, from the environment
        sessions = cli.json("session", "list", "--all")["sessions"]
        assert [s["sessionId"] for s in sessions] == [session_id]
        events = cli.lines("events", session_id, "--raw")
        ids = [int(e["eventId"]) for e in events]
        assert ids[:ids.index(last_event_id) + 1] == list(range(1, last_event_id + 1))
        # After them only what the restored server's recovery said: the
        # runtime the backup saw live is gone.
        assert [e["type"] for e in events[ids.index(last_event_id) + 1:]] == [
            "EVENT_TYPE_SESSION_STATE_CHANGED"]
        assert "before the backup" in cli("events", session_id).stdout
        # The session resumes where the backup left it.
        assert cli("session", "resume", session_id).returncode == 0
        assert cli("turn", "start", session_id, "after the restore", "--follow").returncode == 0
    finally:
        assert server.stop() in (None, 0)


def test_a_backup_to_stdout_and_the_refusals(fake_cli: Cli, fake_server: Server,
                                             tmp_path: Path) -> None:
    piped = subprocess.run(fake_cli.argv("backup", "-"), capture_output=True, timeout=60)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith(b"SQLite format 3\x00")
    sha = re.search(rb"\(sha256 ([0-9a-f]{64})\)", piped.stderr)
    assert sha and hashlib.sha256(piped.stdout).hexdigest() == sha[1].decode()
    # A failed backup to stdout touches no file (not even one named
    # "-.partial" in the folder it runs in).
    (tmp_path / "-.partial").write_text("someone's")
    token = fake_cli.json("token", "create", "--name", "viewer", "--role", "viewer")["secret"]
    failed = subprocess.run(fake_cli.argv("--token", token, "backup", "-"), capture_output=True,
                            timeout=60, cwd=tmp_path)
    assert failed.returncode == 5 and failed.stdout == b""
    assert (tmp_path / "-.partial").read_text() == "someone's"
    # Not onto a terminal.
    master, terminal = pty.openpty()
    try:
        onto = subprocess.run(fake_cli.argv("backup", "-"), stdout=terminal,
                              stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(terminal)
        os.close(master)
    assert onto.returncode == 2 and b"standard output is a terminal" in onto.stderr

    # An operator may drive sessions, not copy everything.
    token = fake_cli.json("token", "create", "--name", "ops", "--role", "operator")["secret"]
    denied = fake_cli("--token", token, "backup", str(tmp_path / "denied.db"))
    assert denied.returncode == 5 and "needs role admin" in denied.stderr, denied.stderr
    assert not list(tmp_path.glob("denied.db*"))
    # A folder that cannot be written: an error before any call.
    unwritable = fake_cli("backup", str(tmp_path / "missing" / "b.db"))
    assert unwritable.returncode == 1 and "cannot write" in unwritable.stderr


def test_a_full_disk_fails_the_backup_and_leaves_nothing(tmp_path: Path) -> None:
    faults = tmp_path / "store-faults"  # what the fault VFS reads
    gen = fake_server_with(tmp_path, "--inject-store-faults-from", str(faults))
    server = next(gen)
    try:
        cli = Cli(server)
        faults.write_text("full")
        failed = cli("backup", str(tmp_path / "b.db"))
        assert failed.returncode == 3 and "UNAVAILABLE" in failed.stderr, failed.stderr
        assert not list(tmp_path.glob("b.db*"))
        assert leftovers(server.data_dir) == []
        faults.unlink()
        # Once the disk has room, the next one works.
        assert cli("backup", str(tmp_path / "b.db")).returncode == 0
        assert leftovers(server.data_dir) == []
    finally:
        next(gen, None)


def test_a_restore_in_place_keeps_what_it_replaced(fake_cli: Cli, fake_server: Server,
                                                  tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    kept = create_session(fake_cli, project)
    leaked = fake_cli.json("token", "create", "--name", "leaked", "--role", "viewer")
    path = tmp_path / "backup.db"
    assert fake_cli("backup", str(path)).returncode == 0
    # Revoked after the backup: it stays revoked once the backup is back.
    assert fake_cli("token", "revoke", leaked["tokenId"]).returncode == 0
    backed_up_seq = fake_cli.json("session", "show", kept)["lastSeq"]
    # After the backup the kept session goes on: a turn, and its events.
    assert fake_cli("turn", "start", kept, "lost in the restore", "--follow").returncode == 0
    later = create_session(fake_cli, project)
    data = fake_server.data_dir

    # Not while the server runs: it holds the data dir.
    busy = server_tool("--restore", str(path), "--data-dir", str(data))
    assert busy.returncode == 2 and "in use" in busy.stderr, busy.stderr
    fake_server.stop()
    # What is not a backup is refused, and nothing changes.
    before = sorted(p.name for p in data.iterdir())
    for bad in (b"not a database\n", b""):
        (tmp_path / "bad.db").write_bytes(bad)
        refused = server_tool("--restore", str(tmp_path / "bad.db"), "--data-dir", str(data))
        assert refused.returncode == 1, refused.stderr
        assert "not a Codex Manager database" in refused.stderr
        assert sorted(p.name for p in data.iterdir()) == before

    newest_before = max(int(e["eventId"]) for e in events_of(data))
    with sqlite3.connect(f"file:{data / 'codex-manager.db'}?mode=ro", uri=True) as db:
        lost_seq = db.execute("SELECT MAX(session_seq) FROM events WHERE session_id = ?",
                              (kept,)).fetchone()[0]
    assert lost_seq > int(backed_up_seq) + 2
    done = server_tool("--restore", str(path), "--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    assert f"new events are numbered from {newest_before + 1}," in done.stdout
    assert ("1 session had events after the backup's: new events are numbered after them"
            in done.stdout)
    assert "1 token revoked since the backup stays revoked" in done.stdout
    replaced = re.search(r"the database it replaced is now (\S+)\n", done.stdout)
    assert replaced, done.stdout
    # The old database is kept, whole: it opens with both sessions.
    with sqlite3.connect(f"file:{replaced[1]}?mode=ro", uri=True) as db:
        assert {r[0] for r in db.execute("SELECT session_id FROM sessions")} == {kept, later}
    fake_server.start()
    sessions = fake_cli.json("session", "list", "--all")["sessions"]
    assert [s["sessionId"] for s in sessions] == [kept]
    refused = fake_cli("--token", leaked["secret"], "session", "list")
    assert refused.returncode == 5 and "UNAUTHENTICATED" in refused.stderr, refused.stderr
    # An all-sessions follower that saw the lost events misses none of the
    # new ones: their ids come after everything the old database gave.
    with Client(fake_server.addr) as client:
        client.stop_session(kept)
        after = [(e.event_id, e.session_id) for e in client.events(after=newest_before,
                                                                     follow=False)]
        # A replay from the start crosses the ids the backup lost.
        replayed = [e.event_id for e in client.events(follow=False)]
        # So does one following only that session, from where it stood
        # (the seqs the backup lost) or from inside them: its seqs too
        # come after everything the old database gave.
        session = client.get_session(kept)
        assert session.last_seq > lost_seq
        for cursor in (lost_seq, int(backed_up_seq) + 1):
            seqs = [e.session_seq for e in client.events(kept, after=cursor, follow=False)]
            assert seqs == list(range(lost_seq + 1, session.last_seq + 1)), (cursor, seqs)
        # From the backup's last seq: the new events too, after a jump.
        seqs = [e.session_seq for e in client.events(kept, after=int(backed_up_seq),
                                                     follow=False)]
        assert seqs[0] == lost_seq + 1, seqs
        # So do the CLI's transcript, and a follower of it from the backup's seq.
        said = (f"── events {int(backed_up_seq) + 1}–{lost_seq} of this session are missing: "
                "the server was restored from a backup taken before them ──\n")
        assert said in fake_cli("events", kept).stdout
        assert fake_cli("events", kept, "--after", str(backed_up_seq)).stdout.startswith(said)
        # The restore is in the audit log.
        [record] = client.list_audit_events(method="restore")
        assert record.token_name == "codex-manager-server"
        assert record.message.startswith(f"--restore {path}: 1 session, events through ")
        assert record.message.endswith("; 1 session had events after the backup's; "
                                       "1 token revoked since the backup stays revoked")
        # The transcript says where events were lost.
        markdown = b"".join(client.export_transcript(kept, format="markdown")).decode()
        assert (f"*Events {int(backed_up_seq) + 1}–{lost_seq} of this session are missing: "
                "the server was restored from a backup taken before them.*") in markdown
    assert after and after[0] == (newest_before + 1, kept), after
    assert replayed[-len(after):] == [i for i, _ in after]
    fake_server.stop()
    assert replayed == sorted(int(e["eventId"]) for e in events_of(data))
    fake_server.start()
