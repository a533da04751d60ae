"""Installing and running as a service (issue 11): `cmake --install` puts
the binaries, the UI and the docs in GNU places with systemd units that
name them; systemd accepts the units and rates their hardening; cpack makes
a .deb with the same files and its Debian dependencies."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cm_testing import BUILD, REPO

UNITS = ("codex-manager-server.service", "codex-manager-web.service")


@pytest.fixture(scope="module")
def prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("install") / "usr"
    result = subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(root)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return root


def test_install_puts_everything_in_gnu_places(prefix: Path) -> None:
    for binary in ("codex-manager-server", "codex-manager", "codex-manager-web"):
        path = prefix / "bin" / binary
        assert path.is_file() and path.stat().st_mode & 0o111, path
    version = subprocess.run([str(prefix / "bin" / "codex-manager"), "--version"],
                             capture_output=True, text=True, timeout=30)
    assert version.stdout.startswith("codex-manager ")
    if (REPO / "web-proxy" / "ui" / "dist" / "index.html").exists():
        assert (prefix / "share" / "codex-manager" / "ui" / "index.html").is_file()
        assert (prefix / "share" / "codex-manager" / "ui" / "app.js").is_file()
        assert (prefix / "share" / "codex-manager" / "ui" / "app.js.gz").is_file()
        assert not list((prefix / "share" / "codex-manager" / "ui").glob("*.map*"))
    docs = prefix / "share" / "doc" / "codex-manager"
    assert (docs / "README.md").is_file() and (docs / "deploy.md").is_file()
    assert (prefix / "lib" / "sysusers.d" / "codex-manager.conf").read_text().count(
        "u codex-manager ") == 1
    # Nothing but what users run: no tests, no benches.
    assert sorted(p.name for p in (prefix / "bin").iterdir()) == [
        "codex-manager", "codex-manager-server", "codex-manager-web"]


def test_units_name_the_installed_files(prefix: Path) -> None:
    server = (prefix / "lib" / "systemd" / "system" / UNITS[0]).read_text()
    web = (prefix / "lib" / "systemd" / "system" / UNITS[1]).read_text()
    assert f"ExecStart={prefix}/bin/codex-manager-server --data-dir /var/lib/codex-manager" \
        in server
    assert f"--static-dir {prefix}/share/codex-manager/ui" in web
    assert "User=codex-manager" in server and "StateDirectory=codex-manager" in server
    assert "DynamicUser=yes" in web
    assert "@" not in re.sub(r"SystemCallFilter=.*", "", web + server)  # all substituted


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_systemd_accepts_the_units_and_rates_them_hardened(prefix: Path) -> None:
    units = [str(prefix / "lib" / "systemd" / "system" / u) for u in UNITS]
    verify = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True,
                            text=True, timeout=60)
    # verify warns (unknown keys, bad values) on stderr and still exits 0.
    assert verify.returncode == 0 and verify.stdout + verify.stderr == "", verify.stderr
    limits = {UNITS[0]: 4.5, UNITS[1]: 2.0}   # systemd's scale: 0 safest, 10 exposed
    for unit in units:
        security = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit],
                                  capture_output=True, text=True, timeout=60)
        score = re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)
        assert score, security.stdout + security.stderr
        assert float(score.group(1)) <= limits[Path(unit).name], security.stdout


@pytest.mark.skipif(shutil.which("dpkg-shlibdeps") is None, reason="dpkg-dev is not installed")
def test_cpack_makes_a_deb(tmp_path: Path) -> None:
    result = subprocess.run(["cpack", "-B", str(tmp_path)], cwd=BUILD, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    (deb,) = tmp_path.glob("codex-manager_*.deb")
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True).stdout
    assert re.search(r"Depends:.*libgrpc\+\+", info), info
    files = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    for path in ("./usr/bin/codex-manager-server", "./usr/bin/codex-manager",
                 "./usr/lib/systemd/system/codex-manager-server.service",
                 "./usr/lib/sysusers.d/codex-manager.conf"):
        assert path in files
    assert "ExecStart=/usr/bin/codex-manager-server" in subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True).stdout.decode(
            errors="replace")
    control = subprocess.run(["dpkg-deb", "-e", str(deb), str(tmp_path / "control")],
                             capture_output=True, text=True)
    assert control.returncode == 0
    assert "systemd-sysusers codex-manager.conf" in (tmp_path / "control" / "postinst").read_text()
